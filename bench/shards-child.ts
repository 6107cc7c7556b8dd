/**
 * One fresh process of the sharded-space bench (bench/shards.ts bundles it with esbuild so that
 * nothing is compiled on the way): opens a private copy of a realistic fixture the way a front
 * end would and prints one JSON line of measures. Times are from process start.
 *   node .tmp/bench-shards/shards-child.js <space folder>
 * Order: first screen (first 64 KB of the index, no Automerge), whole list (index + journal, no
 * Automerge), ready (Automerge imported, space open), WASM warm-up (on the newest entry's shard),
 * crash recovery's check of every shard log, 20 entries opened (each in a shard not loaded yet),
 * edits, publishes, a peer's edits.
 */
import { memoryLogger } from '../src/core/logger.js';
import type { IndexRow } from '../src/core/shards/index-rows.js';
import { readStoredIndex, ReadIndex } from '../src/core/shards/read-index.js';
import { FileIndexStore } from '../src/storage/read-index-store.js';

const dir = process.argv[2]!;
const rss = (): number => process.memoryUsage().rss;
/** CPU time of this process (user + system), in ms: what a step costs apart from waiting for a busy machine's cores. */
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const out: Record<string, number | string> = {};
const logger = memoryLogger('warn');

async function main(): Promise<void> {
  // 1. The first screen: the first bytes of the index file.
  const indexStore = new FileIndexStore(dir, logger);
  const prefix = await indexStore.readPrefix(64 * 1024);
  const screen = ReadIndex.firstRows(prefix!, 50);
  out.firstScreenMs = performance.now();
  out.firstScreenCpuMs = cpu();
  out.firstScreenRows = screen.length;

  // 2. The whole list: the index and its journal, every row decoded once (what a tree refresh costs).
  const loaded = await readStoredIndex(indexStore, logger);
  let rows = 0;
  let visible = 0;
  for (const row of loaded.index.rows()) {
    rows++;
    if (row.state === 'published') visible++;
  }
  out.listMs = performance.now();
  out.listCpuMs = cpu();
  out.rows = rows;
  out.visibleRows = visible;
  out.rssAfterList = rss();

  // 3. Start-up done: Automerge imported, the space open, crash recovery's check of every shard log, WASM warmed.
  await import('@automerge/automerge');
  out.automergeMs = performance.now();
  out.automergeCpuMs = cpu();
  const { ShardedSpace } = await import('../src/core/shards/sharded-space.js');
  const { FileShardStore } = await import('../src/storage/shard-store.js');
  const { writeFields } = await import('../src/core/shards/shard-ops.js');
  const space = await ShardedSpace.open({ shards: await FileShardStore.open(dir, { logger }), index: indexStore, logger }, {}, loaded);
  out.readyMs = performance.now();
  out.readyCpuMs = cpu();
  // After the list is usable: the WASM warm-up on the newest entry's shard.
  const w = performance.now();
  const wc = cpu();
  await space.warmUp();
  out.warmUpMs = performance.now() - w;
  out.warmUpCpuMs = cpu() - wc;
  // Crash recovery's check of every shard log runs after the list is usable (here: at once).
  const t = performance.now();
  const c = cpu();
  const recovered = await space.recover();
  out.recoverMs = performance.now() - t;
  out.recoverCpuMs = cpu() - c;
  out.reindexed = recovered.reindexed.length;
  out.rssAfterStart = rss();

  // 4. Open 20 entries, each in a shard that is not loaded yet (spread over the list).
  // One pass over the list, keeping only the rows used below (never all 100k as objects).
  const step = Math.max(1, Math.floor(visible / 40));
  const picks: string[] = [];
  const others: IndexRow[] = [];
  const shardsSeen = new Set<string>();
  let k = 0;
  for (const row of space.rows()) {
    if (row.state !== 'published') continue;
    const shard = row.id.slice(0, 3);
    if (k === 0) shardsSeen.add(shard); // loaded by the warm-up: not an open to measure
    if (k++ % step === 0 && picks.length < 20 && !shardsSeen.has(shard)) {
      shardsSeen.add(shard);
      picks.push(row.id);
    } else if (k % 7 === 3 && others.length < 60) others.push(row);
  }
  out.rssBeforeOpens = rss();
  const opens: number[] = [];
  const openCpu: number[] = [];
  for (const id of picks) {
    const t0 = performance.now();
    const c0 = cpu();
    const read = await space.read(id as never);
    opens.push(performance.now() - t0);
    openCpu.push(cpu() - c0);
    if (read?.status !== 'valid') throw new Error(`entry ${id} did not open`);
  }
  out.openFirstMs = opens[0]!;
  out.openMedianMs = median(opens.slice(1));
  out.openCpuMedianMs = median(openCpu.slice(1));
  out.rssAfter20 = rss();

  // 5. Edits of opened entries: a word inserted in the body / instructions (the document and the row
  //    change in memory before `change` returns; `durable` is the shard log's fsync + index journal).
  const inMemory: number[] = [];
  const inMemoryCpu: number[] = [];
  const durable: number[] = [];
  for (let k = 0; k < 110; k++) {
    const id = picks[k % picks.length]!;
    const read = await space.read(id as never);
    if (read?.status !== 'valid') throw new Error('gone');
    const field = read.entry.kind === 'note' ? 'body' : 'instructions';
    const text = (read.entry as unknown as Record<string, string>)[field]!;
    const value = `${text.slice(0, 20)} edit${k} ${text.slice(20)}`;
    const t0 = performance.now();
    const c0 = cpu();
    const made = await space.change(id as never, JSON.stringify({ v: 1, op: 'edit', id, fields: [field], at: Date.now(), by: { name: 'Bench', device: 'bench' } }), (d) =>
      writeFields(d, id as never, { [field]: value }, Date.now()),
    );
    const t1 = performance.now();
    const c1 = cpu();
    await made.durable;
    const t2 = performance.now();
    if (k >= 10) {
      inMemoryCpu.push(c1 - c0);
      inMemory.push(t1 - t0);
      durable.push(t2 - t0);
    }
  }
  out.editMemP50Ms = median(inMemory);
  out.editMemCpuP50Ms = median(inMemoryCpu);
  out.editDurableP50Ms = median(durable);

  // 6. Publish a new realistic entry (~500-character body) into a loaded shard (the op itself; a
  //    shard not loaded yet adds one open, row 4).
  const { writePublished } = await import('../src/core/shards/shard-ops.js');
  const { entryScript } = await import('./realistic-fixture.js');
  const publishMem: number[] = [];
  const publishCpu: number[] = [];
  const publishDurable: number[] = [];
  for (let k = 0; k < 40; k++) {
    const s = entryScript(10_000_000 + k);
    const id = `${picks[k % picks.length]!.slice(0, 3)}${s.id.slice(3)}`;
    const t0 = performance.now();
    const c0 = cpu();
    const made = await space.change(id as never, JSON.stringify({ v: 1, op: 'publish', id, at: s.at, by: s.author }), (d) =>
      writePublished(d, { id: id as never, kind: s.kind, author: s.author, createdAt: s.at, updatedAt: s.at, fields: s.fields }),
    );
    const t1 = performance.now();
    const c1 = cpu();
    await made.durable;
    if (k >= 5) {
      publishCpu.push(c1 - c0);
      publishMem.push(t1 - t0);
      publishDurable.push(performance.now() - t0);
    }
  }
  out.publishMemP50Ms = median(publishMem);
  out.publishMemCpuP50Ms = median(publishCpu);
  out.publishDurableP50Ms = median(publishDurable);

  // 7. A peer's edit to a shard this process has not loaded: rows from the decoded change, the
  //    change appended to the shard log, no load (ShardedSpace.receive → 'indexed').
  const A = await import('@automerge/automerge');
  const { loadShard } = await import('../src/core/shards/shard-doc.js');
  const receiveMs: number[] = [];
  let indexed = 0;
  const untouched = others.filter((r) => !shardsSeen.has(r.id.slice(0, 3))).slice(0, 30);
  const fs = await import('node:fs/promises');
  for (const row of untouched) {
    const shard = row.id.slice(0, 3);
    if (shardsSeen.has(shard)) continue;
    shardsSeen.add(shard);
    // The peer's copy of the shard, read straight from the fixture's file (one saved document
    // after the 16 bytes of file header and frame header; this space has not touched it).
    const bytes = await fs.readFile(`${dir}/shards/${shard[0]}/${shard}`);
    const { doc } = loadShard([new Uint8Array(bytes.subarray(16))], 'ee'.repeat(16));
    const next = A.change(doc, { message: 'peer edit', time: 1 }, (d) => writeFields(d, row.id as never, { title: `${row.title} (peer)` }, Date.now()));
    const change = A.getLastLocalChange(next)!;
    A.free(next);
    const t0 = performance.now();
    const result = await space.receive(shard as never, change);
    receiveMs.push(performance.now() - t0);
    if (result === 'indexed') indexed++;
  }
  out.receiveNoLoadP50Ms = median(receiveMs);
  out.receiveIndexed = indexed;
  out.receiveTotal = receiveMs.length;
  out.rssEnd = rss();
  out.loadedShards = space.loadedShards;
  await space.close();
  console.log(JSON.stringify(out));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
