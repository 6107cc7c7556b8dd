/**
 * FileShardStore: the 4,096 shard logs of one space on disk, `shards/<d>/<ddd>` (16 sub-folders
 * by first hex digit; a shard with no file holds only its genesis). A shard file is our file
 * header followed by CRC-checked frames (framing.ts) whose payloads are raw Automerge chunks: a
 * saved document first after a compaction, then changes, so a load is one `Automerge.load` of
 * their concatenation. Appends to one shard run in call order and are fsynced before they
 * resolve; a torn last frame is cut off and damage in the middle is copied aside and skipped
 * (as FileLogStore does) the first time this process touches the shard.
 */
import { mkdir, open, readdir, readFile, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreClosedError, StoreLockedError, StoreReadError, StoreWriteError } from '../core/errors.js';
import { KeyedChain } from '../core/keyed-chain.js';
import type { Logger, StoreProblem } from '../core/ports.js';
import { isShardId, type ShardId } from '../core/shards/shard-layout.js';
import { NO_SHARD_FILE, type ShardFileState, type ShardStore, type StoredShard } from '../core/shards/ports.js';
import { FILE_HEADER_BYTES, RECORD_FRAME_MAGIC } from './constants.js';
import { copyAside, describeFsError, errorCode, fsyncDir, repairing, writeFileDurably, writeFully } from './durable-files.js';
import { checkFileHeader, encodeFileHeader, encodeFrames, scanFrames } from './framing.js';
import { acquireLock, type HeldLock } from './lock.js';
import { SHARD_FILE_MAGIC, SHARD_HANDLES_OPEN, SHARDS_FOLDER } from './shard-constants.js';

const HEX = '0123456789abcdef';
/** Shard folders open in this process: the LOCK file's pid cannot tell two opens in one process apart. */
const openFolders = new Set<string>();

/** Appends of one shard gathered while a write is in flight; `done` resolves with where they start. */
interface Batch {
  readonly frames: Buffer[];
  bytes: number;
  done: Promise<number>;
}

export interface FileShardStoreInit {
  readonly logger: Logger;
  /** Told of every repair (torn tail cut, damaged file copied aside). */
  readonly onProblem?: (problem: StoreProblem) => void;
  /** Told how long each durable append took (write + flush), in milliseconds (`serve --metrics`). */
  readonly onFsync?: (ms: number) => void;
}

export class FileShardStore implements ShardStore {
  /** One shard's operations run in call order. */
  private readonly chains = new KeyedChain<ShardId>();
  /** Per shard touched by this process: the length of its file that holds whole, verified frames. */
  private readonly goodLength = new Map<ShardId, number>();
  /** Per shard: the appends waiting behind a write in flight, to be written as one. */
  private readonly batches = new Map<ShardId, Batch>();
  /** Open handles of recently appended shards, least recently used first. */
  private readonly handles = new Map<ShardId, FileHandle>();

  private constructor(
    readonly dir: string,
    private readonly lock: HeldLock,
    private readonly init: FileShardStoreInit,
  ) {}

  /** Opens (creating) the shard folders under `spaceDir` and takes their lock. */
  static async open(spaceDir: string, init: FileShardStoreInit): Promise<FileShardStore> {
    const dir = join(spaceDir, SHARDS_FOLDER);
    try {
      await mkdir(dir, { recursive: true });
      for (const d of HEX) await mkdir(join(dir, d), { recursive: true });
      await fsyncDir(spaceDir, init.logger);
    } catch (err) {
      throw new StoreWriteError(`could not create the shard folders in ${spaceDir}: ${describeFsError(err)}`, { cause: err });
    }
    const folder = await realpath(dir);
    if (openFolders.has(folder)) throw new StoreLockedError(`${folder} is already open in this Shared Notes process`);
    openFolders.add(folder);
    try {
      const lock = await acquireLock(folder, init.logger);
      return new FileShardStore(folder, lock, init);
    } catch (err) {
      openFolders.delete(folder);
      throw err;
    }
  }

  private folderOf(shard: ShardId): string {
    return join(this.dir, shard[0]!);
  }

  private pathOf(shard: ShardId): string {
    return join(this.folderOf(shard), shard);
  }

  private closed = false;

