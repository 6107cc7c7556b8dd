/**
 * Start-up from disk and resident memory, each in a fresh process: our CLI peer (dist/cli.js, the
 * built bundle) until its `ready` line, automerge-repo opening the same document from its storage,
 * and the floor (a process that only reads the saved file and runs Automerge.load).
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as amrepo from './amrepo.js';
import { benchSpace, seededFolder, tempFolder } from './ours.js';

export interface Startup {
  /** Spawn until the process says it is ready, ms. */
  ms: number;
  rssBytes: number;
}

const root = join(__dirname, '..');

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
  if (!Number.isFinite(kb)) throw new Error('no VmRSS in /proc status');
  return kb * 1024;
}

/** Spawns `args`, resolves at the first stdout JSON line matching `isReady` (with the child still running). */
export async function spawnUntil(args: string[], isReady: (line: Record<string, unknown>) => boolean, input?: string): Promise<{ ms: number; line: Record<string, unknown>; rssBytes: number }> {
  const start = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const lines = createInterface({ input: child.stdout });
    for await (const text of lines) {
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (!isReady(line)) continue;
      const ms = performance.now() - start;
      const rssBytes = typeof line.rssBytes === 'number' ? line.rssBytes : await rssOf(child.pid!);
      return { ms, line, rssBytes };
    }
    throw new Error(`${args.join(' ')} ended without a ready line (exit ${await exited}): ${stderr.slice(-2000)}`);
  } finally {
    if (input !== undefined && child.exitCode === null) child.stdin.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    if (child.exitCode === null && input === undefined) child.kill('SIGTERM');
    await exited;
    clearTimeout(timer);
  }
}

/** Our CLI peer on a data folder holding `saved`: spawn until `ready` (store loaded, network listening). */
export async function oursStartup(saved: Uint8Array, runs: number): Promise<Startup[]> {
  const space = benchSpace();
  const dir = await seededFolder('startup', space, saved);
  const out: Startup[] = [];
  for (let i = 0; i < runs; i++) {
    const { ms, rssBytes } = await spawnUntil(
      ['dist/cli.js', 'peer', '--data', dir, '--space', space.id, '--json', '--quiet', '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0/ws'],
      (line) => line.type === 'ready',
      'quit\n',
    );
    out.push({ ms, rssBytes });
  }
  return out;
}

/** automerge-repo with NodeFSStorageAdapter holding the same document: spawn until find() gives it. */
export async function repoStartup(saved: Uint8Array, runs: number): Promise<Startup[]> {
  const seed = await amrepo.repoPeer('startup');
  const handle = seed.repo.import(saved);
  await seed.repo.flush();
  await seed.close();
  const out: Startup[] = [];
  for (let i = 0; i < runs; i++) {
    const { ms, rssBytes } = await spawnUntil(['bench/startup-child.mjs', 'repo', seed.dir, handle.url], (line) => typeof line.ready === 'number');
    out.push({ ms, rssBytes });
  }
  return out;
}

/** The floor: a process that reads the saved document and loads it with Automerge, nothing else. */
export async function floorStartup(saved: Uint8Array, runs: number): Promise<Startup[]> {
  const file = join(await tempFolder('floor'), 'space.automerge');
  await writeFile(file, saved);
  const out: Startup[] = [];
  for (let i = 0; i < runs; i++) {
    const { ms, rssBytes } = await spawnUntil(['bench/startup-child.mjs', 'floor', file], (line) => typeof line.ready === 'number');
    out.push({ ms, rssBytes });
  }
  return out;
}
