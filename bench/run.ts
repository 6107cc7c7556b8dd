/**
 * `npm run bench`: every figure of ours next to the same work done by automerge-repo and next
 * to the physical floor, all measured in this run, printed as one table (plus a detail table of
 * local operations). `--quick` uses smaller sizes and skips the editor. Never asserts: it reports.
 */
import { cpus, totalmem } from 'node:os';
import { benchExtension } from './extension-timing.js';
import { spaceWith, withoutLast } from './fixture.js';
import { benchLocalOps } from './local-ops.js';
import { removeTempFolders } from './ours.js';
import { floorStartup, oursStartup, repoStartup, type Startup } from './startup.js';
import * as sync from './sync.js';
import { median, printTable } from './table.js';

type Unit = 'ms' | 'B' | 'MB';
interface Row {
  measure: string;
  unit: Unit;
  ours: number;
  repo?: number;
  floor?: number;
  goal?: { text: string; met: boolean };
}

const rows: Row[] = [];
const fmt = (x: number | undefined, unit: Unit): string => {
  if (x === undefined || Number.isNaN(x)) return '—';
  if (unit === 'B') return x.toLocaleString('en');
  if (unit === 'MB') return (x / 1e6).toFixed(1);
  return x < 10 ? x.toFixed(2) : x.toFixed(0);
};
const ratio = (a: number, b: number | undefined): string => (b === undefined || !b ? '—' : `${(a / b).toFixed(2)}×`);
const k = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));

function print(): void {
  printTable(
    'Shared Notes vs automerge-repo vs floor (same machine, same run; lower is better)',
    ['measure', 'unit', 'ours', 'automerge-repo', 'floor', 'ours/am-repo', 'ours/floor', 'goal', 'met'],
    rows.map((r) => [
      r.measure,
      r.unit,
      fmt(r.ours, r.unit),
      fmt(r.repo, r.unit),
      fmt(r.floor, r.unit),
      ratio(r.ours, r.repo),
      ratio(r.ours, r.floor),
      r.goal?.text ?? '',
      r.goal ? (r.goal.met ? 'yes' : 'NO') : '',
    ]),
  );
}

