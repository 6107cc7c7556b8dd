/**
 * `npm run bench -- --shards [--quick]`: issue 13's table for the sharded space on the realistic
 * fixture, ours next to automerge-repo (the same shard documents, one repo document each:
 * bench/amrepo-shards.ts) and the floor, all from one run: start-up and memory (bench/shards.ts,
 * fresh processes), local ops, and catch-up between two member processes over libp2p
 * (bench/shard-sync.ts: cold, warm, in-sync check; the floor: the stored shards over a plain TCP
 * socket, each loaded).
 */
import { amrepoShardCatchup } from './amrepo-shards.js';
import { cliOnShards, type CliShardRun } from './cli-shards.js';
import { benchExtensionOnShards, type ExtensionShardStart } from './extension-shards.js';
import { benchShards, type Measures } from './shards.js';
import { benchShardSync } from './shard-sync.js';
import { median } from './table.js';

export interface ShardedRow {
  measure: string;
  unit: 'ms' | 'B' | 'MB' | 'n';
  ours: number;
  repo?: number;
  floor?: number;
  goal?: { text: string; met: boolean };
}

const k = (n: number) => `${n / 1000}k`;

export async function benchSharded(quick: boolean, step: <T>(what: string, fn: () => Promise<T>) => Promise<T>): Promise<ShardedRow[]> {
  const rows: ShardedRow[] = [];
  const localSizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  const syncSizes = quick ? [1_000] : [10_000, 100_000];
  const big = localSizes.at(-1)!;
  const local = await step(`sharded start-up, memory and local ops at ${localSizes.map(k).join(', ')} (${quick ? 1 : 3} fresh processes each)`, () => benchShards(localSizes, quick ? 1 : 3));
  const boot = median(local.boots.map((b) => b.ms));
  const med = (n: number, key: string) => median(local.results.get(n)!.runs.map((m: Measures) => m[key]!));
  for (const n of localSizes) {
    const atBig = n === big;
    rows.push({ measure: `${k(n)}: first screen (50 rows) from process start`, unit: 'ms', ours: med(n, 'firstScreenMs'), floor: boot, goal: atBig ? { text: '≤ 300', met: med(n, 'firstScreenMs') <= 300 } : undefined });
    rows.push({ measure: `${k(n)}: ready (space open) from process start`, unit: 'ms', ours: med(n, 'readyMs'), floor: boot, goal: atBig ? { text: '≤ 1,000', met: med(n, 'readyMs') <= 1000 } : undefined });
    rows.push({ measure: `${k(n)}: RSS after start-up`, unit: 'MB', ours: med(n, 'rssAfterStart'), goal: atBig ? { text: '≤ 150 MB', met: med(n, 'rssAfterStart') <= 150e6 } : undefined });
    rows.push({ measure: `${k(n)}: RSS after opening 20 entries`, unit: 'MB', ours: med(n, 'rssAfter20'), goal: atBig ? { text: '≤ 150 MB', met: med(n, 'rssAfter20') <= 150e6 } : undefined });
    rows.push({ measure: `${k(n)}: open one entry (shard not loaded), median`, unit: 'ms', ours: med(n, 'openMedianMs') });
    rows.push({ measure: `${k(n)}: edit a body in memory, p50`, unit: 'ms', ours: med(n, 'editMemP50Ms'), goal: atBig ? { text: '≤ 1', met: med(n, 'editMemP50Ms') <= 1 } : undefined });
    rows.push({ measure: `${k(n)}: publish a ~500-character entry in memory, p50`, unit: 'ms', ours: med(n, 'publishMemP50Ms'), goal: atBig ? { text: '≤ 1', met: med(n, 'publishMemP50Ms') <= 1 } : undefined });
  }
  // The product: the CLI peer (dist/cli.js) on the same fixture, fresh processes.
  for (const n of localSizes) {
    const atBig = n === big;
    const runs = await step(`the CLI peer on the ${k(n)} sharded space (${quick ? 1 : 3} fresh processes)`, () => cliOnShards(n, quick ? 1 : 3));
    const cli = (key: keyof CliShardRun) => median(runs.map((r) => r[key]));
    rows.push({ measure: `${k(n)}: CLI peer: spawn → ready (list usable, listening)`, unit: 'ms', ours: cli('readyMs'), floor: boot, goal: atBig ? { text: '≤ 1,000', met: cli('readyMs') <= 1000 } : undefined });
    rows.push({ measure: `${k(n)}: CLI peer: RSS at ready`, unit: 'MB', ours: cli('rssAtReady'), goal: atBig ? { text: '≤ 150 MB', met: cli('rssAtReady') <= 150e6 } : undefined });
    rows.push({ measure: `${k(n)}: CLI peer: show one entry (shard not loaded), median`, unit: 'ms', ours: cli('showMedianMs') });
    rows.push({ measure: `${k(n)}: CLI peer: RSS after showing 20 entries`, unit: 'MB', ours: cli('rssAfter20'), goal: atBig ? { text: '≤ 150 MB', met: cli('rssAfter20') <= 150e6 } : undefined });
    rows.push({ measure: `${k(n)}: CLI peer: ls, the whole list (${cli('lsRows').toLocaleString('en')} rows as JSON)`, unit: 'ms', ours: cli('lsMs') });
    rows.push({ measure: `${k(n)}: CLI peer: first search after the shows and ls (waits for the search index)`, unit: 'ms', ours: cli('searchMs') });
    rows.push({ measure: `${k(n)}: CLI peer: RSS once the search index is built`, unit: 'MB', ours: cli('rssAfterSearch') });
  }
  // The extension in a real editor on the same fixture (skipped without code-server and Chromium).
  if (!quick) rows.push(...(await extensionRows([1_000, big], step)));
  const figures = await step(`sharded catch-up over libp2p at ${syncSizes.map(k).join(', ')} (cold, warm, in-sync check, floor)`, () => benchShardSync(syncSizes));
  for (const f of figures) {
    const n = f.n;
    const repo = await step(`automerge-repo cold catch-up of the same ${k(n)} shard documents`, () => amrepoShardCatchup(n, { timeoutMs: (quick ? 3 : 15) * 60_000 }).catch((err: unknown) => ({ error: String(err) })));
    const r = 'error' in repo ? undefined : repo;
    const repoMs = r && Number.isFinite(r.seconds) ? r.seconds * 1000 : undefined;
    rows.push({
      measure: `${k(n)}: cold catch-up, dial → every shard here`,
      unit: 'ms',
      ours: f.cold.catchUpMs,
      repo: repoMs,
      floor: f.floor.floorMs,
      goal: { text: '≤ 1.5× floor, < automerge-repo', met: f.cold.catchUpMs <= 1.5 * f.floor.floorMs && (repoMs === undefined || f.cold.catchUpMs < repoMs) },
    });
    const repoScreen = r?.firstScreenSeconds !== undefined ? r.firstScreenSeconds * 1000 : undefined;
    rows.push({ measure: `${k(n)}: cold, newest 50 rows listed on the newcomer`, unit: 'ms', ours: f.cold.firstScreenMs, repo: repoScreen, goal: { text: '≤ 2,000', met: f.cold.firstScreenMs <= 2000 } });
    rows.push({ measure: `${k(n)}: cold, bytes to the newcomer`, unit: 'B', ours: f.cold.bytesIn, repo: r?.bytesToB, floor: f.floor.bytes });
    rows.push({ measure: `${k(n)}: cold, bytes from the newcomer`, unit: 'B', ours: f.cold.bytesOut, repo: r?.bytesFromB });
    rows.push({ measure: `${k(n)}: cold, peak RSS of the newcomer`, unit: 'MB', ours: f.cold.peakRssJoin, repo: r?.peakRssB, floor: f.floor.peakRssJoin });
    rows.push({ measure: `${k(n)}: cold, peak RSS of the member it joins`, unit: 'MB', ours: f.cold.peakRssServe, repo: r?.peakRssA });
    rows.push({ measure: `${k(n)}: warm catch-up, 1 % of entries edited (${f.warm.edited})`, unit: 'ms', ours: f.warm.catchUpMs });
    rows.push({ measure: `${k(n)}: warm catch-up, bytes both ways`, unit: 'B', ours: f.warm.bytesIn + f.warm.bytesOut });
    rows.push({ measure: `${k(n)}: in-sync check between two members`, unit: 'ms', ours: f.warm.checkMs, goal: { text: '< 50', met: f.warm.checkMs < 50 } });
    rows.push({ measure: `${k(n)}: in-sync check, bytes both ways`, unit: 'B', ours: f.warm.checkBytes, goal: { text: '< 1,000', met: f.warm.checkBytes < 1000 } });
    if (!r) console.log(`  automerge-repo at ${k(n)}: ${'error' in repo ? repo.error : ''}`);
    else if (!Number.isFinite(r.seconds)) console.log(`  automerge-repo at ${k(n)} did not finish: ${r.note ?? ''}`);
  }
  return rows;
}

