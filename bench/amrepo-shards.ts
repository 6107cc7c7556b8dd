/**
 * automerge-repo 2.5 doing a cold catch-up of the realistic sharded fixture (bench/realistic-
 * fixture.ts), for comparison with our own per-shard sync on the same Automerge documents:
 * one automerge-repo document per shard document (`repo.import(Automerge.save(shard))`, so the
 * same changes and heads) plus one small root document that lists their URLs by shard id and,
 * under `recent`, the URLs of the shards that hold the 50 newest entries (what an app would keep
 * to show its first screen). URLs are stored as ImmutableString (scalars, not text objects).
 *
 * Peer A (bench/amrepo-shards-server.ts) is a fresh process over a private copy of A's storage,
 * built once per size and cached beside the fixture; peer B (bench/amrepo-shards-client.ts) is
 * an empty client that starts once A listens and is given only the root URL. Both are `repoPeer`s
 * of bench/amrepo.ts with automerge-repo's defaults (its 100 ms sync throttle included), each in
 * its own process, bundled by esbuild so that nothing is compiled while they run.
 *
 *   node --import tsx bench/amrepo-shards.ts [--sizes 1000,10000] [--concurrency 64] [--timeout-min 10]
 *
 * (`--concurrency 0`: every shard's `find` at once.) Prints a table; never asserts.
 */
import * as A from '@automerge/automerge';
import { build } from 'esbuild';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { memoryLogger } from '../src/core/logger.js';
import { loadShard } from '../src/core/shards/shard-doc.js';
import { shardOf } from '../src/core/shards/shard-layout.js';
import { FileShardStore } from '../src/storage/shard-store.js';
import { load, repoPeer } from './amrepo.js';
import { cacheDir } from './fixture.js';
import { copyFixture, entryScript, shardedSpaceWith } from './realistic-fixture.js';
import { printTable } from './table.js';

const root = resolve(__dirname, '..');
const STORAGE_VERSION = 1;
/** Entries on the first screen: the newest ones. */
const FIRST_SCREEN_ROWS = 50;
const DEFAULT_CONCURRENCY = 64;

export interface AmrepoShardOptions {
  /**
   * Shard `find`s in flight on B after the first screen (default 64); 0 or Infinity: all at once,
   * which at 10k makes most of them fail: A cannot answer 3,600 requests within automerge-repo's
   * 60 s request timeout, so B marks them unavailable.
   */
  concurrency?: number;
  /** Kill the run after this long (default 10 minutes). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface AmrepoShardResult {
  /** B's process start to every document ready with A's heads; NaN if it did not get there. */
  seconds: number;
  /** B's process start to the root and every shard of the 50 newest entries ready. */
  firstScreenSeconds?: number;
  /** B's process start to its first shard document ready (after the root). */
  firstShardSeconds?: number;
  /** B's process start to its WebSocket peer connected / the root document ready. */
  connectSeconds?: number;
  rootSeconds?: number;
  /** B's process start to B's storage flushed (after `seconds`; not part of it). */
  flushedSeconds?: number;
  /** Counted on A's side of the WebSocket (net.Socket bytesWritten / bytesRead, HTTP upgrade included). */
  bytesToB: number;
  bytesFromB: number;
  peakRssA: number;
  peakRssB: number;
  /** CPU time (user + system) of B until every document was ready, and of A over the whole run. */
  cpuSecondsB?: number;
  cpuSecondsA?: number;
  /** Documents B had to fetch (shards + root) and how many it got. */
  docs: number;
  readyDocs?: number;
  /** A's storage on disk (automerge-repo's NodeFS layout). */
  storageBytesA: number;
  /** 1-minute load average at the start and the end of the run. */
  loadAvg: [number, number];
  note?: string;
}

interface Built {
  n: number;
  rootUrl: string;
  docs: number;
  recentShards: number;
  storageBytes: number;
  buildMs: number;
}

const storageDir = (n: number): string => join(cacheDir(), `amrepo-shards-${n}-v${STORAGE_VERSION}`);

/**
 * A's storage for `n` entries (built once, then read from the cache): every shard document of
 * the fixture imported into an automerge-repo with NodeFS storage, plus the root document.
 * Beside it, `heads.json`: each document's heads by URL (for B's check only).
 */