  /** Runs `step` after every earlier operation on `shard` settled. */
  private queue<T>(shard: ShardId, step: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosedError(`the shard store in ${this.dir} is closed`));
    return this.chains.run(shard, step);
  }

  read(shard: ShardId): Promise<StoredShard> {
    this.batches.delete(shard); // appends after this call land after it
    return this.queue(shard, () => this.readNow(shard));
  }

  /** Reads and, where needed, repairs one shard file (call only inside the shard's queue). */
  private async readNow(shard: ShardId): Promise<StoredShard> {
    const path = this.pathOf(shard);
    await this.dropHandle(shard); // a repair below may replace or cut the file
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') {
        this.goodLength.set(shard, 0);
        return { chunks: [], file: NO_SHARD_FILE };
      }
      throw new StoreReadError(`could not read ${path}: ${describeFsError(err)}`, { cause: err });
    }
    const header = checkFileHeader(bytes, SHARD_FILE_MAGIC);
    if (!header.ok) throw new StoreReadError(`cannot open ${path}: ${header.reason}. Nothing was changed.`);
    const scan = scanFrames(bytes, FILE_HEADER_BYTES, RECORD_FRAME_MAGIC);
    if (scan.damaged.length > 0) {
      const movedTo = await repairing(path, () => copyAside(this.folderOf(shard), shard, this.init.logger));
      const rewritten = Buffer.concat([encodeFileHeader(SHARD_FILE_MAGIC), encodeFrames(scan.records, RECORD_FRAME_MAGIC)]);
      await repairing(path, () => writeFileDurably(this.folderOf(shard), shard, rewritten, this.init.logger));
      this.report({ kind: 'corrupt-record', file: path, detail: `${scan.damaged.length} damaged stretch(es) skipped, ${scan.records.length} chunks kept`, movedTo });
    } else if (scan.tornTail !== undefined) {
      await repairing(path, async () => {
        const handle = await open(path, 'r+');
        try {
          await handle.truncate(scan.validEnd);
          await handle.sync();
        } finally {
          await handle.close();
        }
      });
      this.report({ kind: 'torn-tail', file: path, detail: `dropped ${scan.tornTail.end - scan.tornTail.start} bytes of an incomplete last write` });
    }
    const file = await this.fileState(path);
    this.goodLength.set(shard, file.size);
    // Copies, so that the file's buffer is not kept alive by a chunk a caller holds on to.
    return { chunks: scan.records.map((r) => r.slice()), file };
  }

  /**
   * Appends join the batch of their shard that waits behind a write in flight (group commit: one
   * write + one fdatasync for a burst of edits). Each append resolves with the file size just after
   * its own frames, so a journal record never claims a size whose content holds changes its heads
   * do not name: a crash between two records of one batch leaves a size that differs, and the
   * shard is re-indexed.
   */
  append(shard: ShardId, chunks: readonly Uint8Array[]): Promise<ShardFileState> {
    const frames = encodeFrames(chunks, RECORD_FRAME_MAGIC);
    const waiting = this.batches.get(shard);
    if (waiting !== undefined) {
      const offset = waiting.bytes;
      waiting.frames.push(frames);
      waiting.bytes += frames.length;
      return waiting.done.then((at) => ({ size: at + offset + frames.length, mtimeMs: Date.now() }));
    }
    const batch: Batch = { frames: [frames], bytes: frames.length, done: undefined as unknown as Promise<number> };
    this.batches.set(shard, batch);
    batch.done = this.queue(shard, async () => {
      if (this.batches.get(shard) === batch) this.batches.delete(shard); // later appends start a new batch
      return this.writeBatch(shard, Buffer.concat(batch.frames));
    });
    return batch.done.then((at) => ({ size: at + frames.length, mtimeMs: Date.now() }));
  }

  /** Writes `frames` at the end of the shard's verified log and fsyncs; resolves with where they start. */
  private async writeBatch(shard: ShardId, frames: Buffer): Promise<number> {
    if (!this.goodLength.has(shard)) await this.readNow(shard); // verify (and repair) before writing after it
    const path = this.pathOf(shard);
    const at = this.goodLength.get(shard)!;
    const started = performance.now();
    try {
      if (at === 0) {
        const header = encodeFileHeader(SHARD_FILE_MAGIC);
        await writeFileDurably(this.folderOf(shard), shard, Buffer.concat([header, frames]), this.init.logger);
        this.goodLength.set(shard, header.length + frames.length);
        this.init.onFsync?.(performance.now() - started);
        return header.length;
      }
      const handle = await this.handleOf(shard);
      await writeFully(handle, frames, at);
      await handle.datasync();
    } catch (err) {
      this.goodLength.delete(shard); // a partial frame may follow: verify again before the next write
      await this.dropHandle(shard);
      throw new StoreWriteError(`could not write to ${path}: ${describeFsError(err)}`, { cause: err });
    }
    this.goodLength.set(shard, at + frames.length);
    this.init.onFsync?.(performance.now() - started);
    return at;
  }

  /** An open handle on the shard's file (kept for the next appends; at most SHARD_HANDLES_OPEN). */
  private async handleOf(shard: ShardId): Promise<FileHandle> {
    const held = this.handles.get(shard);
    if (held !== undefined) {
      this.handles.delete(shard);
      this.handles.set(shard, held);
      return held;
    }
    const handle = await open(this.pathOf(shard), 'r+');
    this.handles.set(shard, handle);
    for (const [other, h] of this.handles) {
      if (this.handles.size <= SHARD_HANDLES_OPEN) break;
      if (other === shard || this.chains.busy(other)) continue; // in use by an operation of its own
      this.handles.delete(other);
      await h.close();
    }
    return handle;
  }

  /** Closes the shard's kept handle: before its file is replaced or repaired, or after a failed write. */
  private async dropHandle(shard: ShardId): Promise<void> {
    const handle = this.handles.get(shard);
    if (handle === undefined) return;
    this.handles.delete(shard);
    await handle.close().catch((err: unknown) => this.init.logger.warn(`could not close the log of shard ${shard}: ${describeFsError(err)}`));
  }

  compact(shard: ShardId, saved: Uint8Array): Promise<ShardFileState> {
    return this.compactMany([{ shard, saved }]).then((states) => states[0]!);
  }

  compactMany(items: readonly { shard: ShardId; saved: Uint8Array }[]): Promise<ShardFileState[]> {
    // Each folder is fsynced once, after every file of the batch in it was renamed; each shard's
    // step waits for that inside its queue, so nothing queued after it sees an undurable rename.
    if (new Set(items.map((i) => i.shard)).size !== items.length) return Promise.reject(new RangeError('compactMany takes each shard once'));
    const folders = new Map<string, { left: number; synced?: Promise<void> }>();
    for (const { shard } of items) {
      const f = folders.get(this.folderOf(shard)) ?? { left: 0 };
      f.left++;
      folders.set(this.folderOf(shard), f);
    }
    const renamed = new Map<string, { resolve: () => void; done: Promise<void> }>();
    for (const folder of folders.keys()) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      renamed.set(folder, { resolve, done });
    }
    const folderSynced = (folder: string): Promise<void> => {
      const f = folders.get(folder)!;
      if (--f.left === 0) renamed.get(folder)!.resolve();
      return (f.synced ??= renamed.get(folder)!.done.then(() => fsyncDir(folder, this.init.logger)));
    };
    return Promise.all(
      items.map(({ shard, saved }) => {
        this.batches.delete(shard); // appends after this call land after the compaction, not in a batch before it
        return this.queue(shard, async () => {
          const path = this.pathOf(shard);
          const folder = this.folderOf(shard);
          let written = false;
          try {
            await this.dropHandle(shard); // the file is replaced: a kept handle would write to the old one
            await writeFileDurably(folder, shard, Buffer.concat([encodeFileHeader(SHARD_FILE_MAGIC), encodeFrames([saved], RECORD_FRAME_MAGIC)]), this.init.logger, undefined, false);
            written = true;
            await folderSynced(folder);
          } catch (err) {
            if (!written) void folderSynced(folder).catch(() => undefined); // the others of the folder do not wait for this one
            this.goodLength.delete(shard);
            throw new StoreWriteError(`could not compact ${path}: ${describeFsError(err)}`, { cause: err });
          }
          const file = await this.fileState(path);
          this.goodLength.set(shard, file.size);
          return file;
        });
      }),
    );
  }

  async states(): Promise<Map<ShardId, ShardFileState>> {
    if (this.closed) throw new StoreClosedError(`the shard store in ${this.dir} is closed`);
    const out = new Map<ShardId, ShardFileState>();
    for (const d of HEX) {
      const folder = join(this.dir, d);
      let names: string[];
      try {
        names = await readdir(folder);
      } catch (err) {
        throw new StoreReadError(`could not list ${folder}: ${describeFsError(err)}`, { cause: err });
      }
      const shards = names.filter((n): n is ShardId => isShardId(n) && n[0] === d);
      const states = await Promise.all(shards.map((s) => this.fileState(join(folder, s))));
      shards.forEach((s, i) => out.set(s, states[i]!));
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chains.idle();
    for (const shard of [...this.handles.keys()]) await this.dropHandle(shard);
    await this.lock.release();
    openFolders.delete(this.dir);
  }

  private async fileState(path: string): Promise<ShardFileState> {
    try {
      const s = await stat(path);
      return { size: s.size, mtimeMs: s.mtimeMs };
    } catch (err) {
      throw new StoreReadError(`could not stat ${path}: ${describeFsError(err)}`, { cause: err });
    }
  }

  private report(problem: StoreProblem): void {
    this.init.logger.warn(`${problem.file}: ${problem.detail}${problem.movedTo ? ` (original kept as ${problem.movedTo})` : ''}`);
    this.init.onProblem?.(problem);
  }
}
