import { SharedNotesError } from '../errors.js';

/** The read index file or a journal record does not parse (it is a cache: rebuild it from the shards). */
export class IndexFormatError extends SharedNotesError {}
/** A shard's stored bytes do not load, or hold what a shard may not (a change for another shard). */
export class ShardDataError extends SharedNotesError {}
/** A synchronous read or write of an entry whose shard is not in memory (load or hold it first). */
export class ShardNotLoadedError extends SharedNotesError {}
