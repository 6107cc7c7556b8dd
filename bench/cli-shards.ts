/**
 * The product's start-up on the realistic sharded fixture: the built CLI peer (dist/cli.js) on a
 * data folder holding that space, spawned until its `ready` line (the list usable, the network
 * listening), its RSS then, 20 entries of 20 different shards opened with `show` (each a round trip
 * through the peer's stdin: the shard is loaded), the RSS after, and `ls` (the whole list as
 * JSON), then the first `search` (which waits for the search index: every shard read once, after
 * start-up) and the RSS after it. What bench/shards.ts measures on ShardedSpace alone, here through everything the peer
 * starts (identity, libp2p, the drafts log, the search index).
 */
import { spawn } from 'node:child_process';
import { cp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { memoryLogger } from '../src/core/logger.js';
import { readStoredIndex } from '../src/core/shards/read-index.js';
import { DataFolder } from '../src/storage/data-folder.js';
import { FileIndexStore } from '../src/storage/read-index-store.js';
import { benchSpace, tempFolder } from './ours.js';
import { copyFixture, shardedSpaceWith } from './realistic-fixture.js';
import { median } from './table.js';

const root = join(__dirname, '..');

export interface CliShardRun {
  readyMs: number;
  rssAtReady: number;
  showMedianMs: number;
  rssAfter20: number;
  lsMs: number;
  lsRows: number;
  /** The first `search` (it waits for the search index, built shard by shard after start). */
  searchMs: number;
  rssAfterSearch: number;
}

export async function rssOf(pid: number): Promise<number> {
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`no VmRSS for process ${pid}`);
  return kb * 1024;
}

/** A data folder whose one space holds the realistic sharded fixture of `n` entries. */
async function productFolder(n: number): Promise<{ dir: string; spaceId: string; ids: string[] }> {
  const { dir: fixture } = await shardedSpaceWith(n, (line) => console.error(line));
  const dir = await tempFolder(`cli-shards-${n}`);
  const space = benchSpace();
  const folder = await DataFolder.open(dir, memoryLogger('warn'));
  await folder.saveSpace(space);
  const spaceDir = folder.spaceDir(space.id);
  await cp(join(fixture, 'shards'), join(spaceDir, 'shards'), { recursive: true, preserveTimestamps: true });
  for (const file of ['index', 'index.journal']) await cp(join(fixture, file), join(spaceDir, file), { preserveTimestamps: true }).catch(() => undefined);
  // Twenty published entries of twenty different shards, spread over the list.
  const logger = memoryLogger('warn');
  const { index } = await readStoredIndex(new FileIndexStore(spaceDir, logger), logger);
  const byShard = new Map<string, string>();
  for (const row of index.rows()) if (row.state === 'published' && !byShard.has(row.id.slice(0, 3))) byShard.set(row.id.slice(0, 3), row.id);
  const ids = [...byShard.values()];
  const step = Math.max(1, Math.floor(ids.length / 20));
  return { dir, spaceId: space.id, ids: ids.filter((_, i) => i % step === 0).slice(0, 20) };
}

/** One fresh CLI peer on a copy of `dir`: ready, RSS, 20 shows, RSS, ls; then quit. */
async function oneRun(dir: string, spaceId: string, ids: readonly string[]): Promise<CliShardRun> {
  const copy = `${dir}-run`;
  await copyFixture(dir, copy);
  const started = performance.now();
  const child = spawn(process.execPath, ['dist/cli.js', 'peer', '--data', copy, '--space', spaceId, '--json', '--quiet', '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0/ws'], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (want: (l: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => {
    for (;;) {
      const { value, done } = await lines.next();
      if (done) throw new Error(`the CLI peer ended (exit ${await exited}): ${stderr.slice(-2000)}`);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(value as string) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (line.type === 'error') throw new Error(`the CLI peer answered an error: ${JSON.stringify(line)}`);
      if (want(line)) return line;
    }
  };
  const command = async (text: string): Promise<{ ms: number; line: Record<string, unknown> }> => {
    const t = performance.now();
    child.stdin.write(`${text}\n`);
    const line = await next((l) => l.type === 'result');
    return { ms: performance.now() - t, line };
  };
  try {
    await next((l) => l.type === 'ready');
    const readyMs = performance.now() - started;
    const rssAtReady = await rssOf(child.pid!);
    const shows: number[] = [];
    for (const id of ids) shows.push((await command(`show ${id}`)).ms);
    const rssAfter20 = await rssOf(child.pid!);
    const ls = await command('ls');
    const lsRows = (ls.line.entries as unknown[] | undefined)?.length ?? 0;
    const search = await command('search soup');
    const rssAfterSearch = await rssOf(child.pid!);
    return { readyMs, rssAtReady, showMedianMs: median(shows), rssAfter20, lsMs: ls.ms, lsRows, searchMs: search.ms, rssAfterSearch };
  } finally {
    if (child.exitCode === null) child.stdin.end('quit\n');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
    await rm(copy, { recursive: true, force: true });
  }
}

/** `runs` fresh CLI peers on the realistic sharded space of `n` entries. */
export async function cliOnShards(n: number, runs: number): Promise<CliShardRun[]> {
  const { dir, spaceId, ids } = await productFolder(n);
  const out: CliShardRun[] = [];
  for (let r = 0; r < runs; r++) out.push(await oneRun(dir, spaceId, ids));
  console.error(`  CLI peer at ${n}: ${JSON.stringify(out.at(-1))}`);
  return out;
}
