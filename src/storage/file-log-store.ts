/**
 * FileLogStore: the LogStore of one folder on disk (`log`, `snapshot`, `LOCK`).
 *
 * All work runs through one queue, one operation at a time, in call order. Appends that queue
 * up while a write + fsync is in flight become the next single write + fsync (group commit), so
 * a burst of edits costs one disk flush rather than one each. `compact`, `load` and `close` are
 * barriers: they run only after every append queued before them is settled.
 */
import { mkdir, open, realpath, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { SharedNotesError, StoreClosedError, StoreLockedError, StoreReadError, StoreWriteError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import type { LoadedLog, LogStore, Logger } from '../core/ports.js';
import { DEFAULT_GROUP_COMMIT_MS, FILE_HEADER_BYTES, LOG_FILE, LOG_FILE_MAGIC, MAX_GROUP_COMMIT_BYTES, RECORD_FRAME_MAGIC, SNAPSHOT_FILE } from './constants.js';
import { describeFsError, replaceFileDurably, writeFileDurably, writeFully } from './durable-files.js';
import { encodeFileHeader, encodeFrames, encodeSnapshotFile } from './framing.js';
import { acquireLock, type HeldLock } from './lock.js';
import { recoverStore, type RecoveredStore } from './recovery.js';

export interface FileLogStoreInit {
  /** Where repairs and stale-lock takeovers are reported; defaults to warnings on stderr. */
  readonly logger?: Logger;
  /** Extra wait before each write to gather more appends into it; 0 (default) adds no latency. */
  readonly groupCommitMs?: number;
  /** Told how long each log flush (datasync) took, in milliseconds (for metrics). */
  readonly onFsync?: (ms: number) => void;
}

interface Settle<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

type Operation =
  | { readonly kind: 'append'; readonly frames: Buffer; readonly settle: Settle<void> }
  | { readonly kind: 'compact'; readonly snapshotFile: Buffer; readonly settle: Settle<void> }
  | { readonly kind: 'load'; readonly settle: Settle<LoadedLog> }
  | { readonly kind: 'close'; readonly settle: Settle<void> };
type AppendOperation = Extract<Operation, { kind: 'append' }>;

/** Real paths of the folders this process has open: a second open would defeat the LOCK file. */
const openFolders = new Set<string>();

function stderrLogger(): Logger {
  return createLogger((level, scope, message, args) => console.error(`[${scope}] ${level}: ${message}`, ...args), 'shared-notes', 'warn');
}

/** Resolves symlinks so two spellings of one folder count as the same store. */
async function prepareFolder(dir: string): Promise<string> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new StoreWriteError(`could not create the folder ${dir}: ${describeFsError(err)}`, { cause: err });
  }
  try {
    return await realpath(dir);
  } catch (err) {
    throw new StoreReadError(`could not open the folder ${dir}: ${describeFsError(err)}`, { cause: err });
  }
}

async function openLogForWriting(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r+');
  } catch (err) {
    throw new StoreWriteError(`could not open ${path} for writing: ${describeFsError(err)}`, { cause: err });
  }
}

export class FileLogStore implements LogStore {
  private readonly queue: Operation[] = [];
  private draining = false;
  private closing: Promise<void> | undefined;
  /** Bytes of `log` known to be whole, fsynced frames; every write goes exactly here. */
  private goodLength: number;
  /** A failed write may have left part of a frame past goodLength; cut it off before the next write. */
  private tailMayBeDirty = true;
  /** What open() already read, handed to the first load() unless a write came first. */
  private loadedAtOpen: LoadedLog | undefined;

  private constructor(
    readonly dir: string,
    private readonly lock: HeldLock,
    private handle: FileHandle,
    recovered: RecoveredStore,
    private readonly logger: Logger,
    private readonly groupCommitMs: number,
    private readonly onFsync: ((ms: number) => void) | undefined,
  ) {
    this.goodLength = recovered.logLength;
    this.loadedAtOpen = recovered.loaded;
  }

