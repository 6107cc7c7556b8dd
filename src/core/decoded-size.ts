import { inflateRawSync } from 'node:zlib';
import { InvalidPeerDataError } from './errors.js';

/**
 * What Automerge bytes will cost once decoded, measured without decoding them: a walk over the
 * chunk headers and column metadata of the binary format (automerge rust/automerge/src/storage),
 * counting run-length-encoded rows arithmetically. A run header can claim millions of rows in a
 * few bytes and a deflated column or change chunk can hold megabytes in a few hundred, so every
 * limit here counts decoded rows and bytes, never the bytes received.
 */
export interface DecodedLimits {
  /** Rows in the largest op column (≈ ops: characters typed, deleted, map keys…). */
  readonly maxOps: number;
  /** Bytes of op values (the UTF-8 of inserted characters and of set values), after inflating. */
  readonly maxValueBytes: number;
  /** Changes (a change chunk counts one; a document chunk counts its rows). */
  readonly maxChanges: number;
  /** Deflated change chunks (type 2) and deflated document columns are inflated under this cap;
   *  0 refuses anything deflated. */
  readonly maxInflatedBytes: number;
  /** Document chunks (whole saved documents) are allowed. */
  readonly documents: boolean;
}

export interface DecodedSize {
  chunks: number;
  changes: number;
  ops: number;
  valueBytes: number;
  /** Bytes produced by inflating deflated chunks and columns. */
  inflatedBytes: number;
}

/** Peer data over a decoded-size limit, or in a form we do not accept there (a strike). */
export class DecodedSizeError extends InvalidPeerDataError {}

const MAGIC = [0x85, 0x6f, 0x4a, 0x83];
const CHUNK_DOCUMENT = 0;
const CHUNK_CHANGE = 1;
const CHUNK_COMPRESSED_CHANGE = 2;
const HASH_BYTES = 32;
const DEFLATE_BIT = 0b1000;
const enum ColumnType {
  Group = 0,
  Actor = 1,
  Integer = 2,
  DeltaInteger = 3,
  Boolean = 4,
  String = 5,
  ValueMetadata = 6,
  Value = 7,
}

/** Measures every chunk in `bytes` (a change, a saved document, or several concatenated);
 *  throws DecodedSizeError as soon as a total goes over `limits` or the bytes do not parse. */
export function measureChunks(bytes: Uint8Array, limits: DecodedLimits, onChunk?: (chunk: Uint8Array, ops: number) => void): DecodedSize {
  const size: DecodedSize = { chunks: 0, changes: 0, ops: 0, valueBytes: 0, inflatedBytes: 0 };
  const r = new Reader(bytes);
  if (r.done()) throw new DecodedSizeError('no Automerge chunk in an empty buffer');
  while (!r.done()) {
    const start = r.offset;
    for (const m of MAGIC) if (r.byte() !== m) throw new DecodedSizeError('not an Automerge chunk (bad magic bytes)');
    r.take(4); // checksum: Automerge checks it against the hash of what follows
    const type = r.byte();
    const body = r.take(r.uint());
    size.chunks++;
    let ops: number;
    if (type === CHUNK_DOCUMENT) {
      if (!limits.documents) throw new DecodedSizeError('a whole document where changes were expected');
      ops = measureDocument(body, size, limits);
    } else if (type === CHUNK_CHANGE) {
      ops = measureChange(body, size, limits);
    } else if (type === CHUNK_COMPRESSED_CHANGE) {
      if (limits.maxInflatedBytes === 0) throw new DecodedSizeError('a deflate-compressed change chunk (refused here: its size cannot be told from its length)');
      ops = measureChange(inflate(body, size, limits), size, limits);
    } else {
      throw new DecodedSizeError(`Automerge chunk of type ${type} is not accepted`);
    }
    check(size, limits);
    onChunk?.(bytes.subarray(start, r.offset), ops);
  }
  return size;
}

/** A change: deps, actor, seq, start op, time, message, other actors, then its op columns (never deflated). */
function measureChange(body: Uint8Array, size: DecodedSize, limits: DecodedLimits): number {
  const r = new Reader(body);
  r.take(r.uint() * HASH_BYTES);
  r.take(r.uint()); // actor
  r.uint(); // seq
  r.uint(); // start op
  r.int(); // time
  r.take(r.uint()); // message
  for (let n = r.uint(); n > 0; n--) r.take(r.uint());
  const columns = readColumnMeta(r);
  size.changes++;
  let ops = 0;
  for (const column of columns) {
    if (column.spec & DEFLATE_BIT) throw new DecodedSizeError('a change with deflated columns');
    ops = Math.max(ops, countColumn(column.spec, r.take(column.length), size, limits));
  }
  size.ops += ops;
  return ops;
}

