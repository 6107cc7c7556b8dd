/**
 * `npm run bench:shard-sync [-- --sizes 10000,100000]`: catch-up between two members of a sharded
 * space over libp2p on loopback (issue 13), each member its own process (bench/shard-sync-child.ts,
 * bundled by esbuild so nothing is compiled while timed), on the realistic fixture:
 * - cold: a newcomer with an empty folder catches up from a member holding the space;
 * - warm: a member holding the fixture catches up after the other edited 1 % of the entries;
 * - the in-sync check: one more conversation between the two, once in sync;
 * - floor: every shard's stored bytes on a plain TCP socket on loopback, each loaded by the receiver.
 * Prints a table and writes bench/results/shard-sync-latest.json. Never asserts: it reports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleBenchChild } from './bundle.js';
import { copyFixture, shardedSpaceWith, type FixtureInfo } from './realistic-fixture.js';
import { printTable } from './table.js';

const root = resolve(__dirname, '..');

export const bundleShardSyncChild = (): Promise<string> => bundleBenchChild('bench/shard-sync-child.ts', 'shard-sync-child', 'bench-shard-sync', { withRequire: true });

type Json = Record<string, unknown>;

/** A child whose stdout lines are JSON objects: `next()` resolves with the next one. */
function child(script: string, args: string[]): { proc: ChildProcess; next(): Promise<Json>; done: Promise<number> } {
  // BENCH_PROFILE=<folder>: a CPU profile of every child (node --cpu-prof) lands there.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`, `--cpu-prof-name=${args[0]}-${Date.now()}.cpuprofile`] : [];
  const proc = spawn(process.execPath, [...profile, script, ...args], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: Json[] = [];
  const waiting: ((j: Json) => void)[] = [];
  let buffer = '';
  let stderr = '';
  proc.stdout!.on('data', (c: Buffer) => {
    buffer += c.toString();
    for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
      const line = buffer.slice(0, at).trim();
      buffer = buffer.slice(at + 1);
      if (!line.startsWith('{')) continue;
      const json = JSON.parse(line) as Json;
      const w = waiting.shift();
      if (w) w(json);
      else lines.push(json);
    }
  });
  proc.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
    if (process.env.BENCH_TRACE) process.stderr.write(c);
  });
  const done = new Promise<number>((resolveDone) => proc.on('close', (code) => resolveDone(code ?? -1)));
  return {
    proc,
    done,
    next: () =>
      lines.length > 0
        ? Promise.resolve(lines.shift()!)
        : new Promise<Json>((ok, fail) => {
            waiting.push(ok);
            void done.then((code) => fail(new Error(`bench child ${args[0]} exited (${code}): ${stderr.slice(-3000)}`)));
          }),
  };
}

export interface CatchUp {
  /** From dialing to the last turn. */
  catchUpMs: number;
  firstScreenMs: number;
  connectMs: number;
  bytesIn: number;
  bytesOut: number;
  turns: number;
  differing: number;
  savedIn: number;
  inSync: boolean;
  checkMs: number;
  checkBytes: number;
  checkInSync: boolean;
  rows: number;
  peakRssJoin: number;
  peakRssServe: number;
  edited: number;
}

async function scratch(label: string): Promise<string> {
  await mkdir(join(root, '.bench-data'), { recursive: true });
  return mkdtemp(join(root, '.bench-data', `${label}-`));
}

/** One catch-up: a serving member over a copy of the fixture (after editing `fraction` of it), a joining one over `joinFrom` (empty: cold). */
export async function catchUp(script: string, fixture: string, fraction: number, joinWithFixture: boolean): Promise<CatchUp> {
  const serveDir = await scratch('serve');
  const joinDir = await scratch('join');
  await copyFixture(fixture, serveDir);
  if (joinWithFixture) await copyFixture(fixture, joinDir);
  const serve = child(script, ['serve', serveDir, String(fraction)]);
  try {
    const ready = await serve.next();
    const join = child(script, ['join', joinDir, String(ready.addr), JSON.stringify(ready.firstIds)]);
    const joined = await join.next();
    serve.proc.stdin!.write('stop\n');
    const served = await serve.next();
    await Promise.all([serve.done, join.done]);
    if (joined.rows !== ready.rows) throw new Error(`the newcomer lists ${String(joined.rows)} rows, the member ${String(ready.rows)}`);
    return { ...(joined as unknown as CatchUp), peakRssJoin: joined.peakRss as number, peakRssServe: served.peakRss as number, edited: ready.edited as number };
  } finally {
    serve.proc.kill('SIGKILL');
    await rm(serveDir, { recursive: true, force: true });
    await rm(joinDir, { recursive: true, force: true });
  }
}

export interface Floor {
  floorMs: number;
  bytes: number;
  shards: number;
  peakRssJoin: number;
}

