/**
 * One process of the sharded catch-up bench (bench/shard-sync.ts bundles it with esbuild). Modes:
 *   serve <space folder> <edit fraction>  a member holding the space (after editing that fraction
 *                                         of its entries, so a peer with the fixture misses them);
 *                                         prints {addr, firstIds}, answers every conversation, and
 *                                         on "stop" on stdin prints {peakRss} and exits
 *   join <space folder> <addr> <firstIds>  a member that dials `addr` and catches up, then checks
 *                                         that it is in sync; prints its measures
 *   floor-serve <space folder>            the floor's sender: every shard's stored bytes, framed,
 *                                         on a plain TCP socket on loopback (read before timing)
 *   floor-join <port>                     the floor's receiver: reads them and loads each shard
 * Every line on stdout is one JSON object.
 */
import * as A from '@automerge/automerge';
import { createServer, connect } from 'node:net';
import { createInterface } from 'node:readline';
import type { Stream } from '@libp2p/interface';
import type { EntryId } from '../src/core/ids.js';
import { memoryLogger } from '../src/core/logger.js';
import { SHARD_COUNT } from '../src/core/shards/shard-id.js';
import { writeFields } from '../src/core/shards/shard-ops.js';
import { ShardedSpace } from '../src/core/shards/sharded-space.js';
import { ShardSyncSession } from '../src/core/shards/shard-sync-session.js';
import { generateIdentity, pnetKeyFromSpaceKey, privateKeyOf, topicForSpace } from '../src/net/keys.js';
import { createSpaceNode, type SpaceLibp2p } from '../src/net/node.js';
import { runShardConversation, SHARD_SYNC_PROTOCOL } from '../src/net/shard-sync-protocol.js';
import { FileIndexStore } from '../src/storage/read-index-store.js';
import { FileShardStore } from '../src/storage/shard-store.js';

const logger = memoryLogger('warn');
const say = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
let peakRss = 0;
setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20).unref();
const sample = (): number => (peakRss = Math.max(peakRss, process.memoryUsage().rss));

async function openSpace(dir: string, actor: string): Promise<ShardedSpace> {
  return ShardedSpace.open({ shards: await FileShardStore.open(dir, { logger }), index: new FileIndexStore(dir, logger), logger }, { actor });
}

async function node(): Promise<SpaceLibp2p> {
  const n = await createSpaceNode({
    privateKey: await privateKeyOf(await generateIdentity()),
    listen: ['/ip4/127.0.0.1/tcp/0/ws'],
    psk: pnetKeyFromSpaceKey(new Uint8Array(32).fill(3)),
    topic: topicForSpace('bench-shard-sync'),
    mdnsServiceTag: undefined,
    gater: {},
  });
  await n.start();
  return n;
}

const stdinLines = (): AsyncIterableIterator<string> => createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function serve(dir: string, fraction: number): Promise<void> {
  const space = await openSpace(dir, 'aa'.repeat(16));
  // Edit a fraction of the entries (spread over the list): what a peer holding the fixture lacks.
  const ids = [...space.rows()].filter((r) => r.state === 'published').map((r) => r.id as EntryId);
  const every = fraction > 0 ? Math.max(1, Math.round(1 / fraction)) : 0;
  let edited = 0;
  for (let k = 0; every > 0 && k < ids.length; k += every) {
    const id = ids[k]!;
    const read = await space.read(id);
    if (read?.status !== 'valid' || read.entry.kind !== 'note') continue;
    await (await space.change(id, 'edit', (d) => writeFields(d, id, { body: `${read.entry.kind === 'note' ? read.entry.body : ''}\n\nEdited while the other was away.` }, Date.now()))).durable;
    edited++;
  }
  const n = await node();
  await n.handle(SHARD_SYNC_PROTOCOL, (stream: Stream) => {
    runShardConversation(stream, new ShardSyncSession(space), { initiator: false }).catch((err: unknown) => process.stderr.write(`serve: ${String(err)}\n`));
  });
  let rows = 0;
  for (const _ of space.rows()) rows++;
  say({ addr: n.getMultiaddrs()[0]!.toString(), firstIds: space.page(50).map((r) => r.id), edited, rows });
  for await (const line of stdinLines()) if (line.trim() === 'stop') break;
  say({ peakRss: sample() });
  await n.stop();
  await space.close();
  process.exit(0);
}

