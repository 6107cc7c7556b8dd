/** The shapes Replica takes and gives: its options, its events, a change made here. */
import type * as A from '@automerge/automerge';
import type { Logger } from './ports.js';

export type Heads = string[];

export interface ReplicaEvents {
  /** A change made here, its write started (not yet durable); the network publishes it, NoteLog raises `changed`. */
  'local-change': Uint8Array;
  /** Changes from a peer that were new here, already applied (and stored, unless the disk failed).
   *  After a whole-document snapshot `changes` is empty and `snapshot` holds how many there were. */
  'remote-changes': { changes: Uint8Array[]; from: string; snapshot?: number };
  /** Compaction replaced the document by a rebuilt one (its change history is new). */
  rebuilt: { changes: number };
  /** Automerge panicked on a peer's change; the document was reloaded from the store. */
  reloaded: { reason: string };
}

/** A change made here: its bytes (none when nothing changed), the version it made, its durability. */
export interface MadeChange {
  readonly change?: Uint8Array;
  readonly heads: Heads;
  readonly durable: Promise<void>;
}

export interface ReplicaInit<T = unknown> {
  name: string;
  logger: Logger;
  compactAfterRecords?: number;
  clock?: () => number;
  /**
   * Compaction may replace the document by a smaller one holding the same state (the local log
   * rebuilds itself from its live drafts, forgetting published ones). Undefined: keep it whole.
   */
  rebuild?: (doc: A.Doc<T>) => A.Doc<T> | undefined;
}
