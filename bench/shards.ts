/**
 * `npm run bench:shards [-- --sizes 1000,10000,100000 --runs 3]`: the sharded space (issue 13
 * part 2) on the realistic fixture at each size, each figure the median of fresh processes
 * (bench/shards-child.ts, bundled by esbuild so nothing is compiled while it is timed). Prints a
 * table and writes bench/results/shards-latest.json. Never asserts: it reports.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleBenchChild } from './bundle.js';
import { copyFixture, shardedSpaceWith, type FixtureInfo } from './realistic-fixture.js';
import { median, printTable } from './table.js';

const root = resolve(__dirname, '..');
const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
};
const sizes = arg('sizes', '1000,10000,100000').split(',').map(Number);
const runs = Number(arg('runs', '3'));

export type Measures = Record<string, number>;

const bundleChild = (): Promise<string> => bundleBenchChild('bench/shards-child.ts', 'shards-child', 'bench-shards');

function runChild(script: string, dir: string): Promise<Measures> {
  const child = spawn(process.execPath, [script, dir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((done, fail) => {
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) fail(new Error(`bench child failed (${code}): ${stderr.slice(-2000)}`));
      else done(JSON.parse(line) as Measures);
    });
  });
}

interface Row {
  measure: string;
  unit: 'ms' | 'MB' | 'n' | 'B';
  bySize: Record<number, number>;
  goal?: string;
}

/** The floor under every start-up figure: an empty Node process printing its clock. */
function nodeBoot(): Promise<{ ms: number; cpuMs: number }> {
  const child = spawn(process.execPath, ['-e', 'const u = process.cpuUsage(); console.log(performance.now(), (u.user + u.system) / 1000)'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  return new Promise((done) =>
    child.on('close', () => {
      const [ms, cpuMs] = stdout.trim().split(' ').map(Number);
      done({ ms: ms!, cpuMs: cpuMs! });
    }),
  );
}

export interface ShardsFigures {
  results: Map<number, { info: FixtureInfo; runs: Measures[] }>;
  boots: { ms: number; cpuMs: number }[];
}

/** Start-up, memory and local ops of the sharded space at each size: `runs` fresh processes each. */
export async function benchShards(sizes: number[], runs: number): Promise<ShardsFigures> {
  const script = await bundleChild();
  const boots: { ms: number; cpuMs: number }[] = [];
  const results = new Map<number, { info: FixtureInfo; runs: Measures[] }>();
  for (const n of sizes) {
    const { dir, info } = await shardedSpaceWith(n, (line) => console.error(line));
    const measured: Measures[] = [];
    for (let r = 0; r < runs; r++) {
      const copy = join(root, '.bench-data', `shards-${n}`);
      await mkdir(join(root, '.bench-data'), { recursive: true });
      await copyFixture(dir, copy);
      measured.push(await runChild(script, copy));
      boots.push(await nodeBoot());
      await rm(copy, { recursive: true, force: true });
    }
    results.set(n, { info, runs: measured });
    console.error(`  ${n}: ${JSON.stringify(measured.at(-1))}`);
  }
  return { results, boots };
}

async function main(): Promise<void> {
  const { results, boots } = await benchShards(sizes, runs);
  const med = (n: number, key: string): number => median(results.get(n)!.runs.map((m) => m[key]!));
  const rows: Row[] = [];
  const add = (measure: string, unit: Row['unit'], value: (n: number) => number, goal?: string) =>
    rows.push({ measure, unit, bySize: Object.fromEntries(sizes.map((n) => [n, value(n)])), ...(goal ? { goal } : {}) });
  add('floor: an empty Node process to its first line', 'ms', () => median(boots.map((b) => b.ms)));
  add('  CPU time', 'ms', () => median(boots.map((b) => b.cpuMs)));
  add('first screen (50 rows) from process start', 'ms', (n) => med(n, 'firstScreenMs'), '≤ 300 at 100k');
  add('  CPU time of the process until then', 'ms', (n) => med(n, 'firstScreenCpuMs'));
  add('whole list (every row decoded) from process start', 'ms', (n) => med(n, 'listMs'));
  add('  CPU time of the process until then', 'ms', (n) => med(n, 'listCpuMs'));
  add('Automerge imported (after the list)', 'ms', (n) => med(n, 'automergeMs'));
  add('  CPU time of the process until then', 'ms', (n) => med(n, 'automergeCpuMs'));
  add('ready: Automerge imported, space open', 'ms', (n) => med(n, 'readyMs'), '≤ 1000 at 100k');
  add('  CPU time of the process until then', 'ms', (n) => med(n, 'readyCpuMs'));
  add("then: WASM warm-up (loads the newest entry's shard)", 'ms', (n) => med(n, 'warmUpMs'));
  add('  CPU time', 'ms', (n) => med(n, 'warmUpCpuMs'));
  add('then: crash check of every shard log (stat, none changed)', 'ms', (n) => med(n, 'recoverMs'));
  add('  CPU time', 'ms', (n) => med(n, 'recoverCpuMs'));
  add('RSS after the list', 'MB', (n) => med(n, 'rssAfterList'));
  add('RSS after start-up', 'MB', (n) => med(n, 'rssAfterStart'), '≤ 150 at 100k');
  add('RSS after a pass over the whole list', 'MB', (n) => med(n, 'rssBeforeOpens'));
  add('RSS after opening 20 entries', 'MB', (n) => med(n, 'rssAfter20'), '≤ 150 at 100k');
  add('open one entry (its shard not loaded), median of 19', 'ms', (n) => med(n, 'openMedianMs'));
  add('  CPU time', 'ms', (n) => med(n, 'openCpuMedianMs'));
  add('open the first entry after the warm-up', 'ms', (n) => med(n, 'openFirstMs'));
  add('edit a body, in memory (document + row), p50', 'ms', (n) => med(n, 'editMemP50Ms'), '≤ 1 at 100k');
  add('  CPU time, p50', 'ms', (n) => med(n, 'editMemCpuP50Ms'));
  add('edit a body, durable (shard log fsync + journal), p50', 'ms', (n) => med(n, 'editDurableP50Ms'));
  add('publish a ~500-character entry into a loaded shard, in memory, p50', 'ms', (n) => med(n, 'publishMemP50Ms'), '≤ 1 at 100k');
  add('  CPU time, p50', 'ms', (n) => med(n, 'publishMemCpuP50Ms'));
  add('publish, durable, p50', 'ms', (n) => med(n, 'publishDurableP50Ms'));
  add("a peer's edit to a shard not loaded: indexed + appended, no load, p50", 'ms', (n) => med(n, 'receiveNoLoadP50Ms'));
  add("  peer edits taken without a load (of those tried)", 'n', (n) => med(n, 'receiveIndexed'));
  add('rows in the index', 'n', (n) => med(n, 'rows'));
  add('shards with a log', 'n', (n) => results.get(n)!.info.shards);
  add('changes stored (3–4 per entry)', 'n', (n) => results.get(n)!.info.changes);
  add('shard logs on disk', 'B', (n) => results.get(n)!.info.shardBytes);
  add('index file', 'B', (n) => results.get(n)!.info.indexBytes);
  const fmt = (x: number, unit: Row['unit']): string =>
    Number.isNaN(x) ? '—' : unit === 'MB' ? (x / 1e6).toFixed(1) : unit === 'B' || unit === 'n' ? Math.round(x).toLocaleString('en') : x < 10 ? x.toFixed(2) : x.toFixed(0);
  printTable(
    `Sharded space, realistic fixture (median of ${runs} fresh processes per size; machine: ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)})`,
    ['measure', 'unit', ...sizes.map((n) => (n >= 1000 ? `${n / 1000}k` : String(n))), 'goal'],
    rows.map((r) => [r.measure, r.unit, ...sizes.map((n) => fmt(r.bySize[n]!, r.unit)), r.goal ?? '']),
  );
  const machine = { node: process.version, cores: cpus().length, cpu: cpus()[0]?.model ?? '', memoryGB: Math.round(totalmem() / 2 ** 30), loadavg: loadavg().map((x) => +x.toFixed(1)) };
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  await writeFile(
    join(root, 'bench', 'results', 'shards-latest.json'),
    `${JSON.stringify({ date: new Date().toISOString(), machine, runs, sizes, rows, raw: Object.fromEntries([...results].map(([n, r]) => [n, r])) }, null, 2)}\n`,
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