export async function amrepoShardStorage(n: number, log: (line: string) => void = () => undefined): Promise<{ dir: string; built: Built }> {
  const dir = storageDir(n);
  try {
    return { dir, built: JSON.parse(await readFile(join(dir, 'built.json'), 'utf8')) as Built };
  } catch {
    // not built yet
  }
  const started = performance.now();
  const { dir: fixture } = await shardedSpaceWith(n, log);
  const building = `${dir}.building`;
  await rm(building, { recursive: true, force: true });
  const copy = await mkdtemp(join(tmpdir(), 'sn-bench-amrepo-shards-fixture-'));
  await copyFixture(fixture, copy); // the shard store takes a lock and may repair: never on the shared cache
  const store = await FileShardStore.open(copy, { logger: memoryLogger('warn') });
  const m = await load();
  const peer = await repoPeer('build', { dir: join(building, 'storage') });
  const urls = new Map<string, string>();
  const heads: Record<string, string[]> = {};
  try {
    const shards = [...(await store.states()).keys()].sort();
    for (const shard of shards) {
      const { doc, bad } = loadShard((await store.read(shard)).chunks);
      if (bad > 0) throw new Error(`shard ${shard} of the fixture does not load whole`);
      const want = A.getHeads(doc);
      const handle = peer.repo.import(A.save(doc));
      A.free(doc);
      const got = m.am.getHeads(handle.doc());
      if ([...got].sort().join() !== [...want].sort().join()) throw new Error(`shard ${shard}: imported heads differ`);
      urls.set(shard, handle.url);
      heads[handle.url] = got;
      if (urls.size % 500 === 0) {
        await peer.repo.flush();
        log(`  amrepo storage ${n}: ${urls.size}/${shards.length} shard documents`);
      }
    }
    const recent: string[] = [];
    let rows = 0;
    for (let i = n - 1; i >= 0 && rows < FIRST_SCREEN_ROWS; i--) {
      const s = entryScript(i);
      if (s.deleted) continue;
      rows++;
      const url = urls.get(shardOf(s.id));
      if (url && !recent.includes(url)) recent.push(url);
    }
    const rootHandle = peer.repo.create({
      shards: Object.fromEntries([...urls].map(([shard, url]) => [shard, new m.am.ImmutableString(url)])),
      recent: recent.map((url) => new m.am.ImmutableString(url)),
    });
    heads[rootHandle.url] = m.am.getHeads(rootHandle.doc());
    await peer.repo.flush();
    const built: Built = {
      n,
      rootUrl: rootHandle.url,
      docs: urls.size + 1,
      recentShards: recent.length,
      storageBytes: await duBytes(join(building, 'storage')),
      buildMs: Math.round(performance.now() - started),
    };
    await peer.close();
    await writeFile(join(building, 'heads.json'), JSON.stringify(heads));
    await writeFile(join(building, 'built.json'), JSON.stringify(built));
    await rm(dir, { recursive: true, force: true });
    await rename(building, dir);
    return { dir, built };
  } finally {
    await store.close();
    await rm(copy, { recursive: true, force: true });
  }
}

async function duBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(join(e.parentPath, e.name))).size;
  }
  return total;
}

let bundled: Promise<{ server: string; client: string }> | undefined;
function bundleChildren(): Promise<{ server: string; client: string }> {
  return (bundled ??= (async () => {
    const outdir = join(root, '.tmp', 'bench-amrepo-shards');
    await rm(outdir, { recursive: true, force: true });
    await build({
      absWorkingDir: root,
      entryPoints: { 'amrepo-shards-server': 'bench/amrepo-shards-server.ts', 'amrepo-shards-client': 'bench/amrepo-shards-client.ts' },
      outdir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['@automerge/*', 'ws'],
      logLevel: 'warning',
    });
    return { server: join(outdir, 'amrepo-shards-server.mjs'), client: join(outdir, 'amrepo-shards-client.mjs') };
  })());
}

/** A child's stdout as JSON lines, its stderr's tail, and its end. */
function watch(child: ChildProcess, onLine: (value: Record<string, unknown>) => void) {
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.startsWith('{')) onLine(JSON.parse(line) as Record<string, unknown>);
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('close', (code, signal) => done({ code, signal })));
  return { ended, stderr: () => stderr };
}

/** The last progress line B printed to stderr, if any. */
const lastProgress = (stderr: string): Record<string, number> | undefined => {
  const line = stderr.trim().split('\n').reverse().find((l) => l.startsWith('{"progress"'));
  return line ? (JSON.parse(line) as Record<string, number>) : undefined;
};