export async function floor(script: string, fixture: string): Promise<Floor> {
  const dir = await scratch('floor');
  await copyFixture(fixture, dir);
  const serve = child(script, ['floor-serve', dir]);
  try {
    const ready = await serve.next();
    const join = child(script, ['floor-join', String(ready.port)]);
    const joined = await join.next();
    serve.proc.stdin!.write('stop\n');
    await serve.next();
    return { floorMs: joined.floorMs as number, bytes: joined.bytes as number, shards: joined.shards as number, peakRssJoin: joined.peakRss as number };
  } finally {
    serve.proc.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}

export interface ShardSyncFigures {
  n: number;
  info: FixtureInfo;
  cold: CatchUp;
  warm: CatchUp;
  floor: Floor;
}

export async function benchShardSync(sizes: number[], log: (line: string) => void = () => undefined): Promise<ShardSyncFigures[]> {
  const script = await bundleShardSyncChild();
  const out: ShardSyncFigures[] = [];
  for (const n of sizes) {
    const { dir, info } = await shardedSpaceWith(n, log);
    const fl = await floor(script, dir);
    log(`  ${n}: floor ${Math.round(fl.floorMs)} ms`);
    const cold = await catchUp(script, dir, 0, false);
    log(`  ${n}: cold ${Math.round(cold.catchUpMs)} ms, first screen ${Math.round(cold.firstScreenMs)} ms (turns ended at ${String((cold as unknown as { turnTimes: number[] }).turnTimes)} ms)`);
    const warm = await catchUp(script, dir, 0.01, true);
    log(`  ${n}: warm ${Math.round(warm.catchUpMs)} ms (${warm.edited} edited), in-sync check ${warm.checkMs.toFixed(1)} ms / ${warm.checkBytes} B`);
    out.push({ n, info, cold, warm, floor: fl });
  }
  return out;
}

const mb = (x: number) => (x / 1e6).toFixed(1);
const ms = (x: number) => (Number.isNaN(x) ? '—' : x < 10 ? x.toFixed(1) : Math.round(x).toLocaleString('en'));

async function main(): Promise<void> {
  const at = process.argv.indexOf('--sizes');
  const sizes = (at >= 0 ? process.argv[at + 1]! : '10000,100000').split(',').map(Number);
  const figures = await benchShardSync(sizes, (l) => console.error(l));
  const rows: string[][] = [];
  const label = (n: number) => `${n / 1000}k`;
  for (const f of figures) {
    const k = label(f.n);
    rows.push([`cold catch-up ${k}: dial → in sync`, 'ms', ms(f.cold.catchUpMs), ms(f.floor.floorMs), `${(f.cold.catchUpMs / f.floor.floorMs).toFixed(2)}×`, '≤ 1.5× floor']);
    rows.push([`  first screen (newest 50 rows) on the newcomer`, 'ms', ms(f.cold.firstScreenMs), '', '', '≤ 2,000']);
    rows.push([`  of which: the dial (connection and protocol)`, 'ms', ms(f.cold.connectMs), '', '', '']);
    rows.push([`  bytes to the newcomer / from it`, 'B', `${f.cold.bytesIn.toLocaleString('en')} / ${f.cold.bytesOut.toLocaleString('en')}`, f.floor.bytes.toLocaleString('en'), `${(f.cold.bytesIn / f.floor.bytes).toFixed(2)}×`, '']);
    rows.push([`  peak RSS newcomer / member`, 'MB', `${mb(f.cold.peakRssJoin)} / ${mb(f.cold.peakRssServe)}`, mb(f.floor.peakRssJoin), '', '']);
    rows.push([`  turns / shards taken whole`, 'n', `${f.cold.turns} / ${f.cold.savedIn}`, String(f.floor.shards), '', '']);
    rows.push([`warm catch-up ${k} (1 % of entries edited: ${f.warm.edited})`, 'ms', ms(f.warm.catchUpMs), '', '', '']);
    rows.push([`  bytes each way (in / out)`, 'B', `${f.warm.bytesIn.toLocaleString('en')} / ${f.warm.bytesOut.toLocaleString('en')}`, '', '', '']);
    rows.push([`  shards that differed / turns`, 'n', `${f.warm.differing} / ${f.warm.turns}`, '', '', '']);
    rows.push([`in-sync check ${k} (both ways)`, 'ms', ms(f.warm.checkMs), '', '', '< 50']);
    rows.push([`  bytes (both ways)`, 'B', f.warm.checkBytes.toLocaleString('en'), '', '', '< 1,000']);
  }
  printTable(`Sharded catch-up over libp2p on loopback (machine: ${cpus().length} cores, ${Math.round(totalmem() / 1e9)} GB, load ${loadavg()[0]!.toFixed(1)})`, ['measure', 'unit', 'ours', 'floor', 'ours / floor', 'goal'], rows);
  await mkdir(join(root, 'bench', 'results'), { recursive: true });
  await writeFile(join(root, 'bench', 'results', 'shard-sync-latest.json'), `${JSON.stringify({ machine: { cores: cpus().length, load: loadavg()[0] }, figures }, null, 2)}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
