/**
 * The shared log of a NoteLog on a sharded space (schema v2): entries entry by entry through
 * their shards (log-side.ts `ShardSide`), the list from the read index (never a shard load), and
 * each entry's shared history from its shard's change records (read when the shard is at hand,
 * kept until the shard changes). Pure.
 */
import * as A from '@automerge/automerge';
import type { DeletedSummary, EntryKind, EntrySummary, InvalidEntry } from './entry.js';
import { HistoryItems } from './history.js';
import type { EntryId } from './ids.js';
import { ShardSide } from './log-side.js';
import type { Author } from './entry.js';
import type { HistoryItem } from './ops.js';
import type { IndexRow } from './shards/index-rows.js';
import { listClassOf, type ListClass } from './shards/read-index.js';
import type { ShardedSpace } from './shards/sharded-space.js';
import type { ShardDoc } from './shards/shard-layout.js';
import { idsByShard, shardOf } from './shards/shard-id.js';
import type { LegacyHistoryStore, LegacyShardHistory, LegacyStep } from './legacy-history.js';

export interface SharedSummaries {
  readonly entries: EntrySummary[];
  readonly deleted: DeletedSummary[];
  readonly invalid: InvalidEntry[];
}

/** Adds an index row to the list it belongs in (listClassOf). */
function addRow(list: SharedSummaries, row: IndexRow): void {
  const c = listClassOf(row);
  if (c === 'invalid') list.invalid.push({ id: row.id, scope: 'shared', reason: row.state === 'invalid' ? row.title : 'the index cannot place it' });
  else if (c === 'deleted') list.deleted.push({ id: row.id as EntryId, kind: row.kind as EntryKind, ...(row.title !== '' ? { title: row.title } : {}), deletedAt: row.updatedAt, deletedBy: { name: row.author } });
  else list.entries.push({ id: row.id as EntryId, kind: row.kind as EntryKind, state: 'published', title: row.title, author: { name: row.author }, updatedAt: row.updatedAt });
}

/** Shards whose migrated history is kept in memory at most (a few KB each). */
const LEGACY_CACHE = 64;

export class ShardedShared {
  readonly side: ShardSide;
  /** Each shard document's history, built on first use (a change makes a new document). */
  private readonly histories = new WeakMap<A.Doc<ShardDoc>, HistoryItems>();
  /** Migrated history per shard read so far (null: the shard has none), oldest read first. */
  private readonly legacy = new Map<string, LegacyShardHistory | null>();

  constructor(
    readonly space: ShardedSpace,
    private readonly legacyStore?: LegacyHistoryStore,
  ) {
    this.side = new ShardSide(space);
  }

  /** Reads the migrated history of the shards of `ids` (a space converted from v1). */
  async loadLegacy(ids: Iterable<EntryId>): Promise<void> {
    const store = this.legacyStore;
    if (!store) return;
    const shards = [...idsByShard(ids).keys()].filter((shard) => !this.legacy.has(shard));
    for (const shard of shards) {
      this.legacy.set(shard, (await store.read(shard)) ?? null);
      if (this.legacy.size > LEGACY_CACHE) this.legacy.delete(this.legacy.keys().next().value as string);
    }
  }

  /** Entry `id`'s steps from before the conversion, if read (`loadLegacy`) and it has any. */
  legacySteps(id: EntryId): readonly LegacyStep[] {
    return this.legacy.get(shardOf(id))?.[id] ?? [];
  }

  /** Entry `id`'s list row, from the index alone. */
  row(id: EntryId): IndexRow | undefined {
    return this.space.row(id);
  }

  /** Every id the shared log lists (valid, deleted or invalid), newest first. */
  *ids(): Generator<string> {
    for (const row of this.space.rows()) yield row.id;
  }

  /** The list: published entries newest first, the deleted and the invalid ones. */
  summaries(): SharedSummaries {
    const list: SharedSummaries = { entries: [], deleted: [], invalid: [] };
    for (const row of this.space.rows()) addRow(list, row);
    return list;
  }

  /**
   * The newest `published` published entries and `deleted` tombstones, every invalid row, and how
   * many of each there are: what the Notes view shows first. Only the rows it returns are decoded
   * (read-index.ts); the whole list of 100k rows costs ~250 ms to decode.
   */
  summaryPage(published: number, deleted: number): SharedSummaries & { readonly totals: Readonly<Record<ListClass, number>> } {
    const list: SharedSummaries = { entries: [], deleted: [], invalid: [] };
    const take = (c: ListClass, max: number) => {
      if (max <= 0) return;
      let n = 0;
      for (const row of this.space.rows((rowClass) => rowClass === c)) {
        addRow(list, row);
        if (++n >= max) break;
      }
    };
    take('published', published);
    take('deleted', deleted);
    take('invalid', Number.POSITIVE_INFINITY);
    return { ...list, totals: this.space.listCounts() };
  }

  /** Published entries (what `counts` shows), from the index's counts. */
  count(): number {
    return this.space.listCounts().published;
  }

  /** Entry `id`'s shared history as indexed (its shard must be at hand). */
  historyItems(id: EntryId): readonly HistoryItem[] {
    return this.itemsOf(id).raw(id);
  }

  /** Who wrote the op `opId` in entry `id`'s shard (its shard must be at hand). */
  authorOfOp(id: EntryId, opId: string): Author | undefined {
    return this.itemsOf(id).authorOfOp(opId);
  }

  private itemsOf(id: EntryId): HistoryItems {
    const doc = this.space.docOf(id);
    let items = this.histories.get(doc);
    if (!items) {
      items = new HistoryItems();
      items.add('shared', A.getChangesMetaSince(doc, [])); // metadata only, as the v1 index reads a log
      this.histories.set(doc, items);
    }
    return items;
  }
}