interface AStats {
  connections: number;
  unhandledRejections: number;
  bytesToB: number;
  bytesFromB: number;
  peakRss: number;
  cpuMs: number;
  unavailableSent: number;
}

/** One cold catch-up of B from A over the `n`-entry sharded fixture. */
export async function amrepoShardCatchup(n: number, opts: AmrepoShardOptions = {}): Promise<AmrepoShardResult> {
  const log = opts.log ?? (() => undefined);
  const timeoutMs = opts.timeoutMs ?? 10 * 60_000;
  const concurrency = opts.concurrency === undefined ? DEFAULT_CONCURRENCY : opts.concurrency > 0 && Number.isFinite(opts.concurrency) ? opts.concurrency : 0;
  const { dir, built } = await amrepoShardStorage(n, log);
  const { server, client } = await bundleChildren();
  const work = await mkdtemp(join(tmpdir(), 'sn-bench-amrepo-shards-'));
  const loadStart = loadavg()[0]!;
  const notes: string[] = [];
  try {
    await copyFixture(join(dir, 'storage'), join(work, 'a'));
    const a = spawn(process.execPath, [server, join(work, 'a')], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let port: number | undefined;
    let lastTick: (AStats & { tick: number }) | undefined;
    let report: AStats | undefined;
    let onALine = (): void => undefined;
    const aWatch = watch(a, (v) => {
      if (typeof v.port === 'number') port = v.port;
      if (typeof v.tick === 'number') lastTick = v as unknown as AStats & { tick: number };
      if (typeof v.report === 'number') report = v as unknown as AStats;
      onALine();
    });
    /** Until `ready()` or `ms` have passed or A has ended. */
    const untilA = (ready: () => boolean, ms: number): Promise<boolean> =>
      new Promise((done) => {
        const end = (): void => {
          clearTimeout(timer);
          onALine = () => undefined;
          done(ready());
        };
        const timer = setTimeout(end, ms);
        onALine = () => {
          if (ready()) end();
        };
        void aWatch.ended.then(end);
        if (ready()) end();
      });
    try {
      if (!(await untilA(() => port !== undefined, 60_000))) throw new Error(`peer A did not start: ${aWatch.stderr()}`);
      const b = spawn(process.execPath, [client, String(port), built.rootUrl, join(dir, 'heads.json'), join(work, 'b'), String(concurrency)], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let measures: Record<string, unknown> | undefined;
      const bWatch = watch(b, (v) => (measures = v));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        b.kill('SIGKILL');
      }, timeoutMs);
      const bEnd = await bWatch.ended;
      clearTimeout(timer);
      log(`  B (${n}): ${JSON.stringify(measures ?? lastProgress(bWatch.stderr()) ?? {})}`);
      // A's own figures once B is done; if A is too busy to answer within a minute, its last tick.
      a.stdin!.write('report\n');
      if (!(await untilA(() => report !== undefined, 60_000))) notes.push(`A answered no report within 60 s: its figures are from its last tick, ${lastTick ? `${(lastTick.tick / 1000).toFixed(0)} s after it started` : 'none'}`);
      const aStats = report ?? lastTick;
      log(`  A (${n}): ${JSON.stringify(aStats ?? {})}`);
      a.stdin!.end('exit\n');
      const shut = setTimeout(() => a.kill('SIGKILL'), 30_000);
      await aWatch.ended;
      clearTimeout(shut);

      const sec = (key: string): number | undefined => (typeof measures?.[key] === 'number' ? (measures[key] as number) / 1000 : undefined);
      const num = (key: string): number | undefined => (typeof measures?.[key] === 'number' ? (measures[key] as number) : undefined);
      const partial = lastProgress(bWatch.stderr());
      const finished = !timedOut && bEnd.code === 0 && measures !== undefined;
      if (timedOut) notes.push(`did not finish in ${Math.round(timeoutMs / 60_000)} min (${partial ? `${partial.progress} of ${partial.of} documents ready, ${partial.unavailable} finds rejected, ${partial.disconnects} disconnects` : 'no progress line'})`);
      else if (!measures || bEnd.code !== 0) notes.push(`B failed (code ${bEnd.code}, signal ${bEnd.signal}): ${bWatch.stderr().slice(-600)}`);
      const unhandled = Number(measures?.unhandledRejections ?? partial?.unhandled ?? 0) + (aStats?.unhandledRejections ?? 0);
      if (unhandled > 0) notes.push(`${unhandled} unhandled promise rejections inside automerge-repo (B ${Number(measures?.unhandledRejections ?? partial?.unhandled ?? 0)}, A ${aStats?.unhandledRejections ?? 0}), counted instead of ending the process`);
      if (measures?.unavailable) {
        const waited = `${((measures.failWaitedMinMs as number) / 1000).toFixed(0)}–${((measures.failWaitedMaxMs as number) / 1000).toFixed(0)} s`;
        notes.push(
          `${String(measures.unavailable)} of ${built.docs} finds rejected as unavailable after ${waited}, ready later (A sent ${aStats?.unavailableSent ?? '?'} "doc-unavailable"; B's connection dropped ${String(measures.disconnects)} times)`,
        );
      }
      return {
        seconds: finished ? sec('allMs')! : NaN,
        firstScreenSeconds: sec('firstScreenMs'),
        firstShardSeconds: sec('firstShardMs'),
        connectSeconds: sec('connectMs'),
        rootSeconds: sec('rootMs'),
        flushedSeconds: sec('flushedMs'),
        bytesToB: aStats?.bytesToB ?? num('clientBytesRead') ?? NaN,
        bytesFromB: aStats?.bytesFromB ?? num('clientBytesWritten') ?? NaN,
        peakRssA: aStats?.peakRss ?? NaN,
        peakRssB: num('peakRss') ?? NaN,
        cpuSecondsB: sec('allCpuMs'),
        cpuSecondsA: aStats ? aStats.cpuMs / 1000 : undefined,
        docs: built.docs,
        readyDocs: num('ready') ?? partial?.progress,
        storageBytesA: built.storageBytes,
        loadAvg: [loadStart, loadavg()[0]!],
        ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
      };
    } finally {
      if (a.exitCode === null && a.signalCode === null) a.kill('SIGKILL');
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const arg = (name: string, fallback: string): string => {
    const at = process.argv.indexOf(`--${name}`);
    return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
  };
  const sizes = arg('sizes', '1000,10000').split(',').map(Number);
  const concurrency = Number(arg('concurrency', String(DEFAULT_CONCURRENCY)));
  const timeoutMs = Number(arg('timeout-min', '10')) * 60_000;
  const results = new Map<number, AmrepoShardResult>();
  for (const n of sizes) {
    const r = await amrepoShardCatchup(n, { concurrency, timeoutMs, log: (line) => console.error(line) });
    results.set(n, r);
    console.error(`  ${n}: ${JSON.stringify(r)}`);
  }
  const s = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(2));
  const mb = (x: number): string => (Number.isNaN(x) ? '—' : (x / 1e6).toFixed(1));
  const rows: [string, (r: AmrepoShardResult) => string][] = [
    ['documents (shards + root)', (r) => String(r.docs)],
    ['B: connected, from process start (s)', (r) => s(r.connectSeconds)],
    ['B: root ready (s)', (r) => s(r.rootSeconds)],
    ['B: first shard ready (s)', (r) => s(r.firstShardSeconds)],
    [`B: first screen: root + shards of the ${FIRST_SCREEN_ROWS} newest entries (s)`, (r) => s(r.firstScreenSeconds)],
    ['B: every document ready, same heads as A (s)', (r) => s(r.seconds)],
    ["B: then its storage flushed (s)", (r) => s(r.flushedSeconds)],
    ['bytes A → B (MB)', (r) => mb(r.bytesToB)],
    ['bytes B → A (MB)', (r) => mb(r.bytesFromB)],
    ['CPU time of B until then / of A, whole run (s)', (r) => `${s(r.cpuSecondsB)} / ${s(r.cpuSecondsA)}`],
    ['peak RSS A (MB)', (r) => mb(r.peakRssA)],
    ['peak RSS B (MB)', (r) => mb(r.peakRssB)],
    ["A's storage on disk (MB)", (r) => mb(r.storageBytesA)],
    ['load average, start → end', (r) => `${r.loadAvg[0].toFixed(1)}→${r.loadAvg[1].toFixed(1)}`],
  ];
  printTable(
    `automerge-repo 2.5.6 cold catch-up of the sharded fixture (one run per size; ${concurrency > 0 ? `${concurrency} finds in flight` : 'all finds at once'}; ${cpus().length} cores)`,
    ['measure', ...sizes.map((n) => (n >= 1000 ? `${n / 1000}k` : String(n)))],
    rows.map(([label, f]) => [label, ...sizes.map((n) => f(results.get(n)!))]),
  );
  for (const [n, r] of results) if (r.note) console.log(`${n}: ${r.note}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