  /**
   * Opens (creating if needed) the store in `dir`: takes its lock, then reads and repairs its
   * files, so a torn tail is cut off before anything is appended after it. Problems found are
   * reported by the first load().
   */
  static async open(dir: string, init: FileLogStoreInit = {}): Promise<FileLogStore> {
    const logger = init.logger ?? stderrLogger().child('storage');
    const folder = await prepareFolder(dir);
    if (openFolders.has(folder)) throw new StoreLockedError(`${folder} is already open in this Shared Notes process`);
    openFolders.add(folder);
    try {
      const lock = await acquireLock(folder, logger);
      try {
        const recovered = await recoverStore(folder, logger);
        const handle = await openLogForWriting(join(folder, LOG_FILE));
        return new FileLogStore(folder, lock, handle, recovered, logger, init.groupCommitMs ?? DEFAULT_GROUP_COMMIT_MS, init.onFsync);
      } catch (err) {
        await lock.release();
        throw err;
      }
    } catch (err) {
      openFolders.delete(folder);
      throw err;
    }
  }

  private get logPath(): string {
    return join(this.dir, LOG_FILE);
  }

  load(): Promise<LoadedLog> {
    return this.enqueue<LoadedLog>((settle) => ({ kind: 'load', settle }));
  }

  append(records: readonly Uint8Array[]): Promise<void> {
    let frames: Buffer;
    try {
      // Encoding copies the bytes now, so a caller reusing its buffers cannot change what is saved.
      frames = encodeFrames(records, RECORD_FRAME_MAGIC);
    } catch (err) {
      return Promise.reject(new StoreWriteError(`could not save to ${this.logPath}: ${describeFsError(err)}`, { cause: err }));
    }
    return this.enqueue<void>((settle) => ({ kind: 'append', frames, settle }));
  }

  compact(snapshot: Uint8Array): Promise<void> {
    let snapshotFile: Buffer;
    try {
      snapshotFile = encodeSnapshotFile(snapshot);
    } catch (err) {
      return Promise.reject(new StoreWriteError(`could not save a snapshot in ${this.dir}: ${describeFsError(err)}`, { cause: err }));
    }
    return this.enqueue<void>((settle) => ({ kind: 'compact', snapshotFile, settle }));
  }

