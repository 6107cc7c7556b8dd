/**
 * Peer A of bench/amrepo-shards.ts (bundled by esbuild, run as its own process): an
 * automerge-repo 2.5 server, `repoPeer` of bench/amrepo.ts (NodeFS storage, WebSocket server,
 * default settings) over a private copy of the storage the parent built.
 *   node .tmp/bench-amrepo-shards/amrepo-shards-server.mjs <storage folder>
 * Prints `{"port":…}` once it listens; then every second (`tick`) and on a `report` line on stdin
 * (`report`), one JSON line with the bytes counted on the server side of each WebSocket
 * (net.Socket bytesRead / bytesWritten, the HTTP upgrade included), its peak RSS (sampled every
 * 50 ms) and CPU time; it exits on `exit` or stdin's end.
 */
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { repoPeer } from './amrepo.js';

const dir = process.argv[2]!;
let peakRss = process.memoryUsage.rss();

/**
 * automerge-repo leaves some promises unhandled (DocSynchronizer.beginSync's whenReady, which
 * times out after 60 s on a busy machine); Node would end the process on the first, a browser
 * only logs it. Counted and reported instead, so that the run goes on as it would in a browser.
 */
let unhandled = 0;
process.on('unhandledRejection', (reason) => {
  if (unhandled++ === 0) console.error(`first unhandled rejection: ${String(reason)}`);
});

async function main(): Promise<void> {
  const peer = await repoPeer('a', { serve: true, dir });
  const adapter = peer.repo.networkSubsystem.adapters[0] as unknown as { sockets: Record<string, { _socket?: Socket }> };
  const sockets = new Set<Socket>();
  const sample = (): void => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    for (const ws of Object.values(adapter.sockets)) if (ws._socket) sockets.add(ws._socket);
  };
  const sampler = setInterval(sample, 50);
  // How many of B's requests A answered with "doc-unavailable" (it could not load the document in time).
  let unavailableSent = 0;
  (peer.repo.synchronizer as unknown as { on(event: 'message', f: (m: { type: string }) => void): void }).on('message', (m) => {
    if (m.type === 'doc-unavailable') unavailableSent++;
  });
  console.log(JSON.stringify({ port: peer.port }));
  let finished = false;
  const finish = async (): Promise<void> => {
    if (finished) return;
    finished = true;
    clearInterval(sampler);
    await peer.close().catch(() => undefined); // shutdown() flushes, and throws on a handle not ready
    process.exit(0);
  };
  const stats = (): Record<string, number> => {
    sample();
    let bytesRead = 0;
    let bytesWritten = 0;
    for (const s of sockets) {
      bytesRead += s.bytesRead;
      bytesWritten += s.bytesWritten;
    }
    const cpu = process.cpuUsage();
    return { bytesFromB: bytesRead, bytesToB: bytesWritten, connections: sockets.size, peakRss, cpuMs: (cpu.user + cpu.system) / 1000, unavailableSent, unhandledRejections: unhandled, handles: Object.keys(peer.repo.handles).length };
  };
  // Every second too, in case this process is too busy to answer a report in time.
  const ticker = setInterval(() => console.log(JSON.stringify({ tick: Math.round(performance.now()), ...stats() })), 1000);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() === 'report') console.log(JSON.stringify({ report: Math.round(performance.now()), ...stats() }));
    else if (line.trim() === 'exit') {
      clearInterval(ticker);
      void finish();
    }
  });
  lines.on('close', () => {
    clearInterval(ticker);
    void finish();
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
