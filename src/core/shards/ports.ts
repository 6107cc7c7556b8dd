/**
 * What the sharded space needs from a disk (src/storage/shard-store.ts and read-index-store.ts
 * implement these). Pure interfaces.
 */
import type { ShardId } from './shard-layout.js';

/** A shard log file's size (what the index compares at start) and, for diagnostics only, a time. */
export interface ShardFileState {
  readonly size: number;
  /** The file's modification time, or the clock at the append that returned it: never compared. */
  readonly mtimeMs: number;
}

/** A missing shard log: the shard holds only its genesis change. */
export const NO_SHARD_FILE: ShardFileState = { size: 0, mtimeMs: 0 };

export interface StoredShard {
  /** Raw Automerge chunks (saved documents and changes) in write order: loadable as their concatenation. */
  readonly chunks: Uint8Array[];
  readonly file: ShardFileState;
}

/**
 * The shard logs of one space. Every append is durable (fsync) before it resolves; appends and
 * compactions of one shard run in call order; a crash leaves a prefix of the appends.
 */
export interface ShardStore {
  read(shard: ShardId): Promise<StoredShard>;
  append(shard: ShardId, chunks: readonly Uint8Array[]): Promise<ShardFileState>;
  /** Replaces the shard's log by one saved document covering everything appended before the call. */
  compact(shard: ShardId, saved: Uint8Array): Promise<ShardFileState>;
  /**
   * `compact` of several distinct shards at once (a catch-up taking whole shards): each resolves as
   * `compact` would, the writes and fsyncs overlap and each folder is fsynced once for the batch.
   */
  compactMany(items: readonly { shard: ShardId; saved: Uint8Array }[]): Promise<ShardFileState[]>;
  /** The file state of every shard whose log exists. */
  states(): Promise<Map<ShardId, ShardFileState>>;
  close(): Promise<void>;
}

/**
 * The read index on disk: one file (the rows, sorted, and the shard table) plus a journal of
 * updates since it was written. The index is a cache of the shards: a lost journal record only
 * costs a re-index of its shard at the next start, so journal appends need no fsync.
 */
export interface IndexStore {
  /** The first `bytes` of the index file (the first screen), undefined if there is none. */
  readPrefix(bytes: number): Promise<Uint8Array | undefined>;
  read(): Promise<{ index: Uint8Array | undefined; journal: string[] }>;
  appendJournal(records: readonly string[]): Promise<void>;
  /** Durably replaces the index file with `index` and empties the journal. */
  rewrite(index: Uint8Array): Promise<void>;
  close(): Promise<void>;
}
