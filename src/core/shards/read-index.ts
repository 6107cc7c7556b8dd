/**
 * The read index of a sharded space: every list row plus, per shard, the state of its stored log
 * and its heads. Held as the index file's bytes (one Buffer) plus an array of row offsets, never
 * as one JS object per row, with the rows changed since (an overlay) beside it; `encode` folds
 * them into a new file. Pure: bytes in, bytes out.
 *
 * File: `SNIDX 1 <rows>\n`, the rows newest first (index-rows.ts, `obj` written as
 * `<counter>@<actor number>`), `#actors\t<actor>…\n`, then one `#shard\t<id>\t<size>\t<mtime>\t<heads>\n`
 * per shard whose log exists. The first screen needs only the first few KB.
 */
import { isEntryId } from '../ids.js';
import { compareRows, decodeRow, encodeRow, type IndexRow } from './index-rows.js';
import { IndexFormatError } from './errors.js';
import type { Logger } from '../ports.js';
import type { IndexStore } from './ports.js';
import { isShardId, SHARD_COUNT, SHARD_DIGITS, type ShardId } from './shard-id.js';

const MAGIC = 'SNIDX 1 ';
const NEWLINE = 0x0a;

/** What the index knows of one shard's stored log: a log that differs is re-indexed at start. */
export interface ShardState {
  readonly size: number;
  readonly mtimeMs: number;
  readonly heads: readonly string[];
}

/** A change of the index: one shard's new state and rows (`replace`: they are all of its rows). */
export interface IndexUpdate {
  readonly shard: ShardId;
  readonly state: ShardState;
  readonly rows: readonly IndexRow[];
  readonly replace: boolean;
}

/** What the list makes of a row: a listed entry, a tombstone, or an invalid row (a bad state, no known kind, a key that is no entry id). */
export type ListClass = 'published' | 'deleted' | 'invalid';
const CLASSES: readonly ListClass[] = ['published', 'deleted', 'invalid'];

export function listClassOf(row: Pick<IndexRow, 'id' | 'kind' | 'state'>): ListClass {
  if (row.state === 'invalid' || row.kind === '' || !isEntryId(row.id)) return 'invalid';
  return row.state === 'deleted' ? 'deleted' : 'published';
}

const TAB = 0x09;
const ID_LENGTH = 32;
const isHexDigit = (b: number): boolean => (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66);

export class ReadIndex {
  /** Each base row's list class (an index into CLASSES), read from its bytes once: counts and filtered lists decode no row they skip. */
  private baseClasses: Uint8Array | undefined;
  private baseCounts: Record<ListClass, number> | undefined;
  /** Counts of the rows as they are now (base and overlay), once asked for. */
  private countsNow: Record<ListClass, number> | undefined;
  private readonly overlay = new Map<string, IndexRow | null>();
  /** The overlay's ids by shard (what `shardRows` reads instead of scanning the whole overlay). */
  private readonly overlayIds = new Map<string, Set<string>>();
  private overlaySorted: IndexRow[] | undefined;
  private readonly shardStates = new Map<ShardId, ShardState>();
  /** Base rows grouped by shard (counting sort, built on first use). */
  private byShard: { start: Int32Array; rows: Int32Array } | undefined;

  private constructor(
    private readonly base: Buffer,
    /** Start of each base row, plus one past the last row's newline. */
    private readonly offsets: Int32Array,
    private readonly actors: readonly string[],
  ) {}

  static empty(): ReadIndex {
    return new ReadIndex(Buffer.alloc(0), Int32Array.of(0), []);
  }

  /** Parses a whole index file. Throws IndexFormatError when it is not one (rebuild from the shards). */
  static parse(bytes: Uint8Array): ReadIndex {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const { count, start } = readHeader(buf);
    const offsets = new Int32Array(count + 1);
    let at = start;
    for (let k = 0; k < count; k++) {
      offsets[k] = at;
      const nl = buf.indexOf(NEWLINE, at);
      if (nl < 0) throw new IndexFormatError(`the index ends inside row ${k + 1} of ${count}`);
      at = nl + 1;
    }
    offsets[count] = at;
    const trailer = buf.toString('utf8', at).split('\n');
    const actorsLine = trailer[0] ?? '';
    if (!actorsLine.startsWith('#actors')) throw new IndexFormatError('the index has no actor table after its rows');
    const index = new ReadIndex(buf, offsets, actorsLine.split('\t').slice(1));
    for (const line of trailer.slice(1)) {
      if (line === '') continue;
      const [tag, id, size, mtime, heads] = line.split('\t');
      if (tag !== '#shard' || !isShardId(id) || heads === undefined) throw new IndexFormatError(`a bad shard line in the index: ${line.slice(0, 80)}`);
      index.shardStates.set(id, { size: Number(size), mtimeMs: Number(mtime), heads: heads === '' ? [] : heads.split(',') });
    }
    return index;
  }