async function step<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  process.stdout.write(`… ${what}`);
  const result = await fn();
  process.stdout.write(` (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
  return result;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const ops = quick ? 50 : 200;
  const catchUpSizes = quick ? [1_000, 10_000] : [10_000, 100_000];
  const localSizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  const big = catchUpSizes.at(-1)!;
  console.log(`Shared Notes benchmarks — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString()}${quick ? ' (quick)' : ''}`);

  for (const n of new Set([1_000, ...catchUpSizes, ...localSizes])) await step(`fixture of ${k(n)} entries (cached after the first build)`, () => spaceWith(n));

  const live = await spaceWith(1_000);
  const changeBytes = sync.publishChangeBytes(live);
  const floorLive = await step('loopback round trips', () => sync.liveFloor(changeBytes, ops));
  for (const peers of [2, 5]) {
    const ours = await step(`our live propagation, ${peers} peers`, () => sync.oursLive(peers, ops, live));
    const repo = await step(`automerge-repo live propagation, ${peers} peers`, () => sync.repoLive(peers, ops, live));
    const where = peers === 2 ? 'A → B' : 'A → E, 5-peer line';
    rows.push({ measure: `live ${where}, p50 (${ops} ops)`, unit: 'ms', ours: ours.p50, repo: repo.p50, floor: floorLive.p50, goal: peers === 2 ? { text: '≤ 5', met: ours.p50 <= 5 } : undefined });
    rows.push({ measure: `live ${where}, p99`, unit: 'ms', ours: ours.p99, repo: repo.p99, floor: floorLive.p99, goal: peers === 2 ? { text: '≤ 25', met: ours.p99 <= 25 } : undefined });
  }

  for (const n of catchUpSizes) {
    const full = await spaceWith(n);
    const floor = await step(`cold floor ${k(n)}`, () => sync.coldFloor(full));
    const ours = await step(`our cold catch-up ${k(n)}`, () => sync.oursCatchUp(full));
    const repo = await step(`automerge-repo cold catch-up ${k(n)}`, () => sync.repoCatchUp(full));
    rows.push({ measure: `cold catch-up ${k(n)} entries, time`, unit: 'ms', ours: ours.ms, repo: repo.ms, floor: floor.ms, goal: { text: '≤ 1.5× floor, < am-repo', met: ours.ms <= 1.5 * floor.ms && ours.ms < repo.ms } });
    rows.push({ measure: `cold catch-up ${k(n)}, bytes to the new peer`, unit: 'B', ours: ours.down, repo: repo.down, floor: floor.down });
    rows.push({ measure: `cold catch-up ${k(n)}, bytes from the new peer`, unit: 'B', ours: ours.up, repo: repo.up });
    const have = withoutLast(full, Math.max(1, Math.round(n / 100)));
    const wFloor = await step(`warm floor ${k(n)}`, () => sync.warmFloor(full, have));
    const wOurs = await step(`our warm catch-up ${k(n)}`, () => sync.oursCatchUp(full, have));
    const wRepo = await step(`automerge-repo warm catch-up ${k(n)}`, () => sync.repoCatchUp(full, have));
    rows.push({ measure: `warm catch-up ${k(n)} (last 1% missing), time`, unit: 'ms', ours: wOurs.ms, repo: wRepo.ms, floor: wFloor.ms });
    rows.push({ measure: `warm catch-up ${k(n)}, bytes each way`, unit: 'B', ours: wOurs.down + wOurs.up, repo: wRepo.down + wRepo.up, floor: wFloor.down });
    await removeTempFolders();
  }

  const local = await step('local operations', () => benchLocalOps(localSizes, quick ? 100 : 200));
  for (const f of local) {
    rows.push({ measure: `local publish at ${k(f.entries)}, p50 (in memory)`, unit: 'ms', ours: f.ours, repo: f.repo, floor: f.floor, goal: f.entries === 100_000 ? { text: '≤ 1', met: f.ours <= 1 } : undefined });
    rows.push({ measure: `local publish at ${k(f.entries)}, p50 with fsync`, unit: 'ms', ours: f.oursDisk });
  }

  const saved = await spaceWith(big);
  const runs = 3;
  const mid = (xs: Startup[], key: keyof Startup) => median(xs.map((x) => x[key]));
  const oursStart = await step(`start-up at ${k(big)} (CLI peer)`, () => oursStartup(saved, runs));
  const repoStart = await step(`start-up at ${k(big)} (automerge-repo)`, () => repoStartup(saved, runs));
  const floorStart = await step(`start-up at ${k(big)} (floor)`, () => floorStartup(saved, runs));
  rows.push({ measure: `start-up from disk at ${k(big)}, to ready (median of ${runs})`, unit: 'ms', ours: mid(oursStart, 'ms'), repo: mid(repoStart, 'ms'), floor: mid(floorStart, 'ms'), goal: big === 100_000 ? { text: '≤ 1000', met: mid(oursStart, 'ms') <= 1000 } : undefined });
  rows.push({ measure: `RSS at ${k(big)} after start-up`, unit: 'MB', ours: mid(oursStart, 'rssBytes'), repo: mid(repoStart, 'rssBytes'), floor: mid(floorStart, 'rssBytes') });
  await removeTempFolders();

  if (!quick) {
    const ext = await step('extension in code-server (3 starts)', () => benchExtension());
    if ('skipped' in ext) console.log(`extension timing skipped: ${ext.skipped}`);
    else {
      rows.push({ measure: 'extension activate() returns (median of 3)', unit: 'ms', ours: median(ext.activateMs), goal: { text: '≤ 50', met: median(ext.activateMs) <= 50 } });
      rows.push({ measure: 'extension node ready after activation (median)', unit: 'ms', ours: median(ext.readyMs) });
      rows.push({ measure: 'VSIX size', unit: 'B', ours: ext.vsixBytes, goal: { text: '≤ 3 MB', met: ext.vsixBytes <= 3 * 1024 * 1024 } });
    }
  }
  print();
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => void removeTempFolders().then(() => process.exit()));
