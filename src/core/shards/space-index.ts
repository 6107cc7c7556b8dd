/**
 * SpaceIndex: the sharded space's read index as the space keeps it current. Every update goes
 * through `apply` (in memory: the list and the digest tree of shard heads) and, once its shard
 * log write is done, `record` (appended to the index journal, folded into the index file when
 * the journal or the in-memory overlay grew long). Pure: the journal and file are an IndexStore.
 */
import type { EntryId } from '../ids.js';
import { HeadsDigest } from './heads-digest.js';
import type { IndexRow } from './index-rows.js';
import { NO_SHARD_FILE, type IndexStore, type ShardFileState } from './ports.js';
import { encodeUpdate, ReadIndex, type IndexUpdate, type ListClass } from './read-index.js';
import { SHARD_GENESIS_HEADS, shardOf, type ShardId } from './shard-layout.js';

/** The index file is rewritten (journal folded in) after this many journal records. */
export const DEFAULT_JOURNAL_LIMIT = 5_000;
/** Changed rows held as objects before the index is rewritten with them (~10 MB of JS heap). */
const OVERLAY_ROWS_LIMIT = 25_000;

export class SpaceIndex {
  private digestTree: HeadsDigest | undefined;

  constructor(
    private readonly store: IndexStore,
    private index: ReadIndex,
    private journalRecords: number,
    private readonly journalLimit = DEFAULT_JOURNAL_LIMIT,
  ) {}

  /** Every list row, newest first (tombstones and invalid entries included: filter by `state`). */
  rows(where?: (c: ListClass) => boolean): Generator<IndexRow> {
    return this.index.rows(where);
  }

  /** How many rows of each list class there are (read-index.ts). */
  listCounts(): Readonly<Record<ListClass, number>> {
    return this.index.listCounts();
  }

  page(n: number): IndexRow[] {
    return this.index.page(n);
  }

  /** The shards whose log holds anything beyond the genesis, with what was recorded of each. */
  shards(): ReadonlyMap<ShardId, { readonly size: number }> {
    return this.index.shards();
  }

  /** The list rows of one shard. */
  rowsOf(shard: ShardId): IndexRow[] {
    return this.index.shardRows(shard);
  }

  /** Entry `id`'s list row. */
  row(id: EntryId): IndexRow | undefined {
    return this.index.shardRows(shardOf(id)).find((r) => r.id === id);
  }

  /** Whether the index recorded anything of `shard` (a log beyond the genesis). */
  has(shard: ShardId): boolean {
    return this.index.shard(shard) !== undefined;
  }

  /** What the index holds for `shard`: its log's file state and heads. */
  shardState(shard: ShardId): { file: ShardFileState; heads: readonly string[] } {
    const s = this.index.shard(shard);
    return s ? { file: { size: s.size, mtimeMs: s.mtimeMs }, heads: s.heads } : { file: NO_SHARD_FILE, heads: SHARD_GENESIS_HEADS };
  }

  /**
   * The digest tree of every shard's heads (what the sync layer compares first), built on first use
   * (4,096 hashes) and kept current by every update.
   */
  headsDigest(): HeadsDigest {
    return (this.digestTree ??= new HeadsDigest((shard) => this.shardState(shard).heads));
  }

  /** Applies an update in memory only (the list and the digest); `record` journals it. */
  apply(update: IndexUpdate): void {
    this.index.apply(update);
    this.digestTree?.update(update.shard, update.state.heads);
  }

  /** Applies updates and appends them to the journal; folds the journal when it grew long. */
  async record(...updates: readonly IndexUpdate[]): Promise<void> {
    for (const update of updates) this.apply(update);
    this.journalRecords += updates.length;
    await this.store.appendJournal(updates.map(encodeUpdate));
    // Folded also when many rows changed (a catch-up: 4,096 records can bring 100k rows, each a JS
    // object in the overlay until folded into the index's one Buffer).
    if (this.journalRecords >= this.journalLimit || this.index.pendingRows >= OVERLAY_ROWS_LIMIT) await this.compact();
  }

  /** Writes the index file with the journal folded in (also at close). */
  async compact(): Promise<void> {
    const bytes = this.index.encode();
    // Swapped at once: updates made while the file is written go to the new journal.
    this.index = ReadIndex.parse(bytes);
    this.journalRecords = 0;
    await this.store.rewrite(bytes);
  }

  async close(): Promise<void> {
    await this.compact();
    await this.store.close();
  }
}