  /** The first `n` rows from the first bytes of an index file (the first screen, before the rest is read). */
  static firstRows(prefix: Uint8Array, n: number): IndexRow[] {
    const buf = Buffer.from(prefix.buffer, prefix.byteOffset, prefix.byteLength);
    const { count, start } = readHeader(buf);
    const rows: IndexRow[] = [];
    let at = start;
    while (rows.length < Math.min(n, count)) {
      const nl = buf.indexOf(NEWLINE, at);
      if (nl < 0) break;
      rows.push(decodeRow(buf.toString('utf8', at, nl)));
      at = nl + 1;
    }
    return rows;
  }

  get baseRowCount(): number {
    return this.offsets.length - 1;
  }

  /** Rows changed since the base was written (what the journal holds). */
  get pendingRows(): number {
    return this.overlay.size;
  }

  shard(id: ShardId): ShardState | undefined {
    return this.shardStates.get(id);
  }

  shards(): ReadonlyMap<ShardId, ShardState> {
    return this.shardStates;
  }

  /** Every row in list order (base rows merged with the changed ones). */
  /**
   * The rows in list order (newest first); with `where`, only the rows of those list classes, the
   * others skipped without being decoded (the Notes view's first page of 100k entries, the
   * tombstones among them).
   */
  *rows(where?: (c: ListClass) => boolean): Generator<IndexRow> {
    const changed = where ? this.sortedOverlay().filter((r) => where(listClassOf(r))) : this.sortedOverlay();
    const classes = where ? this.classes() : undefined;
    let c = 0;
    for (let k = 0; k < this.baseRowCount; k++) {
      if (classes && !where!(CLASSES[classes[k]!]!)) continue;
      if (this.overlay.size > 0 && this.overlay.has(this.baseId(k))) continue;
      const row = this.baseRow(k);
      while (c < changed.length && compareRows(changed[c]!, row) < 0) yield changed[c++]!;
      yield row;
    }
    while (c < changed.length) yield changed[c++]!;
  }

  /** How many rows of each list class the index holds (what the Notes view's groups count). */
  listCounts(): Readonly<Record<ListClass, number>> {
    if (this.countsNow) return { ...this.countsNow };
    const classes = this.classes();
    if (!this.baseCounts) {
      const counts = { published: 0, deleted: 0, invalid: 0 };
      for (const c of classes) counts[CLASSES[c]!]++;
      this.baseCounts = counts;
    }
    const counts = { ...this.baseCounts };
    for (const [id, row] of this.overlay) {
      const before = this.baseRowClass(id);
      if (before) counts[before]--;
      if (row) counts[listClassOf(row)]++;
    }
    this.countsNow = counts; // kept current by setOverlay from now on
    return { ...counts };
  }

  /** The first `n` rows in list order. */
  page(n: number): IndexRow[] {
    const out: IndexRow[] = [];
    for (const row of this.rows()) {
      if (out.length >= n) break;
      out.push(row);
    }
    return out;
  }

  /** The rows of one shard (found without decoding the others). */
  shardRows(shard: ShardId): IndexRow[] {
    const out = new Map<string, IndexRow>();
    const groups = this.groups();
    const s = parseInt(shard, 16);
    for (let i = groups.start[s]!; i < groups.start[s + 1]!; i++) {
      const row = this.baseRow(groups.rows[i]!);
      if (!this.overlay.has(row.id)) out.set(row.id, row);
    }
    for (const id of this.overlayIds.get(shard) ?? []) {
      const row = this.overlay.get(id);
      if (row) out.set(id, row);
    }
    return [...out.values()];
  }

  /** Applies an update (a local or gossiped change, or a re-index of the shard). */
  apply(update: IndexUpdate): void {
    if (update.replace) {
      const keep = new Set(update.rows.map((r) => r.id));
      for (const row of this.shardRows(update.shard)) if (!keep.has(row.id)) this.setOverlay(update.shard, row.id, null);
    }
    for (const row of update.rows) this.setOverlay(update.shard, row.id, row);
    this.overlaySorted = undefined;
    this.shardStates.set(update.shard, update.state);
  }

