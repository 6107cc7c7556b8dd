/**
 * On-disk format and limits of the file log store. Changing a magic or a version makes older
 * builds refuse the files (StoreReadError) instead of misreading them, so bump deliberately.
 */

/** File names inside a store folder. */
export const LOG_FILE = 'log';
export const SNAPSHOT_FILE = 'snapshot';
export const LOCK_FILE = 'LOCK';
/** Suffix of a file being written before it is renamed into place. */
export const TMP_SUFFIX = '.tmp';

/** First bytes of the `log` file: magic + format version. */
export const LOG_FILE_MAGIC = 'SNLOG';
/** First bytes of the `snapshot` file: its own magic, so the two can never be swapped silently. */
export const SNAPSHOT_FILE_MAGIC = 'SNSNP';
export const FORMAT_VERSION = 1;
/** Magic + one version byte. */
export const FILE_HEADER_BYTES = 6;

/**
 * Two bytes opening every frame. The first is an unlikely byte value so that a forward scan for
 * the next frame after damage rarely stops on a false candidate; the second tells the frame kind.
 */
export const RECORD_FRAME_MAGIC = Uint8Array.of(0xe5, 0x52); // 'R'
export const SNAPSHOT_FRAME_MAGIC = Uint8Array.of(0xe5, 0x53); // 'S'
/** Frame magic (2) + u32 payload length + u32 CRC-32C. */
export const FRAME_HEADER_BYTES = 10;

/** A larger length field can only be corruption; refusing it keeps a bad byte from allocating gigabytes. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/** Appends merged into one write are capped so a burst does not build one huge buffer. */
export const MAX_GROUP_COMMIT_BYTES = 16 * 1024 * 1024;
/** Extra wait before a group commit to gather more appends; 0 batches only what queued up during the last fsync. */
export const DEFAULT_GROUP_COMMIT_MS = 0;

/** A LOCK file we cannot parse is trusted as someone's lock in progress only for this long. */
export const STALE_GARBAGE_LOCK_MS = 5_000;
/** Bounded retries when two processes race to take over the same stale lock. */
export const LOCK_ATTEMPTS = 3;
