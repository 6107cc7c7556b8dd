/** The shapes NoteLog takes and gives: its components and options, its change event, its read views. */
import type { Author, Entry, EntryKind, InvalidEntry, LogScope, Tombstone } from './entry.js';
import type { EntryId } from './ids.js';
import type { OpMessage } from './ops.js';
import type { Clock, HistoryCache, LogStore, Logger } from './ports.js';
import type { Heads } from './replica.js';
import type { ShardedSpace } from './shards/sharded-space.js';
import type { LegacyHistoryStore } from './legacy-history.js';

export interface NoteLogComponents {
  /** The shared log: published entries, replicated to peers (one document: schema v1). */
  shared?: LogStore;
  /** Or the shared log of a sharded space (schema v2), open; the note log closes it. */
  sharded?: ShardedSpace;
  /** A sharded space converted from v1: the history its entries had before (read a shard at a time). */
  legacyHistory?: LegacyHistoryStore;
  /** The local log: drafts, never leaves this device. */
  local: LogStore;
  logger: Logger;
  clock?: Clock;
  /** Keeps the history index between runs (without it the first `history` reads every change). */
  historyCache?: HistoryCache;
}
export interface NoteLogInit {
  author: Author;
  compactAfterRecords?: number;
}

/**
 * Where a change to the entries came from: `local` an operation on this device (a command, live
 * typing, a publish's two writes), `remote` a peer's changes (gossip or sync), `reload` the
 * document read again from its store after an Automerge failure (anything may differ: `ids` empty).
 */
export type ChangeOrigin = 'local' | 'remote' | 'reload';

/** The one change event of the note log: every front end refreshes from it, for every origin. */
export interface EntriesChanged {
  readonly scope: LogScope;
  readonly origin: ChangeOrigin;
  /** Entries touched, from the op records; empty when a change carried no readable record (then reload everything). */
  readonly ids: EntryId[];
  /** Their op records in order (who did what to which entry); absent for `reload` and a bulk catch-up. */
  readonly ops?: readonly OpMessage[];
  /** Remote changes: the peer they came from. */
  readonly from?: string;
  /** A catch-up took whole documents at once: v1, this many changes (`ids` empty: reload everything);
   *  on shards, whole shards holding this many entries (`ids` names them). */
  readonly bulk?: number;
}

export interface EntryList {
  readonly entries: Entry[];
  readonly deleted: Tombstone[];
  readonly invalid: InvalidEntry[];
}

/** Competing values of one field (concurrent writes of a title or name), and who wrote each. */
export interface FieldConflict {
  readonly field: string;
  readonly values: ReadonlyArray<{ readonly value: string; readonly by?: Author; readonly shown: boolean }>;
}

/** Which log holds an entry and that log's heads: the version an editor's copy is made from. */
export interface EntryVersionRef {
  readonly scope: LogScope;
  readonly heads: Heads;
}

export interface ListFilter {
  state?: 'draft' | 'published';
  kind?: EntryKind;
}
