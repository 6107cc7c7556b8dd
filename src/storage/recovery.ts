/**
 * Reading a store folder back after a clean close or any crash, and repairing what a crash or a
 * bad disk left behind. Every repair preserves the damaged original before changing anything,
 * and a file that is not ours at all is refused untouched.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreReadError } from '../core/errors.js';
import type { LoadedLog, Logger, StoreProblem } from '../core/ports.js';
import { FILE_HEADER_BYTES, LOG_FILE, LOG_FILE_MAGIC, RECORD_FRAME_MAGIC, SNAPSHOT_FILE, TMP_SUFFIX } from './constants.js';
import { copyAside, describeFsError, errorCode, moveAside, repairing, writeFileDurably } from './durable-files.js';
import { checkFileHeader, decodeSnapshotFile, encodeFileHeader, encodeFrames, scanFrames, type ScanResult, type SnapshotDecode } from './framing.js';

export interface RecoveredStore {
  readonly loaded: LoadedLog;
  /** Length of the (repaired) log file: where the next append goes. */
  readonly logLength: number;
}

async function readIfPresent(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw new StoreReadError(`could not read ${path}: ${describeFsError(err)}`, { cause: err });
  }
}

/** A crashed compaction leaves a half-written temp file; the real file next to it is still whole. */
async function removeLeftoverTemps(dir: string, logger: Logger): Promise<void> {
  for (const name of [LOG_FILE, SNAPSHOT_FILE]) {
    const tmp = join(dir, name + TMP_SUFFIX);
    try {
      await unlink(tmp);
      logger.info(`removed ${tmp} left by an interrupted compaction`);
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') logger.warn(`could not remove ${tmp}: ${describeFsError(err)}`);
    }
  }
}

async function truncateDurably(path: string, length: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.truncate(length);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function recoverSnapshot(dir: string, decoded: SnapshotDecode | undefined, logger: Logger, problems: StoreProblem[]): Promise<Uint8Array | undefined> {
  if (decoded === undefined) return undefined;
  const file = join(dir, SNAPSHOT_FILE);
  if (decoded.kind === 'ok') {
    if (decoded.trailingBytes > 0) logger.warn(`${file} has ${decoded.trailingBytes} unexpected bytes after its snapshot; ignoring them`);
    return decoded.snapshot;
  }
  const movedTo = await repairing(file, () => moveAside(dir, SNAPSHOT_FILE, logger));
  const detail = `the snapshot is damaged (${decoded.reason}); it was moved to ${movedTo}`;
  logger.warn(`${file}: ${detail}`);
  problems.push({ kind: 'corrupt-snapshot', file, detail, movedTo });
  return undefined;
}

async function recoverLog(dir: string, bytes: Buffer, scan: ScanResult, logger: Logger, problems: StoreProblem[]): Promise<number> {
  const file = join(dir, LOG_FILE);
  if (scan.damaged.length > 0) {
    const lost = scan.damaged.reduce((sum, r) => sum + r.end - r.start, 0) + (scan.tornTail ? scan.tornTail.end - scan.tornTail.start : 0);
    const movedTo = await repairing(file, () => copyAside(dir, LOG_FILE, logger));
    const rewritten = Buffer.concat([encodeFileHeader(LOG_FILE_MAGIC), encodeFrames(scan.records, RECORD_FRAME_MAGIC)]);
    await repairing(file, () => writeFileDurably(dir, LOG_FILE, rewritten, logger));
    const detail = `${scan.damaged.length} damaged stretch(es) in the log (${lost} of ${bytes.length} bytes) were skipped; ` +
      `${scan.records.length} intact records were kept and the original was copied to ${movedTo}`;
    logger.warn(`${file}: ${detail}`);
    problems.push({ kind: 'corrupt-record', file, detail, movedTo });
    return rewritten.length;
  }
  if (scan.tornTail !== undefined) {
    const dropped = scan.tornTail.end - scan.tornTail.start;
    await repairing(file, () => truncateDurably(file, scan.validEnd));
    const detail = `dropped ${dropped} bytes of an incomplete last write (normal after a crash); ${scan.records.length} records kept`;
    logger.warn(`${file}: ${detail}`);
    problems.push({ kind: 'torn-tail', file, detail });
  }
  return scan.validEnd;
}

/**
 * Loads `dir`'s snapshot and log, repairing damage as described in LogStore's contract. Throws
 * StoreReadError, having changed nothing, when either file is not a Shared Notes file.
 */
export async function recoverStore(dir: string, logger: Logger): Promise<RecoveredStore> {
  const logFile = join(dir, LOG_FILE);
  const snapshotFile = join(dir, SNAPSHOT_FILE);
  const logBytes = await readIfPresent(logFile);
  const snapshotBytes = await readIfPresent(snapshotFile);

  // Judge both files before touching anything: never start empty over someone's data.
  if (logBytes !== undefined && logBytes.length > 0) {
    const header = checkFileHeader(logBytes, LOG_FILE_MAGIC);
    if (!header.ok) throw new StoreReadError(`cannot open ${logFile}: ${header.reason}. Nothing was changed.`);
  }
  const snapshotDecoded = snapshotBytes === undefined ? undefined : decodeSnapshotFile(snapshotBytes);
  if (snapshotDecoded?.kind === 'foreign') {
    throw new StoreReadError(`cannot open ${snapshotFile}: ${snapshotDecoded.reason}. Nothing was changed.`);
  }

  await removeLeftoverTemps(dir, logger);
  const problems: StoreProblem[] = [];
  const snapshot = await recoverSnapshot(dir, snapshotDecoded, logger, problems);

  if (logBytes === undefined || logBytes.length === 0) {
    // A fresh folder. (An empty `log` holds nothing to lose; the store never leaves one behind.)
    const header = encodeFileHeader(LOG_FILE_MAGIC);
    await repairing(logFile, () => writeFileDurably(dir, LOG_FILE, header, logger));
    return { loaded: { snapshot, records: [], problems }, logLength: header.length };
  }
  const scan = scanFrames(logBytes, FILE_HEADER_BYTES, RECORD_FRAME_MAGIC);
  const logLength = await recoverLog(dir, logBytes, scan, logger, problems);
  return { loaded: { snapshot, records: scan.records, problems }, logLength };
}