  /** The whole index as a file (base and changes merged): after writing it, `parse` it as the new base. */
  encode(): Buffer {
    const actorIndex = new Map<string, number>();
    const lines: string[] = [];
    for (const row of this.rows()) lines.push(encodeRow(row, compressObj(row.obj, actorIndex)));
    const shardLines = [...this.shardStates].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, s]) => `#shard\t${id}\t${s.size}\t${s.mtimeMs}\t${s.heads.join(',')}`);
    const text = `${MAGIC}${lines.length}\n${lines.map((l) => `${l}\n`).join('')}#actors${[...actorIndex.keys()].map((a) => `\t${a}`).join('')}\n${shardLines.map((l) => `${l}\n`).join('')}`;
    return Buffer.from(text, 'utf8');
  }

  private setOverlay(shard: string, id: string, row: IndexRow | null): void {
    if (this.countsNow) {
      // Counts follow each change (a catch-up changes thousands of rows while a view asks for them).
      const before = this.overlay.has(id) ? this.overlay.get(id) : this.baseRowClass(id);
      if (before) this.countsNow[typeof before === 'string' ? before : listClassOf(before)]--;
      if (row) this.countsNow[listClassOf(row)]++;
    }
    this.overlay.set(id, row);
    let ids = this.overlayIds.get(shard);
    if (ids === undefined) this.overlayIds.set(shard, (ids = new Set()));
    ids.add(id);
  }

  private baseId(k: number): string {
    const start = this.offsets[k]!;
    const tab = this.base.indexOf(0x09, start);
    const id = this.base.toString('utf8', start, tab);
    return id.includes('\\') ? this.baseRow(k).id : id; // an escaped key (only invalid rows have one)
  }

  /** The list class of every base row: from the id, kind and state bytes (`<32 hex>\t<kind>\t<state>\t…`), a row of another shape decoded. */
  private classes(): Uint8Array {
    if (this.baseClasses) return this.baseClasses;
    const n = this.baseRowCount;
    const out = new Uint8Array(n);
    const b = this.base;
    const { published, deleted, invalid } = { published: 0, deleted: 1, invalid: 2 };
    for (let k = 0; k < n; k++) {
      const at = this.offsets[k]!;
      let plain = b[at + ID_LENGTH] === TAB && b[at + ID_LENGTH + 2] === TAB && b[at + ID_LENGTH + 4] === TAB;
      for (let i = 0; plain && i < ID_LENGTH; i++) plain = isHexDigit(b[at + i]!);
      if (!plain) {
        out[k] = CLASSES.indexOf(listClassOf(this.baseRow(k)));
        continue;
      }
      const kind = b[at + ID_LENGTH + 1];
      const state = b[at + ID_LENGTH + 3];
      out[k] = kind === 0x2d /* '-' */ || state === 0x69 /* 'i' */ ? invalid : state === 0x78 /* 'x' */ ? deleted : state === 0x70 /* 'p' */ ? published : CLASSES.indexOf(listClassOf(this.baseRow(k)));
    }
    return (this.baseClasses = out);
  }

  /** The list class of entry `id`'s base row, undefined when the base has none. */
  private baseRowClass(id: string): ListClass | undefined {
    const k = this.baseIndexOf(id);
    return k < 0 ? undefined : CLASSES[this.classes()[k]!];
  }

  /** The base row of entry `id` (-1 when the base has none): among its shard's rows, found by the counting sort. */
  private baseIndexOf(id: string): number {
    const s = parseInt(id.slice(0, SHARD_DIGITS), 16);
    if (Number.isNaN(s) || s < 0 || s >= SHARD_COUNT) {
      for (let k = 0; k < this.baseRowCount; k++) if (this.baseId(k) === id) return k; // a key that names no shard: rare (invalid rows)
      return -1;
    }
    const groups = this.groups();
    for (let i = groups.start[s]!; i < groups.start[s + 1]!; i++) if (this.baseId(groups.rows[i]!) === id) return groups.rows[i]!;
    return -1;
  }

  private baseRow(k: number): IndexRow {
    const row = decodeRow(this.base.toString('utf8', this.offsets[k]!, this.offsets[k + 1]! - 1));
    return row.obj === '' ? row : { ...row, obj: this.expandObj(row.obj) };
  }

  private expandObj(obj: string): string {
    const at = obj.indexOf('@');
    const actor = this.actors[Number(obj.slice(at + 1))];
    return at < 0 || actor === undefined ? '' : `${obj.slice(0, at)}@${actor}`;
  }

  private sortedOverlay(): IndexRow[] {
    return (this.overlaySorted ??= [...this.overlay.values()].filter((r): r is IndexRow => r !== null).sort(compareRows));
  }

  /** Base row numbers grouped by shard: one pass over the first three bytes of each row. */
  private groups(): { start: Int32Array; rows: Int32Array } {
    if (this.byShard) return this.byShard;
    const n = this.baseRowCount;
    const shardOfRow = new Int32Array(n);
    const counts = new Int32Array(SHARD_COUNT + 1);
    for (let k = 0; k < n; k++) {
      const s = parseInt(this.base.toString('latin1', this.offsets[k]!, this.offsets[k]! + SHARD_DIGITS), 16);
      shardOfRow[k] = Number.isNaN(s) ? -1 : s;
      if (!Number.isNaN(s)) counts[s + 1]!++;
    }
    for (let s = 0; s < SHARD_COUNT; s++) counts[s + 1]! += counts[s]!;
    const start = counts.slice();
    const rows = new Int32Array(counts[SHARD_COUNT]!);
    const fill = counts.slice(0, SHARD_COUNT);
    for (let k = 0; k < n; k++) if (shardOfRow[k]! >= 0) rows[fill[shardOfRow[k]!]!++] = k;
    return (this.byShard = { start, rows });
  }
}