async function join(dir: string, addr: string, firstIds: string[]): Promise<void> {
  const space = await openSpace(dir, 'bb'.repeat(16));
  await space.warmUp(); // as a front end does once its list is shown
  const n = await node();
  const { multiaddr } = await import('@multiformats/multiaddr');
  const rssBefore = sample();
  const t0 = performance.now();
  let firstScreenMs = NaN;
  const want = firstIds.join(',');
  const turnTimes: number[] = [];
  const checkScreen = () => {
    if (Number.isNaN(firstScreenMs) && space.page(50).map((r) => r.id).join(',') === want) firstScreenMs = performance.now() - t0;
  };
  const screenTimer = setInterval(checkScreen, 10); // rows are listed as they are adopted, before the turn ends
  const stream = await n.dialProtocol(multiaddr(addr), SHARD_SYNC_PROTOCOL);
  const connectMs = performance.now() - t0;
  const first = await runShardConversation(stream, new ShardSyncSession(space), {
    initiator: true,
    onProgress: () => {
      if (turnTimes.length < 8) turnTimes.push(Math.round(performance.now() - t0));
    },
  });
  checkScreen();
  clearInterval(screenTimer);
  const catchUpMs = performance.now() - t0;
  const rssAfter = sample();
  // The in-sync check: a second conversation between two peers that are in sync.
  const t1 = performance.now();
  const again = await runShardConversation(await n.dialProtocol(multiaddr(addr), SHARD_SYNC_PROTOCOL), new ShardSyncSession(space), { initiator: true });
  const checkMs = performance.now() - t1;
  say({
    connectMs,
    firstScreenMs,
    turnTimes,
    catchUpMs,
    inSync: first.inSync,
    turns: first.progress.turns,
    bytesIn: first.progress.bytesIn,
    bytesOut: first.progress.bytesOut,
    differing: first.progress.differing,
    savedIn: first.progress.savedIn,
    checkMs,
    checkInSync: again.inSync,
    checkBytes: again.progress.bytesIn + again.progress.bytesOut,
    rows: [...space.rows()].length,
    rssBefore,
    rssAfter,
    peakRss: sample(),
  });
  await n.stop();
  await space.close();
  process.exit(0);
}

/** Frames: u16 shard, u32 length, bytes. */
async function floorServe(dir: string): Promise<void> {
  const store = await FileShardStore.open(dir, { logger });
  const frames: Buffer[] = [];
  for (const [shard] of await store.states()) {
    const { chunks } = await store.read(shard);
    const body = Buffer.concat(chunks);
    const head = Buffer.alloc(6);
    head.writeUInt16BE(parseInt(shard, 16), 0);
    head.writeUInt32BE(body.length, 2);
    frames.push(head, body);
  }
  const all = Buffer.concat(frames);
  const server = createServer((socket) => socket.end(all));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  say({ port: (server.address() as { port: number }).port, bytes: all.length });
  for await (const line of stdinLines()) if (line.trim() === 'stop') break;
  say({ peakRss: sample() });
  process.exit(0);
}

async function floorJoin(port: number): Promise<void> {
  A.free(A.load(A.save(A.init()))); // the WASM warm-up is not the floor's: paid before timing
  const t0 = performance.now();
  const socket = connect(port, '127.0.0.1');
  let pending: Buffer = Buffer.alloc(0);
  let shards = 0;
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 6 && pending.length >= 6 + pending.readUInt32BE(2)) {
        const len = pending.readUInt32BE(2);
        const shard = pending.readUInt16BE(0);
        if (shard >= SHARD_COUNT) reject(new Error('bad shard'));
        A.free(A.load(pending.subarray(6, 6 + len)));
        shards++;
        pending = pending.subarray(6 + len);
      }
    });
    socket.on('end', resolve);
    socket.on('error', reject);
  });
  say({ floorMs: performance.now() - t0, shards, bytes, peakRss: sample() });
  process.exit(0);
}

const [mode, ...args] = process.argv.slice(2);
const main =
  mode === 'serve' ? serve(args[0]!, Number(args[1] ?? 0))
  : mode === 'join' ? join(args[0]!, args[1]!, JSON.parse(args[2]!) as string[])
  : mode === 'floor-serve' ? floorServe(args[0]!)
  : mode === 'floor-join' ? floorJoin(Number(args[0]))
  : Promise.reject(new Error(`unknown mode ${mode}`));
main.catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