  /**
   * Writes records that could not be used to `quarantine-<time>` (the log's own format, so they
   * can be read back by hand), durably, next to the store. The caller compacts afterwards.
   */
  async quarantine(records: readonly Uint8Array[]): Promise<string> {
    if (this.closing !== undefined) throw new StoreClosedError(`the store in ${this.dir} is closed`);
    const name = `quarantine-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await writeFileDurably(this.dir, name, Buffer.concat([encodeFileHeader(LOG_FILE_MAGIC), encodeFrames(records, RECORD_FRAME_MAGIC)]), this.logger);
    } catch (err) {
      if (err instanceof SharedNotesError) throw err;
      throw new StoreWriteError(`could not write ${name} in ${this.dir}: ${describeFsError(err)}`, { cause: err });
    }
    return join(this.dir, name);
  }

  /** Waits for queued work, then closes the log and releases the lock. Calling it again is harmless. */
  close(): Promise<void> {
    this.closing ??= this.enqueue<void>((settle) => ({ kind: 'close', settle }), true);
    return this.closing;
  }

  private enqueue<T>(make: (settle: Settle<T>) => Operation, isClose = false): Promise<T> {
    if (this.closing !== undefined && !isClose) {
      return Promise.reject(new StoreClosedError(`the store in ${this.dir} is closed`));
    }
    return new Promise<T>((resolve, reject) => {
      const op = make({ resolve, reject });
      // Anything written after open() makes what open() read stale.
      if (op.kind === 'append' || op.kind === 'compact') this.loadedAtOpen = undefined;
      this.queue.push(op);
      this.drain().catch((err: unknown) => this.logger.error(`store queue for ${this.dir} stopped unexpectedly`, err));
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0]!;
        if (head.kind === 'append') {
          if (this.groupCommitMs > 0) await delay(this.groupCommitMs);
          await this.commit(this.takeAppendBatch());
        } else {
          this.queue.shift();
          await this.runBarrier(head);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** The appends at the head of the queue, in order, up to a size cap. */
  private takeAppendBatch(): AppendOperation[] {
    const batch: AppendOperation[] = [];
    let bytes = 0;
    for (let head = this.queue[0]; head?.kind === 'append'; head = this.queue[0]) {
      if (batch.length > 0 && bytes + head.frames.length > MAX_GROUP_COMMIT_BYTES) break;
      batch.push(head);
      bytes += head.frames.length;
      this.queue.shift();
    }
    return batch;
  }

  private async commit(batch: readonly AppendOperation[]): Promise<void> {
    const bytes = batch.length === 1 ? batch[0]!.frames : Buffer.concat(batch.map((op) => op.frames));
    try {
      await this.writeAtEnd(bytes);
    } catch (err) {
      const error = new StoreWriteError(`could not save to ${this.logPath}: ${describeFsError(err)}`, { cause: err });
      for (const op of batch) op.settle.reject(error);
      return;
    }
    for (const op of batch) op.settle.resolve();
  }

  private async writeAtEnd(bytes: Buffer): Promise<void> {
    if (bytes.length === 0) return;
    try {
      if (this.tailMayBeDirty) {
        await this.handle.truncate(this.goodLength);
        this.tailMayBeDirty = false;
      }
      await writeFully(this.handle, bytes, this.goodLength);
      // Data plus the file size: what a reader needs after a crash, without other metadata.
      const syncStarted = performance.now();
      await this.handle.datasync();
      this.onFsync?.(performance.now() - syncStarted);
      this.goodLength += bytes.length;
    } catch (err) {
      // A partial frame past goodLength would make every later frame look like mid-file damage.
      this.tailMayBeDirty = true;
      await this.cutFailedTail();
      throw err;
    }
  }

  private async cutFailedTail(): Promise<void> {
    try {
      await this.handle.truncate(this.goodLength);
      this.tailMayBeDirty = false;
    } catch (err) {
      this.logger.warn(`could not cut a failed write off ${this.logPath}; retrying before the next write: ${describeFsError(err)}`);
    }
  }

  private async runBarrier(op: Exclude<Operation, AppendOperation>): Promise<void> {
    try {
      switch (op.kind) {
        case 'load':
          op.settle.resolve(await this.loadNow());
          return;
        case 'compact':
          await this.compactNow(op.snapshotFile);
          op.settle.resolve();
          return;
        case 'close':
          await this.closeNow();
          op.settle.resolve();
          return;
      }
    } catch (err) {
      if (err instanceof SharedNotesError) {
        op.settle.reject(err);
      } else if (op.kind === 'load') {
        op.settle.reject(new StoreReadError(`could not load the store in ${this.dir}: ${describeFsError(err)}`, { cause: err }));
      } else {
        op.settle.reject(new StoreWriteError(`could not ${op.kind} the store in ${this.dir}: ${describeFsError(err)}`, { cause: err }));
      }
    }
  }

  private async loadNow(): Promise<LoadedLog> {
    const cached = this.loadedAtOpen;
    this.loadedAtOpen = undefined;
    if (cached !== undefined) return cached;
    const recovered = await recoverStore(this.dir, this.logger);
    // Recovery may have rewritten `log` as a new file; write to that one from now on.
    await this.switchHandle(await openLogForWriting(this.logPath), recovered.logLength);
    return recovered.loaded;
  }

  /**
   * Snapshot first, then an empty log, each via temp file + fsync + rename + folder fsync. A crash
   * between the two leaves the new snapshot with the old log: its records are already in the
   * snapshot, and Automerge changes apply idempotently, so nothing is lost or doubled.
   */
  private async compactNow(snapshotFile: Buffer): Promise<void> {
    await writeFileDurably(this.dir, SNAPSHOT_FILE, snapshotFile, this.logger);
    const freshLog = await replaceFileDurably(this.dir, LOG_FILE, encodeFileHeader(LOG_FILE_MAGIC), this.logger);
    await this.switchHandle(freshLog, FILE_HEADER_BYTES);
  }

  private async switchHandle(next: FileHandle, length: number): Promise<void> {
    const previous = this.handle;
    this.handle = next;
    this.goodLength = length;
    this.tailMayBeDirty = true;
    try {
      await previous.close();
    } catch (err) {
      this.logger.warn(`could not close the previous handle on ${this.logPath}: ${describeFsError(err)}`);
    }
  }

  private async closeNow(): Promise<void> {
    try {
      await this.handle.close();
    } finally {
      try {
        await this.lock.release();
      } finally {
        openFolders.delete(this.dir);
      }
    }
  }
}
