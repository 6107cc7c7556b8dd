/** Temp folders and child processes for the storage tests. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Repo root: children run with it as cwd so `--import tsx` resolves. (Tests compile to CommonJS.) */
export const REPO_ROOT = resolve(__dirname, '../..');
export const FIXTURES = join(__dirname, '..', 'storage', 'fixtures');

export async function makeTempDir(label: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `shared-notes-${label}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a TypeScript fixture in a fresh Node process; `shellPrefix` (e.g. `ulimit -f 64;`) runs first. */
export function runFixture(fixture: string, args: readonly string[], shellPrefix?: string): Promise<ChildResult> {
  const nodeArgs = ['--import', 'tsx', join(FIXTURES, fixture), ...args];
  const child = shellPrefix === undefined
    ? spawn(process.execPath, nodeArgs, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('/bin/sh', ['-c', `${shellPrefix} exec "$0" "$@"`, process.execPath, ...nodeArgs], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

/** The pid of a process that has certainly exited, for stale-lock tests. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const pid = child.pid;
  await new Promise((resolvePromise) => child.on('exit', resolvePromise));
  if (pid === undefined) throw new Error('could not spawn a short-lived process');
  return pid;
}

export function flipBit(bytes: Uint8Array, at: number, bit: number): void {
  bytes[at] = bytes[at]! ^ (1 << bit);
}
