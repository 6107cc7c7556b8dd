/** Limits and defaults of the core, in one place. */

/** Document schema version (the `v` field of the genesis change). */
export const SCHEMA_VERSION = 1;
/** Hex digits of an entry id used as bucket path: 16 × 16 × 16 = 4,096 leaf maps. Measured: keeps a
 *  create at ~0.6–0.7 ms at 100k entries, where 256 flat buckets reached 1.05 ms. */
export const BUCKET_LEVELS = 3;
/** Entry id: 16 random bytes as 32 lowercase hex digits. */
export const ENTRY_ID_PATTERN = /^[0-9a-f]{32}$/;

export const MAX_TITLE_LENGTH = 500;
export const MAX_TEXT_LENGTH = 1_000_000;
export const MAX_AUTHOR_NAME_LENGTH = 100;
export const MAX_DEVICE_ID_LENGTH = 100;

/** Compact a log into a snapshot after this many records, so start-up stays bounded. */
export const COMPACT_AFTER_RECORDS = 5_000;
/** A single change from a peer larger than this is refused. */
export const MAX_CHANGE_BYTES = 8 * 1024 * 1024;
/** A peer that has nothing but the genesis change receives the whole document as a snapshot
 *  (Automerge.save bytes, loaded in one go: ~4× faster than applying a sync message of every change). */
export const SNAPSHOT_CHUNK_BYTES = 4 * 1024 * 1024;
/** Largest snapshot accepted from a peer (about 7 MB per 100k entries was measured). */
export const MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024;
