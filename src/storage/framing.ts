/**
 * The byte format of the store's files, as pure functions over buffers (no I/O), so the
 * recovery rules can be property-tested directly.
 *
 * file  = header frame*          header = magic (5 ASCII bytes) + version (1 byte)
 * frame = magic (2) + length (u32 LE) + crc (u32 LE) + payload
 * The CRC-32C covers the magic, the length and the payload: a flipped length bit fails the
 * checksum instead of silently re-slicing the file.
 */
import { crc32c } from './crc32c.js';
import { FILE_HEADER_BYTES, FORMAT_VERSION, FRAME_HEADER_BYTES, MAX_RECORD_BYTES, SNAPSHOT_FILE_MAGIC, SNAPSHOT_FRAME_MAGIC } from './constants.js';

export function encodeFileHeader(magic: string): Buffer {
  const header = Buffer.alloc(FILE_HEADER_BYTES);
  header.write(magic, 0, 'latin1');
  header[FILE_HEADER_BYTES - 1] = FORMAT_VERSION;
  return header;
}

export type HeaderCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Whether `bytes` opens with our header for `magic` in a version this build can read. */
export function checkFileHeader(bytes: Uint8Array, magic: string): HeaderCheck {
  if (bytes.length < FILE_HEADER_BYTES) {
    return { ok: false, reason: `it is ${bytes.length} bytes long, too short to be a Shared Notes file` };
  }
  const found = Buffer.from(bytes.subarray(0, magic.length)).toString('latin1');
  if (found !== magic) {
    return { ok: false, reason: `it does not start with "${magic}" (found ${JSON.stringify(found)}); it is not a Shared Notes file` };
  }
  const version = bytes[FILE_HEADER_BYTES - 1]!;
  if (version === 0 || version > FORMAT_VERSION) {
    return { ok: false, reason: `it uses format version ${version}, this build reads up to version ${FORMAT_VERSION}` };
  }
  return { ok: true };
}

function frameChecksum(header: Uint8Array, payload: Uint8Array): number {
  return crc32c(payload, crc32c(header.subarray(0, 6)));
}

export function encodeFrame(payload: Uint8Array, magic: Uint8Array): Buffer {
  if (payload.length > MAX_RECORD_BYTES) {
    throw new RangeError(`a record of ${payload.length} bytes exceeds the ${MAX_RECORD_BYTES}-byte limit`);
  }
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame[0] = magic[0]!;
  frame[1] = magic[1]!;
  frame.writeUInt32LE(payload.length, 2);
  frame.set(payload, FRAME_HEADER_BYTES);
  frame.writeUInt32LE(frameChecksum(frame, payload), 6);
  return frame;
}

export function encodeFrames(payloads: readonly Uint8Array[], magic: Uint8Array): Buffer {
  return Buffer.concat(payloads.map((p) => encodeFrame(p, magic)));
}

/** End offset of the frame starting at `offset` if it is complete and its checksum verifies. */
export function validFrameEnd(bytes: Uint8Array, offset: number, magic: Uint8Array, maxLength = MAX_RECORD_BYTES): number | undefined {
  if (bytes.length - offset < FRAME_HEADER_BYTES) return undefined;
  if (bytes[offset] !== magic[0] || bytes[offset + 1] !== magic[1]) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, FRAME_HEADER_BYTES);
  const length = view.getUint32(2, true);
  const end = offset + FRAME_HEADER_BYTES + length;
  if (length > maxLength || end > bytes.length) return undefined;
  const header = bytes.subarray(offset, offset + FRAME_HEADER_BYTES);
  const payload = bytes.subarray(offset + FRAME_HEADER_BYTES, end);
  return frameChecksum(header, payload) === view.getUint32(6, true) ? end : undefined;
}

/** A run of bytes that is not part of any valid frame. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface ScanResult {
  /** Payloads of every frame that verified, in file order; views into the scanned buffer. */
  readonly records: Uint8Array[];
  /** Damaged ranges that valid frames follow: corruption in the middle of the file. */
  readonly damaged: ByteRange[];
  /** Bytes after the last valid frame (a write cut short by a crash), if any. */
  readonly tornTail: ByteRange | undefined;
  /** Offset just after the last valid frame: where the next append belongs. */
  readonly validEnd: number;
}

/** Offset of the next frame that verifies at or after `from`, found via its magic bytes. */
function nextValidFrame(bytes: Uint8Array, from: number, magic: Uint8Array, maxLength: number): number | undefined {
  const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const needle = Buffer.from(magic);
  for (let at = haystack.indexOf(needle, from); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    if (validFrameEnd(bytes, at, magic, maxLength) !== undefined) return at;
  }
  return undefined;
}

/**
 * Reads every frame from `start`. Damage followed by a valid frame is skipped (resynchronising
 * on the next frame that verifies) and reported in `damaged`; damage with no valid frame after it
 * is the torn tail. Never throws and never returns bytes that were not a whole verified frame.
 */
export function scanFrames(bytes: Uint8Array, start: number, magic: Uint8Array, maxLength = MAX_RECORD_BYTES): ScanResult {
  const records: Uint8Array[] = [];
  const damaged: ByteRange[] = [];
  let offset = start;
  let validEnd = start;
  while (offset < bytes.length) {
    const end = validFrameEnd(bytes, offset, magic, maxLength);
    if (end !== undefined) {
      records.push(bytes.subarray(offset + FRAME_HEADER_BYTES, end));
      offset = validEnd = end;
      continue;
    }
    const next = nextValidFrame(bytes, offset + 1, magic, maxLength);
    if (next === undefined) break;
    damaged.push({ start: offset, end: next });
    offset = next;
  }
  const tornTail = validEnd < bytes.length ? { start: validEnd, end: bytes.length } : undefined;
  return { records, damaged, tornTail, validEnd };
}

export function encodeSnapshotFile(snapshot: Uint8Array): Buffer {
  return Buffer.concat([encodeFileHeader(SNAPSHOT_FILE_MAGIC), encodeFrame(snapshot, SNAPSHOT_FRAME_MAGIC)]);
}

export type SnapshotDecode =
  | { readonly kind: 'ok'; readonly snapshot: Uint8Array; readonly trailingBytes: number }
  | { readonly kind: 'foreign'; readonly reason: string }
  | { readonly kind: 'corrupt'; readonly reason: string };

/**
 * A snapshot file is written whole and renamed into place, so any damage is corruption, not a
 * torn write; only a header that is not ours at all (another program's file) is `foreign`.
 */
export function decodeSnapshotFile(bytes: Uint8Array): SnapshotDecode {
  if (bytes.length < FILE_HEADER_BYTES) return { kind: 'corrupt', reason: `only ${bytes.length} bytes long` };
  const header = checkFileHeader(bytes, SNAPSHOT_FILE_MAGIC);
  if (!header.ok) return { kind: 'foreign', reason: header.reason };
  const end = validFrameEnd(bytes, FILE_HEADER_BYTES, SNAPSHOT_FRAME_MAGIC);
  if (end === undefined) return { kind: 'corrupt', reason: 'its checksum or length does not verify' };
  return { kind: 'ok', snapshot: bytes.subarray(FILE_HEADER_BYTES + FRAME_HEADER_BYTES, end), trailingBytes: bytes.length - end };
}
