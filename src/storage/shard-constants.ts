/** On-disk names and formats of a sharded (schema v2) space; see shard-store.ts and read-index-store.ts. */

/** Folder of the shard logs inside a space folder. */
export const SHARDS_FOLDER = 'shards';
/** First bytes of a shard log file: magic + format version (framing.ts). */
export const SHARD_FILE_MAGIC = 'SNSHD';
/** The read index file and its journal, in the shards folder's parent (the space folder). */
export const INDEX_FILE = 'index';
export const INDEX_JOURNAL_FILE = 'index.journal';
export const INDEX_JOURNAL_MAGIC = 'SNIJL';
/** Shard logs kept open for appends (an append is then one write + one fdatasync, no open/close/stat). */
export const SHARD_HANDLES_OPEN = 32;
