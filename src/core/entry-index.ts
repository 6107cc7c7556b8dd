/**
 * The validated entries of one log, kept current change by change, so that `ls`, `status` and the
 * tree cost what a change touched rather than a scan and re-validation of every entry. Pure.
 *
 * Which entries a change touched is read from its operations, never from the op record it carries
 * (a member could name one entry and write another): each operation names the Automerge object it
 * changes, and the index maps every object inside an entry (its map, texts, author, deleted marker)
 * and every bucket map to the entry it belongs to. An operation on an object the index does not
 * know (the tree above the buckets, or something it cannot place) makes it rebuild once from the
 * document, as does a whole-document catch-up or a batch of changes too large to be worth decoding.
 */
import * as A from '@automerge/automerge';
import { readEntry, type Entry, type EntryRead, type InvalidEntry, type LogScope, type Tombstone } from './entry.js';
import { bucketMaps, rawAt, type BucketPath, type SpaceDoc } from './layout.js';
import type { Logger } from './ports.js';
import { withConflicts } from './stored-entry.js';

/** Below this many pending changes decoding them always beats a rebuild. */
const MIN_REBUILD_AFTER = 500;
/**
 * Decoding costs ~4 µs per byte of change and a rebuild ~70 µs per entry (measured at 10k
 * entries): pending changes larger than this (or than 16 bytes per entry) are not decoded, the
 * index is rebuilt (a batch of imported drafts is ~500 bytes per draft).
 */
const MIN_REBUILD_BYTES = 64 * 1024;
/** Objects nested deeper inside an entry than this are not mapped (a change there forces a rebuild). */
const MAX_DEPTH = 4;
/** What an Automerge object belongs to: a bucket map (`id` undefined: an operation there touches
 *  the key it names) or the entry `id` in bucket `path` (an entry may sit in the wrong bucket). */
interface Owner {
  readonly path: BucketPath;
  readonly id?: string;
}
/** Entries are keyed by bucket path and id, as a full scan of the document lists them. */
const keyOf = (path: BucketPath, id: string): string => JSON.stringify([...path, id]);

export interface IndexedEntries {
  /** Valid entries, newest change first (then by id). */
  readonly entries: readonly Entry[];
  readonly deleted: readonly Tombstone[];
  readonly invalid: readonly InvalidEntry[];
}

export class EntryIndex {
  private readonly reads = new Map<string, EntryRead>();
  /** Deleted and invalid entries (a subset of `reads`). */
  private readonly others = new Map<string, EntryRead>();
  /** Automerge object id → what it belongs to. */
  private readonly owners = new Map<string, Owner>();
  private sorted: Entry[] = [];
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private heads: string[] | undefined;
  /** The document object the index was last brought up to date with. */
  private seen: A.Doc<SpaceDoc> | undefined;
  /** Why the next refresh rebuilds (for the debug log). */
  private reason = 'first read';
  /** Full rebuilds so far (tests and the bench read it). */
  rebuilds = 0;

  /** `doc` is undefined while the log is the genesis alone, not built in memory (Replica.pristine): no entries. */
  constructor(
    private readonly scope: LogScope,
    private readonly doc: () => A.Doc<SpaceDoc> | undefined,
    private readonly logger?: Logger,
  ) {}

  /** Changes now in the document (local or from a peer), to be read at the next query. */
  changed(changes: readonly Uint8Array[]): void {
    if (this.heads === undefined) return; // not built yet: the first query builds it
    for (const change of changes) {
      this.pending.push(change);
      this.pendingBytes += change.byteLength;
    }
    if (this.pending.length > Math.max(MIN_REBUILD_AFTER, this.reads.size / 20)) this.invalidate(`${this.pending.length} changes at once`);
    else if (this.pendingBytes > Math.max(MIN_REBUILD_BYTES, this.reads.size * 16)) this.invalidate(`${this.pendingBytes} bytes of changes at once`);
  }

  /** The document was replaced (a snapshot adopted, a compaction rebuilt it): rebuild at the next query. */
  invalidate(reason = 'the document was replaced'): void {
    if (this.heads !== undefined && this.pending.length === 0 && this.seen === this.doc()) return; // already read from this very document
    this.heads = undefined;
    this.pending = [];
    this.pendingBytes = 0;
    this.reason = reason;
  }

  view(): IndexedEntries {
    this.refresh();
    const deleted: Tombstone[] = [];
    const invalid: InvalidEntry[] = [];
    for (const read of this.others.values()) {
      if (read.status === 'deleted') deleted.push(read.tombstone);
      else if (read.status === 'invalid') invalid.push(read.invalid);
    }
    return { entries: this.sorted, deleted, invalid };
  }

  /** How many valid entries the log holds. */
  count(): number {
    this.refresh();
    return this.sorted.length;
  }

