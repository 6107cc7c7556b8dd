import { SharedNotesError } from '../errors.js';

/** The read index file or a journal record does not parse (it is a cache: rebuild it from the shards). */
export class IndexFormatError extends SharedNotesError {}
/** A shard's stored bytes do not load, or hold what a shard may not (a change for another shard). */
export class ShardDataError extends SharedNotesError {}
/** A synchronous read or write of an entry whose shard is not in memory (load or hold it first). */
export class ShardNotLoadedError extends SharedNotesError {}
/**
 * A peer's sync message carries a change that conflicts with one held here: one actor, one
 * sequence number, two different changes. Whoever wrote them sent different members different
 * versions; the peer only passed its version on, so it is not struck: that shard is left out of
 * the conversation and stays different between the two (the status says not in sync).
 */
export class ConflictingChangeError extends SharedNotesError {}