function readHeader(buf: Buffer): { count: number; start: number } {
  const nl = buf.indexOf(NEWLINE);
  const header = buf.toString('latin1', 0, nl < 0 ? Math.min(buf.length, 40) : nl);
  if (nl < 0 || !header.startsWith(MAGIC)) throw new IndexFormatError('not a Shared Notes index file (bad header)');
  const count = Number(header.slice(MAGIC.length));
  if (!Number.isInteger(count) || count < 0) throw new IndexFormatError(`the index header gives a bad row count: ${header.slice(0, 40)}`);
  return { count, start: nl + 1 };
}

function compressObj(obj: string, actors: Map<string, number>): string {
  const at = obj.indexOf('@');
  if (at < 0) return '';
  const actor = obj.slice(at + 1);
  let n = actors.get(actor);
  if (n === undefined) actors.set(actor, (n = actors.size));
  return `${obj.slice(0, at)}@${n}`;
}

/** One journal record: an update as one line of JSON (rows in their file form, `obj` in full). */
export function encodeUpdate(update: IndexUpdate): string {
  return JSON.stringify({ s: update.shard, st: [update.state.size, update.state.mtimeMs, update.state.heads], r: update.rows.map((row) => encodeRow(row)), x: update.replace ? 1 : 0 });
}

export function decodeUpdate(text: string): IndexUpdate {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new IndexFormatError(`a journal record is not JSON: ${(err as Error).message}`);
  }
  const r = raw as { s?: unknown; st?: unknown; r?: unknown; x?: unknown };
  const st = r.st as [unknown, unknown, unknown] | undefined;
  if (!isShardId(r.s) || !Array.isArray(st) || !Array.isArray(r.r) || !Array.isArray(st[2])) throw new IndexFormatError('a journal record has a bad shape');
  return {
    shard: r.s,
    state: { size: Number(st[0]), mtimeMs: Number(st[1]), heads: (st[2] as unknown[]).map(String) },
    rows: (r.r as unknown[]).map((line) => decodeRow(String(line))),
    replace: r.x === 1,
  };
}

/** What a start reads: the index with its journal applied, and how many journal records there were. */
export interface LoadedIndex {
  readonly index: ReadIndex;
  readonly journalRecords: number;
}

/**
 * Reads the stored index and applies its journal (no Automerge involved, so the whole list can be
 * shown before Automerge loads). A damaged index or record is logged and left out: the shards
 * it described differ from what the index holds, so `ShardedSpace.recover` re-indexes them.
 */
export async function readStoredIndex(store: IndexStore, logger: Logger): Promise<LoadedIndex> {
  const { index: bytes, journal } = await store.read();
  let index = ReadIndex.empty();
  if (bytes !== undefined) {
    try {
      index = ReadIndex.parse(bytes);
    } catch (err) {
      if (!(err instanceof IndexFormatError)) throw err;
      logger.warn(`the read index does not parse (${err.message}); every shard is re-indexed`);
    }
  }
  for (const record of journal) {
    try {
      index.apply(decodeUpdate(record));
    } catch (err) {
      if (!(err instanceof IndexFormatError)) throw err;
      logger.warn(`an index journal record does not parse (${err.message}); its shard is re-indexed`);
    }
  }
  return { index, journalRecords: journal.length };
}
