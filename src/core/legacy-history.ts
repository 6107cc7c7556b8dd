/**
 * The history of entries migrated from a v1 space (one document) to shards: their shard starts
 * from one migration change, so their steps before it live only in the v1 document. When a folder
 * is converted, each migrated entry's steps are read from the v1 document once (what changed in
 * each, and the entry as it was after it) and kept per shard, so that a shard's history comes
 * with it and the v1 document (which a space past ~60k entries cannot even load) is never read
 * again. Pure.
 */
import type * as A from '@automerge/automerge';
import type { EntryVersion } from './versions.js';
import { entryAt } from './versions.js';
import { historySteps, type FieldChange, type HistoryStep } from './history-steps.js';
import { HistoryItems, type ChangeMeta } from './history.js';
import type { EntryId } from './ids.js';
import type { SpaceDoc } from './layout.js';
import type { HistoryItem } from './ops.js';

/** One step of a migrated entry's history: the step, what it changed, and the entry right after it. */
export interface LegacyStep {
  readonly item: HistoryItem;
  readonly changes: readonly FieldChange[];
  /** Undefined for a draft's step carried in a publish record (its content was never shared). */
  readonly version?: EntryVersion;
}

/** The migrated entries of one shard: id → its steps, oldest first. */
export type LegacyShardHistory = Readonly<Record<string, readonly LegacyStep[]>>;

/** Reads the history of migrated entries, one shard at a time (storage/legacy-history-store.ts). */
export interface LegacyHistoryStore {
  /** The shard's migrated entries and their steps; undefined when it held none. */
  read(shard: string): Promise<LegacyShardHistory | undefined>;
}

/** The steps of each of `ids` in the v1 document `doc` (`metas`: its changes' metadata). */
export function legacyStepsOf(doc: A.Doc<SpaceDoc>, metas: readonly ChangeMeta[], ids: Iterable<EntryId>): Map<EntryId, LegacyStep[]> {
  const items = new HistoryItems();
  items.add('shared', metas);
  const out = new Map<EntryId, LegacyStep[]>();
  for (const id of ids) {
    const at = (_scope: unknown, heads: readonly string[]) => entryAt(doc, id, heads);
    const steps: HistoryStep[] = historySteps(items.get(id), at);
    if (steps.length === 0) continue;
    out.set(
      id,
      steps.map(({ step: _step, changes, ...item }) => {
        const version = item.hash !== '' ? entryAt(doc, id, [item.hash]) : undefined;
        return version ? { item, changes, version } : { item, changes };
      }),
    );
  }
  return out;
}
