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
/** Largest snapshot accepted from a peer, as received (about 7 MB per 100k entries was measured). */
export const MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024;

/*
 * Decoded-size limits (decoded-size.ts): what peer bytes cost once Automerge decodes them. A
 * deflated chunk or a run-length header can stand for millions of ops in a few bytes, so these
 * count ops, value bytes and inflated bytes, never the bytes received. The WebAssembly heap costs
 * ~134 B per op while loading (docs/BENCHMARKS.md): 1.1 M ops ≈ 150 MB.
 */
/** One change: the largest one operation here can make (a 1 M-character text, a title, the fields). */
export const MAX_CHANGE_OPS = 1_100_000;
/** UTF-8 of one change's values (1 M characters of up to 4 bytes, plus the rest). */
export const MAX_CHANGE_VALUE_BYTES = 8 * 1024 * 1024;
/** One sync message (all the changes it carries, or the document it carries). */
export const MAX_SYNC_MESSAGE_OPS = 2_000_000;
export const MAX_SYNC_MESSAGE_VALUE_BYTES = 32 * 1024 * 1024;
export const MAX_SYNC_MESSAGE_CHANGES = 200_000;
/** Deflated data in one sync message is inflated under this cap. */
export const MAX_SYNC_MESSAGE_INFLATED_BYTES = 64 * 1024 * 1024;
/** A whole-document snapshot (one join): ~1 GB of WebAssembly heap at most. */
export const MAX_SNAPSHOT_OPS = 8_000_000;
export const MAX_SNAPSHOT_VALUE_BYTES = 128 * 1024 * 1024;
export const MAX_SNAPSHOT_CHANGES = 2_000_000;
export const MAX_SNAPSHOT_INFLATED_BYTES = 256 * 1024 * 1024;
/** A catch-up is applied in slices of about this many ops, yielding to the event loop between them. */
export const APPLY_SLICE_OPS = 20_000;
