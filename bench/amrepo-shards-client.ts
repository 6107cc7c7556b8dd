/**
 * Peer B of bench/amrepo-shards.ts (bundled by esbuild, run as its own process): an empty
 * automerge-repo 2.5 client, `repoPeer` of bench/amrepo.ts (NodeFS storage, WebSocket client,
 * default settings), catching up with peer A.
 *   node .tmp/bench-amrepo-shards/amrepo-shards-client.mjs <port> <root url> <expected heads .json> <storage folder> <concurrency>
 * It learns only the root document's URL (what an invite would carry); the shard URLs come from
 * the root document. Order: the root, then the shards that hold the 50 newest entries (the
 * root's `recent`, all at once: the first screen), then every other shard, `concurrency` finds
 * in flight. A document counts when `repo.find` has resolved and its heads equal A's (read from
 * the expected-heads file, which only the check uses); a find rejected as unavailable is counted
 * and its handle waited for until it turns ready (see `recover`). Times are ms from process start; prints
 * progress lines to stderr and one JSON line of measures to stdout at the end.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { load, repoPeer, type Repo } from './amrepo.js';

const [portArg, rootUrl, headsFile, dir, concurrencyArg] = process.argv.slice(2) as [string, string, string, string, string];
const concurrency = Number(concurrencyArg) > 0 ? Number(concurrencyArg) : Infinity;
let peakRss = process.memoryUsage.rss();
const out: Record<string, number | string> = {};

interface RootDoc {
  shards: Record<string, unknown>;
  recent: unknown[];
}
type Handle = Awaited<ReturnType<Repo['find']>>;

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
  const m = await load();
  out.modulesMs = performance.now();
  const expected = JSON.parse(readFileSync(headsFile, 'utf8')) as Record<string, string[]>;
  const key = (heads: readonly string[]): string => [...heads].sort().join(',');
  const peer = await repoPeer('b', { connectTo: [Number(portArg)], dir });
  const repo = peer.repo;
  repo.networkSubsystem.once('peer', () => (out.connectMs = performance.now()));
  const adapter = repo.networkSubsystem.adapters[0] as unknown as { socket?: { _socket?: Socket } };
  const sockets = new Set<Socket>();
  const sample = (): void => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    if (adapter.socket?._socket) sockets.add(adapter.socket._socket);
  };
  const sampler = setInterval(sample, 50);
  let ready = 0;
  let unavailable = 0;
  let recovered = 0;
  let connects = 0;
  let disconnects = 0;
  repo.networkSubsystem.on('peer', () => connects++);
  repo.networkSubsystem.on('peer-disconnected', () => disconnects++);
  let total = 1;
  const progress = setInterval(
    () => console.error(JSON.stringify({ progress: ready, unavailable, recovered, disconnects, unhandled, of: total, ms: Math.round(performance.now()) })),
    2000,
  );

  /** Resolves when the handle's document has A's heads (at once if it has them already). */
  const sameHeads = (handle: Handle, url: string): Promise<void> => {
    const want = key(expected[url] ?? []);
    const has = (): boolean => key(m.am.getHeads(handle.doc())) === want;
    if (has()) return Promise.resolve();
    return new Promise((done) => {
      const check = (): void => {
        if (!has()) return;
        handle.off('change', check);
        done();
      };
      handle.on('change', check);
    });
  };
  /** A document counted: its heads are A's. */
  const got = async (handle: Handle, url: string): Promise<Handle> => {
    await sameHeads(handle, url);
    ready++;
    if (out.firstShardMs === undefined && url !== rootUrl) out.firstShardMs = performance.now();
    return handle;
  };
  /**
   * After a find rejected as unavailable: its handle stays in the repo, and automerge-repo syncs it
   * again with A once the connection is back (A's keep-alive drops a client that does not answer
   * its ping within 5–10 s), turning it ready. Wait for that, as an app would see it.
   */
  const recover = async (url: string): Promise<Handle> => {
    const handle = repo.handles[m.repo.parseAutomergeUrl(url as never).documentId] as Handle;
    while (!handle.isReady()) await handle.whenReady(['ready']).catch(() => undefined);
    recovered++;
    return got(handle, url);
  };
  const recovering: Promise<unknown>[] = [];
  /** Finds one document; if it is needed now (`wait`), waits for it even after its find failed. */
  const fetchDoc = async (url: string, wait: boolean): Promise<Handle | undefined> => {
    const asked = performance.now();
    let handle: Handle;
    try {
      handle = await repo.find(url as never);
    } catch (err) {
      unavailable++;
      const waited = performance.now() - asked;
      if (out.firstError === undefined) {
        out.firstError = String(err);
        out.firstFailMs = performance.now();
      }
      out.failWaitedMinMs = Math.min(Number(out.failWaitedMinMs ?? Infinity), waited);
      out.failWaitedMaxMs = Math.max(Number(out.failWaitedMaxMs ?? 0), waited);
      if (wait) return recover(url);
      recovering.push(recover(url)); // not holding a slot of the pool
      return undefined;
    }
    return got(handle, url);
  };

  out.findRootMs = performance.now();
  const root = (await fetchDoc(rootUrl, true))!;
  out.rootMs = performance.now();
  const doc = root.doc() as unknown as RootDoc;
  const urls = Object.values(doc.shards).map(String);
  const recent = [...new Set(doc.recent.map(String))];
  total = 1 + urls.length;

  await Promise.all(recent.map((url) => fetchDoc(url, true)));
  out.firstScreenMs = performance.now();
  out.firstScreenShards = recent.length;

  const rest = urls.filter((u) => !recent.includes(u));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rest.length) await fetchDoc(rest[next++]!, false);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, rest.length) }, worker));
  await Promise.all(recovering);
  out.allMs = performance.now();
  const cpuAll = process.cpuUsage();
  out.allCpuMs = (cpuAll.user + cpuAll.system) / 1000;
  out.ready = ready;
  out.unavailable = unavailable;
  out.recovered = recovered;
  out.connects = connects;
  out.disconnects = disconnects;
  out.unhandledRejections = unhandled;
  out.docs = total;
  sample();

  // Not part of the catch-up time: until B's own storage holds everything (its saves are debounced).
  try {
    await repo.flush();
    out.flushedMs = performance.now();
  } catch (err) {
    out.flushError = String(err); // flush() throws when a handle is not ready (a find that failed)
  }
  sample();
  clearInterval(progress);
  clearInterval(sampler);
  let read = 0;
  let written = 0;
  for (const s of sockets) {
    read += s.bytesRead;
    written += s.bytesWritten;
  }
  out.clientBytesRead = read;
  out.clientBytesWritten = written;
  out.peakRss = peakRss;
  const cpu = process.cpuUsage();
  out.cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(JSON.stringify(out));
  await peer.close().catch(() => undefined); // shutdown() flushes too, and throws on the same handles
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
