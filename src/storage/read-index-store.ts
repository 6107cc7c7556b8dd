/**
 * FileIndexStore: the read index of a sharded space on disk, `index` (written whole, durably) and
 * `index.journal` (CRC-framed JSON records appended since, without fsync: the index is a cache of
 * the shard logs, and a record a crash lost makes its shard's file differ from what the index
 * recorded, so that shard is re-indexed at the next start).
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreReadError, StoreWriteError } from '../core/errors.js';
import type { Logger } from '../core/ports.js';
import type { IndexStore } from '../core/shards/ports.js';
import { FILE_HEADER_BYTES, RECORD_FRAME_MAGIC } from './constants.js';
import { crc32c } from './crc32c.js';
import { describeFsError, errorCode, replaceFileDurably, writeFileDurably, writeFully } from './durable-files.js';
import { checkFileHeader, encodeFileHeader, encodeFrames, scanFrames } from './framing.js';
import { INDEX_FILE, INDEX_JOURNAL_FILE, INDEX_JOURNAL_MAGIC } from './shard-constants.js';

export class FileIndexStore implements IndexStore {
  private journal: FileHandle | undefined;
  private journalLength = 0;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  async readPrefix(bytes: number): Promise<Uint8Array | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(join(this.dir, INDEX_FILE), 'r');
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return undefined;
      throw new StoreReadError(`could not open the index in ${this.dir}: ${describeFsError(err)}`, { cause: err });
    }
    try {
      const buf = Buffer.allocUnsafe(bytes);
      const { bytesRead } = await handle.read(buf, 0, bytes, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  async read(): Promise<{ index: Uint8Array | undefined; journal: string[] }> {
    const stored = await this.readIfPresent(INDEX_FILE);
    const index = stored === undefined ? undefined : this.verified(stored);
    if (stored !== undefined && index === undefined) return { index: undefined, journal: [] }; // rebuilt from the shard logs
    const journalBytes = await this.readIfPresent(INDEX_JOURNAL_FILE);
    const journal: string[] = [];
    if (journalBytes !== undefined && checkFileHeader(journalBytes, INDEX_JOURNAL_MAGIC).ok) {
      const scan = scanFrames(journalBytes, FILE_HEADER_BYTES, RECORD_FRAME_MAGIC);
      for (const record of scan.records) journal.push(Buffer.from(record).toString('utf8'));
      this.journalLength = scan.validEnd; // a torn or damaged tail is written over
      if (scan.damaged.length > 0) this.logger.warn(`${join(this.dir, INDEX_JOURNAL_FILE)}: ${scan.damaged.length} damaged record(s) skipped; their shards are re-indexed`);
    } else {
      if (journalBytes !== undefined) this.logger.warn(`${join(this.dir, INDEX_JOURNAL_FILE)} is not an index journal; starting a new one`);
      this.journalLength = 0;
    }
    return { index, journal };
  }

  appendJournal(records: readonly string[]): Promise<void> {
    const frames = encodeFrames(records.map((r) => Buffer.from(r, 'utf8')), RECORD_FRAME_MAGIC);
    return this.serial(async () => {
      try {
        if (this.journal === undefined || this.journalLength === 0) await this.startJournal();
        await writeFully(this.journal!, frames, this.journalLength);
        this.journalLength += frames.length;
      } catch (err) {
        throw new StoreWriteError(`could not append to the index journal in ${this.dir}: ${describeFsError(err)}`, { cause: err });
      }
    });
  }

  rewrite(index: Uint8Array): Promise<void> {
    return this.serial(async () => {
      try {
        await writeFileDurably(this.dir, INDEX_FILE, withChecksum(index), this.logger);
        await this.journal?.close();
        this.journal = undefined;
        this.journalLength = 0;
        await this.startJournal();
      } catch (err) {
        throw new StoreWriteError(`could not write the index in ${this.dir}: ${describeFsError(err)}`, { cause: err });
      }
    });
  }

  async close(): Promise<void> {
    await this.writes;
    await this.journal?.close();
    this.journal = undefined;
  }

  /** A new, empty journal (header only), open for appends. */
  private async startJournal(): Promise<void> {
    await this.journal?.close();
    const header = encodeFileHeader(INDEX_JOURNAL_MAGIC);
    this.journal = await replaceFileDurably(this.dir, INDEX_JOURNAL_FILE, header, this.logger);
    this.journalLength = header.length;
  }

  /** Opens the existing journal to append after its last whole record. */
  private serial<T>(step: () => Promise<T>): Promise<T> {
    const next = this.writes.then(async () => {
      if (this.journal === undefined && this.journalLength > 0) {
        this.journal = await open(join(this.dir, INDEX_JOURNAL_FILE), 'r+');
        await this.journal.truncate(this.journalLength); // what follows the last whole record
      }
      return step();
    });
    this.writes = next.catch(() => undefined);
    return next;
  }

  /** The index without its checksum line; undefined (logged) when the checksum does not verify. */
  private verified(stored: Buffer): Uint8Array | undefined {
    const last = stored.lastIndexOf(CHECKSUM_TAG);
    const body = last >= 0 ? stored.subarray(0, last) : undefined;
    const line = last >= 0 ? stored.toString('utf8', last + CHECKSUM_TAG.length).trim() : '';
    if (body !== undefined && line === crc32c(body).toString(16).padStart(8, '0')) return body;
    this.logger.warn(`${join(this.dir, INDEX_FILE)} is damaged (its checksum does not verify); the list is rebuilt from the shard logs`);
    return undefined;
  }

  private async readIfPresent(name: string): Promise<Buffer | undefined> {
    try {
      return await readFile(join(this.dir, name));
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return undefined;
      throw new StoreReadError(`could not read ${join(this.dir, name)}: ${describeFsError(err)}`, { cause: err });
    }
  }
}

/** The index file ends with a line holding the CRC-32C of everything before it. */
const CHECKSUM_TAG = Buffer.from('#crc32c\t');
function withChecksum(index: Uint8Array): Buffer {
  return Buffer.concat([index, CHECKSUM_TAG, Buffer.from(`${crc32c(index).toString(16).padStart(8, '0')}\n`)]);
}
