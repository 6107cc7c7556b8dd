/**
 * One writer per store folder, across processes: a `LOCK` file created with O_EXCL holding the
 * owner's pid and host. A lock whose process is gone (crash, SIGKILL, power loss) is taken over.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SharedNotesError, StoreLockedError, StoreWriteError } from '../core/errors.js';
import type { Clock, Logger } from '../core/ports.js';
import { LOCK_ATTEMPTS, LOCK_FILE, STALE_GARBAGE_LOCK_MS } from './constants.js';
import { describeFsError, errorCode } from './durable-files.js';

export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  readonly startedAt: string;
}

export interface HeldLock {
  readonly path: string;
  release(): Promise<void>;
}

type Verdict = { readonly stale: false; readonly message: string } | { readonly stale: true; readonly reason: string };

function parseOwner(raw: Buffer): LockOwner | undefined {
  try {
    const value = JSON.parse(raw.toString('utf8')) as Partial<LockOwner> | null;
    if (typeof value !== 'object' || value === null) return undefined;
    const { pid, hostname: host, startedAt } = value;
    // pid 0 or negative would signal a whole process group in isAlive(), so only accept real pids.
    if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0 || typeof host !== 'string') return undefined;
    return { pid, hostname: host, startedAt: typeof startedAt === 'string' ? startedAt : 'unknown' };
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user. Anything but ESRCH counts as alive,
    // since wrongly taking over a live lock is far worse than refusing a stale one.
    return errorCode(err) !== 'ESRCH';
  }
}

function judge(dir: string, lockPath: string, raw: Buffer, ageMs: number): Verdict {
  const owner = parseOwner(raw);
  if (owner === undefined) {
    if (ageMs < STALE_GARBAGE_LOCK_MS) {
      return { stale: false, message: `${dir} is being opened by another Shared Notes process (its lock file is not written yet)` };
    }
    return { stale: true, reason: `the lock file is unreadable and ${Math.round(ageMs / 1000)} s old` };
  }
  if (owner.hostname !== hostname()) {
    // We cannot see processes on another machine (a shared or synced folder), so never guess.
    return {
      stale: false,
      message: `${dir} is in use by Shared Notes on another computer (${owner.hostname}, pid ${owner.pid}). ` +
        `If that computer is not running Shared Notes, delete ${lockPath}.`,
    };
  }
  // The caller has already checked this process has no store open on the folder, so our own pid
  // here is a leftover from an earlier process that had the same pid (common in containers).
  if (owner.pid !== process.pid && isAlive(owner.pid)) {
    return { stale: false, message: `${dir} is in use by another Shared Notes process (pid ${owner.pid})` };
  }
  return { stale: true, reason: `process ${owner.pid} (started ${owner.startedAt}) is no longer running` };
}

/**
 * Removes the stale lock we judged, unless another process replaced it first. Renaming is atomic,
 * so of several processes racing for the same stale lock only one moves it; comparing the moved
 * bytes with what we judged tells whether we moved the stale lock or a fresh live one.
 */
async function removeStaleLock(dir: string, lockPath: string, judged: Buffer, logger: Logger): Promise<void> {
  const grave = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(lockPath, grave);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return; // someone else removed it; the caller retries
    throw err;
  }
  const moved = await readFile(grave);
  if (moved.equals(judged)) {
    await unlink(grave);
    return;
  }
  try {
    await link(grave, lockPath);
  } catch (err) {
    logger.warn(`could not restore the lock file ${lockPath} moved by mistake: ${describeFsError(err)}`);
  }
  await unlink(grave);
  throw new StoreLockedError(`${dir} is in use by another Shared Notes process (it took over a stale lock at the same moment)`);
}

async function readExisting(lockPath: string, clock: Clock): Promise<{ raw: Buffer; ageMs: number } | undefined> {
  try {
    const [raw, info] = await Promise.all([readFile(lockPath), stat(lockPath)]);
    return { raw, ageMs: clock() - info.mtimeMs };
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined; // released between our failed create and this read
    throw err;
  }
}

/**
 * Takes the lock on `dir` or throws StoreLockedError naming who holds it; a file-system failure
 * (no space left, read-only) is a StoreWriteError naming the folder.
 */
export async function acquireLock(dir: string, logger: Logger, clock: Clock = Date.now): Promise<HeldLock> {
  try {
    return await takeLock(dir, logger, clock);
  } catch (err) {
    if (err instanceof SharedNotesError) throw err;
    throw new StoreWriteError(`could not lock ${dir}: ${describeFsError(err)}`, { cause: err });
  }
}

async function takeLock(dir: string, logger: Logger, clock: Clock): Promise<HeldLock> {
  const lockPath = join(dir, LOCK_FILE);
  const owner: LockOwner = { pid: process.pid, hostname: hostname(), startedAt: new Date(clock()).toISOString() };
  const content = Buffer.from(JSON.stringify(owner));
  for (let attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      try {
        await handle.writeFile(content);
      } catch (err) {
        // An empty LOCK would block every other process for STALE_GARBAGE_LOCK_MS for nothing.
        await handle.close();
        await unlink(lockPath);
        throw err;
      }
      await handle.close();
      return { path: lockPath, release: () => releaseLock(lockPath, content, logger) };
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err;
    }
    const existing = await readExisting(lockPath, clock);
    if (existing === undefined) continue;
    const verdict = judge(dir, lockPath, existing.raw, existing.ageMs);
    if (!verdict.stale) throw new StoreLockedError(verdict.message);
    logger.warn(`taking over the stale lock on ${dir}: ${verdict.reason}`);
    await removeStaleLock(dir, lockPath, existing.raw, logger);
  }
  throw new StoreLockedError(`${dir} is in use: other Shared Notes processes kept taking its lock`);
}

async function releaseLock(lockPath: string, content: Buffer, logger: Logger): Promise<void> {
  let current: Buffer;
  try {
    current = await readFile(lockPath);
  } catch (err) {
    logger.warn(`lock file ${lockPath} vanished before release: ${describeFsError(err)}`);
    return;
  }
  // Never delete a lock that someone else took over (they judged us dead); it is theirs now.
  if (!current.equals(content)) {
    logger.warn(`lock file ${lockPath} was taken over by another process; leaving it`);
    return;
  }
  await unlink(lockPath);
}