  private refresh(): void {
    const doc = this.doc();
    if (doc === undefined) {
      if (this.reads.size > 0 || this.heads !== undefined) this.clear();
      this.reason = 'first read';
      return; // nothing to list; the first read of the document built in memory builds the index
    }
    const heads = A.getHeads(doc);
    if (this.heads !== undefined && this.pending.length === 0 && sameHeads(heads, this.heads)) return;
    if (this.heads !== undefined && this.pending.length === 0) this.reason = 'the document changed without telling the index';
    const touched = this.heads === undefined || this.pending.length === 0 ? undefined : this.touchedBy(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    if (touched === undefined) this.rebuild(doc);
    else for (const [key, { path, id }] of touched) this.update(key, path, id!, rawAt(doc, path, id!));
    this.heads = heads;
    this.seen = doc;
  }

  private clear(): void {
    this.reads.clear();
    this.others.clear();
    this.owners.clear();
    this.sorted = [];
    this.heads = undefined;
    this.pending = [];
    this.pendingBytes = 0;
    this.seen = undefined;
  }

  private rebuild(doc: A.Doc<SpaceDoc>): void {
    const started = performance.now();
    this.rebuilds++;
    this.clear();
    for (const [path, bucket] of bucketMaps(doc)) {
      const objectId = A.getObjectId(bucket);
      if (objectId) this.owners.set(objectId, { path });
      for (const id of Object.keys(bucket)) this.update(keyOf(path, id), path, id, bucket[id], false);
    }
    this.sorted.sort(newestFirst);
    this.logger?.debug(`entry index of the ${this.scope} log built (${this.reason}): ${this.reads.size} entries in ${Math.round(performance.now() - started)} ms`);
  }

  /** The entries `changes` wrote to (by key), or undefined when one of them cannot be placed. */
  private touchedBy(changes: readonly Uint8Array[]): Map<string, Owner> | undefined {
    const touched = new Map<string, Owner>();
    const created = new Map<string, Owner>();
    for (const change of changes) {
      let decoded: A.DecodedChange;
      try {
        decoded = A.decodeChange(change);
      } catch (err) {
        this.reason = `a change did not decode (${String(err)})`;
        return undefined;
      }
      for (const [i, op] of decoded.ops.entries()) {
        const owner = this.owners.get(op.obj) ?? created.get(op.obj);
        const id = owner?.id ?? op.key;
        if (owner === undefined || typeof id !== 'string') {
          this.reason = `a change wrote to object ${op.obj}, outside any entry`;
          return undefined;
        }
        const entry = { path: owner.path, id };
        touched.set(keyOf(entry.path, id), entry);
        if (op.action.startsWith('make')) created.set(`${decoded.startOp + i}@${decoded.actor}`, entry);
      }
    }
    return touched;
  }

  /**
   * Re-reads one entry (`raw` undefined: it is gone). `keepOrder` inserts it in place in the sorted
   * list; a rebuild appends and sorts once.
   */
  private update(key: string, path: BucketPath, id: string, raw: unknown, keepOrder = true): void {
    const before = this.reads.get(key);
    if (before?.status === 'valid') removeSorted(this.sorted, before.entry);
    this.others.delete(key);
    if (raw === undefined) {
      this.reads.delete(key);
      return;
    }
    const read = withConflicts(readEntry(id, raw, this.scope), raw);
    this.reads.set(key, read);
    this.own({ path, id }, raw, 0);
    if (read.status !== 'valid') this.others.set(key, read);
    else if (keepOrder) insertSorted(this.sorted, read.entry);
    else this.sorted.push(read.entry);
  }

  /** Maps `value` and every object inside it (texts, author, deleted marker) to its entry. */
  private own(owner: Owner, value: unknown, depth: number): void {
    if (typeof value !== 'object' || value === null || A.isImmutableString(value) || depth > MAX_DEPTH) return;
    const objectId = A.getObjectId(value);
    if (objectId) this.owners.set(objectId, owner);
    for (const [key, child] of Object.entries(value)) {
      if (typeof child === 'string') {
        const textId = A.getObjectId(value, key);
        if (textId) this.owners.set(textId, owner);
      } else {
        this.own(owner, child, depth + 1);
      }
    }
  }
}

interface Listed {
  readonly id: string;
  readonly updatedAt: number;
}
const newestFirst = (a: Listed, b: Listed): number => b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Two lists sorted newest first, as one (a new array). */
export function mergeNewestFirst<T extends Listed>(a: readonly T[], b: readonly T[]): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(newestFirst(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/** Where `entry` is, or goes, in a list sorted by newestFirst (binary search). */
function position(list: readonly Entry[], entry: Entry): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (newestFirst(list[mid]!, entry) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(list: Entry[], entry: Entry): void {
  list.splice(position(list, entry), 0, entry);
}

function removeSorted(list: Entry[], entry: Entry): void {
  const at = position(list, entry);
  if (list[at]?.id === entry.id) list.splice(at, 1);
  else {
    const found = list.findIndex((e) => e.id === entry.id); // never expected: keep the list right regardless
    if (found >= 0) list.splice(found, 1);
  }
}

const sameHeads = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((h, i) => h === b[i]);