/** The extension host in code-server on the fixture of each size: ready, Notes view shown, RSS (bench/extension-shards.ts). */
export async function extensionRows(sizes: readonly number[], step: <T>(what: string, fn: () => Promise<T>) => Promise<T>): Promise<ShardedRow[]> {
  const rows: ShardedRow[] = [];
  for (const n of sizes) {
    const timing = await step(`the extension in code-server on the ${k(n)} sharded space (3 starts)`, () => benchExtensionOnShards(n, 3, (line) => console.error(line)));
    if ('skipped' in timing) {
      console.log(`extension on shards skipped: ${timing.skipped}`);
      return rows;
    }
    const atBig = n === 100_000;
    const ext = (key: keyof ExtensionShardStart) => median(timing.starts.map((s) => s[key]));
    rows.push({ measure: `${k(n)}: extension: node ready after activation`, unit: 'ms', ours: ext('readyMs') });
    rows.push({ measure: `${k(n)}: extension: Notes view shows its first entry, from activation`, unit: 'ms', ours: ext('treeMs'), goal: atBig ? { text: '≤ 1,000', met: ext('treeMs') <= 1000 } : undefined });
    rows.push({ measure: `${k(n)}: extension: Notes view's first entry after the node is ready and the view open`, unit: 'ms', ours: ext('listMs') });
    rows.push({ measure: `${k(n)}: extension host RSS when the Notes view shows`, unit: 'MB', ours: ext('rssAtTree') });
    rows.push({ measure: `${k(n)}: extension host RSS 5 s later`, unit: 'MB', ours: ext('rssSettled') });
    rows.push({
      measure: `${k(n)}: extension host RSS 5 s later, less the same host with no space open`,
      unit: 'MB',
      ours: ext('rssSettled') - timing.rssNoSpace,
      goal: atBig ? { text: '≤ 150 MB', met: ext('rssSettled') - timing.rssNoSpace <= 150e6 } : undefined,
    });
  }
  return rows;
}