/** A saved document: actors, heads, change columns, op columns, then the data of both (columns may be deflated). */
function measureDocument(body: Uint8Array, size: DecodedSize, limits: DecodedLimits): number {
  const r = new Reader(body);
  for (let n = r.uint(); n > 0; n--) r.take(r.uint());
  r.take(r.uint() * HASH_BYTES);
  const changeColumns = readColumnMeta(r);
  const opColumns = readColumnMeta(r);
  const data = (column: { spec: number; length: number }) => {
    const bytes = r.take(column.length);
    return column.spec & DEFLATE_BIT ? inflate(bytes, size, limits) : bytes;
  };
  // Change rows are metadata (actor, seq, deps, message): their values are not op values.
  const metadata: DecodedSize = { chunks: 0, changes: 0, ops: 0, valueBytes: 0, inflatedBytes: 0 };
  const changeLimits = { ...limits, maxOps: limits.maxChanges, maxValueBytes: Infinity };
  let changes = 0;
  for (const column of changeColumns) changes = Math.max(changes, countColumn(column.spec, data(column), metadata, changeLimits));
  size.changes += changes;
  let ops = 0;
  for (const column of opColumns) ops = Math.max(ops, countColumn(column.spec, data(column), size, limits));
  size.ops += ops;
  return ops;
}

function readColumnMeta(r: Reader): { spec: number; length: number }[] {
  const columns: { spec: number; length: number }[] = [];
  for (let n = r.uint(); n > 0; n--) columns.push({ spec: r.uint(), length: r.uint() });
  return columns;
}

/** Rows of one column (a value column adds its bytes to `size` and counts none). */
function countColumn(spec: number, data: Uint8Array, size: DecodedSize, limits: DecodedLimits): number {
  const type = (spec & 0b111) as ColumnType;
  if (type === ColumnType.Value) {
    size.valueBytes += data.byteLength;
    check(size, limits);
    return 0;
  }
  const r = new Reader(data);
  let rows = 0;
  const add = (n: number) => {
    rows += n;
    if (rows + size.ops > limits.maxOps) throw new DecodedSizeError(`over ${limits.maxOps} ops once decoded`);
  };
  if (type === ColumnType.Boolean) {
    while (!r.done()) add(r.uint());
  } else {
    const skipValue = type === ColumnType.String ? () => r.take(r.uint()) : type === ColumnType.DeltaInteger ? () => r.int() : () => r.uint();
    while (!r.done()) {
      const count = r.int();
      if (count > 0) {
        skipValue();
        add(count);
      } else if (count < 0) {
        add(-count);
        for (let i = 0; i < -count; i++) skipValue();
      } else {
        add(r.uint());
      }
    }
  }
  return rows;
}

function inflate(data: Uint8Array, size: DecodedSize, limits: DecodedLimits): Uint8Array {
  const room = limits.maxInflatedBytes - size.inflatedBytes;
  if (room <= 0) throw new DecodedSizeError('deflated data where none is accepted, or over the inflate limit');
  let out: Uint8Array;
  try {
    out = inflateRawSync(data, { maxOutputLength: Math.min(room, 2 ** 32) });
  } catch (err) {
    throw new DecodedSizeError(`deflated data that does not inflate within ${room} bytes: ${String(err)}`, { cause: err });
  }
  size.inflatedBytes += out.byteLength;
  return out;
}

function check(size: DecodedSize, limits: DecodedLimits): void {
  if (size.ops > limits.maxOps) throw new DecodedSizeError(`${size.ops} ops once decoded, over the limit of ${limits.maxOps}`);
  if (size.valueBytes > limits.maxValueBytes) throw new DecodedSizeError(`${size.valueBytes} value bytes once decoded, over the limit of ${limits.maxValueBytes}`);
  if (size.changes > limits.maxChanges) throw new DecodedSizeError(`${size.changes} changes, over the limit of ${limits.maxChanges}`);
}

/** Reads the LEB128 numbers and length-prefixed fields of Automerge binary chunks; refuses to read past its buffer or past 2^53 (DecodedSizeError). */
export class Reader {
  private pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get offset(): number {
    return this.pos;
  }

  done(): boolean {
    return this.pos >= this.bytes.byteLength;
  }

  byte(): number {
    if (this.pos >= this.bytes.byteLength) throw new DecodedSizeError('truncated Automerge data');
    return this.bytes[this.pos++]!;
  }

  take(n: number): Uint8Array {
    if (n > this.bytes.byteLength - this.pos) throw new DecodedSizeError('truncated Automerge data (a length runs past its buffer)');
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  uint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new DecodedSizeError('LEB128 number over 2^56');
  }

  int(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return b & 0x40 ? value - scale : value;
    }
    throw new DecodedSizeError('LEB128 number over 2^56');
  }
}
