/**
 * The few file operations whose ordering makes the store crash-safe: write a sibling temp file,
 * fsync it, rename it over the target, fsync the folder so the rename itself survives power loss.
 */
import { constants as fsConstants } from 'node:fs';
import { copyFile, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { SharedNotesError, StoreWriteError } from '../core/errors.js';
import type { Logger } from '../core/ports.js';
import { TMP_SUFFIX } from './constants.js';

const FRIENDLY_CODES: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'the file is larger than this system allows',
  EROFS: 'the folder is on a read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error (the disk may be failing)',
  ENOENT: 'the file or folder no longer exists',
  EISDIR: 'a folder is in the way of the file',
  EBADF: 'the file was closed underneath the store',
};

export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Human wording for an fs error: "no space left on device" rather than "ENOSPC: ...". */
export function describeFsError(err: unknown): string {
  const code = errorCode(err);
  if (code !== undefined && FRIENDLY_CODES[code] !== undefined) return FRIENDLY_CODES[code];
  return err instanceof Error ? err.message : String(err);
}

/** Makes a rename or a file creation in `dir` durable. */
export async function fsyncDir(dir: string, logger: Logger): Promise<void> {
  // Windows cannot open a folder for fsync; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    // Some file systems (certain network and FUSE mounts) reject fsync on folders; the rename
    // is still done, only its durability across power loss is up to that file system.
    if (errorCode(err) !== 'EINVAL' && errorCode(err) !== 'ENOTSUP') throw err;
    logger.debug(`folder fsync not supported for ${dir}: ${describeFsError(err)}`);
  } finally {
    await handle.close();
  }
}

/** Writes all of `bytes` at `position`, looping over short writes (a nearly full disk gives those). */
export async function writeFully(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    if (bytesWritten === 0) throw new Error(`write made no progress at offset ${position + done}`);
    done += bytesWritten;
  }
}

/**
 * Atomically replaces `dir/name` with `bytes` and returns a handle open on the new file (the
 * caller closes it), so a log writer can go on appending to exactly the file it created.
 * `mode` (default 0o666, less the umask) is the file's mode from its creation on: the temp file
 * is always created afresh (a leftover is removed first, since opening it would keep its mode),
 * so a secret written with 0o600 is never readable by others, not even for a moment.
 */
export async function replaceFileDurably(dir: string, name: string, bytes: Uint8Array, logger: Logger, mode = 0o666, syncFolder = true): Promise<FileHandle> {
  const target = join(dir, name);
  const tmp = target + TMP_SUFFIX;
  // Usually there is no leftover temp file: created at once (a failed unlink first cost ~0.2 ms of
  // error building per file, measured when a catch-up writes thousands of shards).
  const handle = await open(tmp, 'wx+', mode).catch(async (err: unknown) => {
    if (errorCode(err) !== 'EEXIST') throw err;
    await unlink(tmp);
    return open(tmp, 'wx+', mode);
  });
  try {
    await writeFully(handle, bytes, 0);
    await handle.sync();
    await rename(tmp, target);
  } catch (err) {
    await handle.close();
    // On a full disk the half-written temp file holds exactly the space the user needs back.
    await unlink(tmp).catch((unlinkErr: unknown) => logger.warn(`could not remove ${tmp}: ${describeFsError(unlinkErr)}`));
    throw err;
  }
  try {
    if (syncFolder) await fsyncDir(dir, logger);
  } catch (err) {
    await handle.close();
    throw err;
  }
  return handle;
}

/** `replaceFileDurably`, closed. `syncFolder` false: the caller fsyncs `dir` (once for several files) before relying on the rename. */
export async function writeFileDurably(dir: string, name: string, bytes: Uint8Array, logger: Logger, mode?: number, syncFolder = true): Promise<void> {
  const handle = await replaceFileDurably(dir, name, bytes, logger, mode, syncFolder);
  await handle.close();
}

/** `log.corrupt-2025-01-31T10-20-30-123Z`: sortable, and legal on Windows (no colons). */
function asideName(name: string, attempt: number): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return `${name}.corrupt-${stamp}${attempt === 0 ? '' : `-${attempt}`}`;
}

/** Finds an unused aside name and hands it to `place`, which must fail with EEXIST if taken. */
async function placeAside(name: string, place: (asideName: string) => Promise<void>): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const candidate = asideName(name, attempt);
    try {
      await place(candidate);
      return candidate;
    } catch (err) {
      if (errorCode(err) !== 'EEXIST' || attempt >= 100) throw err;
    }
  }
}

/** Copies a damaged file aside (durably) before it is rewritten; returns the copy's path. */
export async function copyAside(dir: string, name: string, logger: Logger): Promise<string> {
  const aside = await placeAside(name, (candidate) => copyFile(join(dir, name), join(dir, candidate), fsConstants.COPYFILE_EXCL));
  const handle = await open(join(dir, aside), 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsyncDir(dir, logger);
  return join(dir, aside);
}

/** Moves a damaged file aside under a fresh name; returns its new path. */
export async function moveAside(dir: string, name: string, logger: Logger): Promise<string> {
  const aside = await placeAside(name, async (candidate) => {
    // rename() silently replaces an existing file, so claim the name with an exclusive create first.
    await open(join(dir, candidate), 'wx').then((h) => h.close());
    await rename(join(dir, name), join(dir, candidate));
  });
  await fsyncDir(dir, logger);
  return join(dir, aside);
}

/** Runs a repair step, turning a raw fs failure into a StoreWriteError that names the file. */
export async function repairing<T>(path: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof SharedNotesError) throw err;
    throw new StoreWriteError(`could not repair ${path}: ${describeFsError(err)}`, { cause: err });
  }
}
