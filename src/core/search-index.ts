/**
 * Full-text search over a space: titles, bodies, recipe fields and authors, case- and
 * accent-insensitive (search-text.ts). The index holds each entry's folded texts; it is built once
 * (`warm()`, in slices of ~SLICE_MS that yield to the event loop; or at once by a query that comes
 * first), and afterwards kept current from the log's change events: a change only marks its
 * entries stale (a local change's ids are read from its header's op record, its ops are never
 * decoded), and the next query re-reads just those; when many are stale (an import), they are
 * re-read in slices in the background. A whole-document catch-up rebuilds it in slices. A query is
 * then one `indexOf` per term over each entry's folded text (no Automerge read), and snippets are
 * made only for the hits returned.
 */
import { EDITABLE_FIELDS, titleOf, type Entry, type EntryKind, type EntryState } from './entry.js';
import type { EntryId } from './ids.js';
import { rawEntries } from './layout.js';
import { Slicer, sortInSlices } from './slices.js';
import type { NoteLog } from './note-log.js';
import type { Unsubscribe } from './emitter.js';
import { findInText, fold, queryTerms, snippetOf, type Snippet, type TextMatch } from './search-text.js';

/** Results returned by default; `total` still counts every match. */
export const DEFAULT_SEARCH_LIMIT = 50;

/** Where a hit matched: an entry field, or its author's name. */
export type SearchField = 'title' | 'body' | 'name' | 'ingredients' | 'instructions' | 'author';

export interface SearchHit {
  readonly id: EntryId;
  readonly kind: EntryKind;
  readonly state: EntryState;
  readonly title: string;
  readonly author: string;
  readonly updatedAt: number;
  /** The field the snippet comes from, and the match's UTF-16 offsets in that field's text. */
  readonly field: SearchField;
  readonly match: TextMatch;
  readonly snippet: Snippet;
}

export interface SearchResults {
  readonly query: string;
  /** Every entry that matched (before `limit`). */
  readonly total: number;
  readonly hits: SearchHit[];
  /** Set while the index is still being built or re-read: more entries may match. */
  readonly partial?: true;
}

export interface SearchOptions {
  limit?: number;
  state?: EntryState;
  kind?: EntryKind;
}

/**
 * What the index keeps of an entry: what a hit shows, the original texts (a hit's snippet is cut
 * from them) and one folded copy of them all. Lean on purpose: it is held for every entry of the
 * space (not the Entry itself, nor a folded copy per field: ~40 % less heap at 100k notes).
 */
interface Row {
  readonly id: EntryId;
  readonly kind: EntryKind;
  readonly state: EntryState;
  readonly updatedAt: number;
  readonly title: string;
  readonly author: string;
  /** The text of each field of `fieldsOf(kind)`, in that order (the title first, the author last). */
  readonly texts: readonly string[];
  /** Every folded field joined by NUL (a NUL inside a text is folded to a space): one `indexOf` per term. */
  readonly all: string;
  /** Where the folded title ends in `all`. */
  readonly titleEnd: number;
}

const FIELDS = new Map<EntryKind, readonly SearchField[]>();
/** The searched fields of an entry kind: its editable fields (the title first), then the author. */
function fieldsOf(kind: EntryKind): readonly SearchField[] {
  let fields = FIELDS.get(kind);
  if (fields === undefined) FIELDS.set(kind, (fields = [...(Object.keys(EDITABLE_FIELDS[kind]) as SearchField[]), 'author']));
  return fields;
}

function rowOf(entry: Entry): Row {
  const texts = fieldsOf(entry.kind).map((f) => textOf(entry, f));
  const folded = texts.map((t) => fold(t).replaceAll('\u0000', ' '));
  return { id: entry.id, kind: entry.kind, state: entry.state, updatedAt: entry.updatedAt, title: titleOf(entry), author: entry.author.name, texts, all: folded.join('\u0000'), titleEnd: folded[0]!.length };
}

const textOf = (entry: Entry, field: SearchField): string =>
  field === 'author' ? entry.author.name : ((entry as unknown as Record<string, string>)[field] ?? '');

/** Work done between two yields to the event loop by a sliced build or refresh. */
const SLICE_MS = 12;
/** Stale entries re-read in the background (sliced) rather than by the next query. */
const BACKGROUND_STALE = 64;
/** Past this many stale entries the newest-first list is sorted again rather than patched entry by entry. */
const RESORT_STALE = 256;

export class SearchIndex {
  private rows: Map<EntryId, Row> | undefined;
  /** The rows a sliced build has read so far (what a query on a sharded space sees meanwhile). */
  private partial: Map<EntryId, Row> | undefined;
  /** The rows newest first (the order results are listed in within a rank); rebuilt after changes. */
  private ordered: Row[] | undefined;
  private readonly stale = new Set<EntryId>();
  private readonly offs: Unsubscribe[];
  /** The sliced build in progress; a build by a query, a catch-up or dispose makes it stop. */
  private building: { run: Promise<void>; generation: number } | undefined;
  private refreshing: Promise<void> | undefined;
  /** Bumped whenever the rows are dropped or replaced: sliced work of an older generation stops. */
  private generation = 0;
  /** Entries re-read so far (a sort made in slices is kept only if none was meanwhile). */
  private rereads = 0;
  /** Longest stretch of a sliced build or refresh between two yields, ms of wall and of CPU time (the bench reads them). */
  longestSliceMs = 0;
  longestSliceCpuMs = 0;

  private readonly sliceMs: number;

  /** `sliceMs`: work between two yields of a sliced build or refresh (tests make it 0: a yield per entry). */
  constructor(
    private readonly log: NoteLog,
    init: { sliceMs?: number } = {},
  ) {
    this.sliceMs = init.sliceMs ?? SLICE_MS;
    const markAll = () => {
      const inUse = this.rows !== undefined || this.building !== undefined;
      this.drop();
      if (inUse) void this.warm(); // rebuilt in slices, not by the next query
    };
    this.offs = [
      // One event for local and remote changes: NoteLog has already read their entry ids.
      log.events.on('changed', (change) => {
        if (change.bulk !== undefined || change.ids.length === 0) markAll();
        else this.markStale(change.ids);
      }),
    ];
  }

  /**
   * Builds the index in slices (call when idle, so the first query answers at once), or re-reads
   * what is stale; resolves when done. A query meanwhile answers at once by finishing the work itself.
   */
  warm(): Promise<void> {
    if (this.rows !== undefined) return this.refreshStale();
    if (this.building === undefined) {
      const generation = this.generation;
      const run = this.build(generation).finally(() => {
        if (this.building?.generation === generation) this.building = undefined;
      });
      this.building = { run, generation };
    }
    return this.building.run;
  }

  /** How many entries the index holds (built if it was not). */
  get size(): number {
    return this.current().size;
  }

  search(query: string, options: SearchOptions = {}): SearchResults {
    const terms = queryTerms(query);
    if (terms.length === 0) return { query, total: 0, hits: [] };
    const limit = Math.max(0, options.limit ?? DEFAULT_SEARCH_LIMIT);
    // Rows are visited newest first, so each rank's list is already in order: no sort per keystroke.
    const ranks: Row[][] = [[], [], []];
    let total = 0;
    for (const row of this.inOrder()) {
      if (options.state !== undefined && row.state !== options.state) continue;
      if (options.kind !== undefined && row.kind !== options.kind) continue;
      if (!terms.every((t) => row.all.includes(t))) continue;
      total++;
      let inTitle = 0;
      for (const t of terms) {
        const at = row.all.indexOf(t);
        if (at >= 0 && at + t.length <= row.titleEnd) inTitle++;
      }
      const rank = ranks[inTitle === terms.length ? 0 : inTitle > 0 ? 1 : 2]!;
      if (rank.length < limit) rank.push(row);
    }
    const hits = ranks.flat().slice(0, limit).map((row) => hitOf(row, terms));
    return this.complete ? { query, total, hits } : { query, total, hits, partial: true };
  }

  /** The ids of every entry matching `query` (for a filtered view); undefined for an empty query. */
  matchingIds(query: string): Set<EntryId> | undefined {
    const terms = queryTerms(query);
    if (terms.length === 0) return undefined;
    const out = new Set<EntryId>();
    for (const [id, row] of this.current()) if (terms.every((t) => row.all.includes(t))) out.add(id);
    return out;
  }

  dispose(): void {
    for (const off of this.offs) off();
    this.drop();
  }

  private drop(): void {
    this.generation++;
    this.building = undefined;
    this.rows = undefined;
    this.partial = undefined;
    this.ordered = undefined;
    this.stale.clear();
  }

  /** Built or being built: changes matter (before that, the build reads everything anyway). */
  private tracking(): boolean {
    return this.rows !== undefined || this.building !== undefined;
  }

  private markStale(ids: readonly EntryId[]): void {
    // While a sliced build runs, an entry it already read may change: it is re-read once the build is done.
    if (!this.tracking()) return;
    for (const id of ids) this.stale.add(id);
    if (this.rows !== undefined && this.stale.size >= BACKGROUND_STALE) void this.refreshStale();
  }

  /** Every entry of both logs read into rows, a slice at a time; the result is kept unless a query built the index meanwhile. */
  private async build(generation: number): Promise<void> {
    const alive = () => generation === this.generation && this.rows === undefined;
    const slicer = new Slicer(this.sliceMs);
    try {
      const rows = new Map<EntryId, Row>();
      // The ids are listed as they are now, drafts first, then the shared log a document at a
      // time (on shards: one shard loaded at a time, so memory stays bounded); each entry is read
      // from the current document. An entry created or changed meanwhile is marked stale and
      // re-read at the end.
      this.partial = rows;
      const groups = function* (log: NoteLog) {
        if (!log.local.pristine) yield [...rawEntries(log.local.doc)].map(([id]) => id as EntryId);
        yield* log.sharedGroups();
      };
      for (const ids of groups(this.log)) {
        if (ids.some((id) => !this.log.atHand(id))) {
          await this.log.load(ids);
          if (!alive()) return;
        }
        for (const id of ids) {
          if (slicer.due) {
            await slicer.pause();
            if (!alive()) return;
          }
          if (rows.has(id)) continue; // a draft whose publish was interrupted: read once
          if (!this.log.atHand(id)) await this.log.load([id]); // evicted while the slice paused
          const read = this.log.get(id);
          if (read?.status === 'valid') rows.set(read.entry.id, rowOf(read.entry));
        }
      }
      // The newest-first order too (a sort of 100k rows would hold the event loop for ~100 ms).
      const ordered = await sortInSlices([...rows.values()], newestFirst, slicer, alive);
      if (ordered === undefined || !alive()) return;
      this.partial = undefined;
      this.rows = rows;
      this.ordered = ordered;
    } finally {
      slicer.end();
      this.longestSliceMs = Math.max(this.longestSliceMs, slicer.longestMs);
      this.longestSliceCpuMs = Math.max(this.longestSliceCpuMs, slicer.longestCpuMs);
    }
    if (this.stale.size > 0) await this.refreshStale();
  }

  /** Re-reads the stale entries a slice at a time (a query meanwhile reads the rest itself). */
  private refreshStale(): Promise<void> {
    this.refreshing ??= (async () => {
      const generation = this.generation;
      const slicer = new Slicer(this.sliceMs);
      if (this.stale.size > RESORT_STALE) this.ordered = undefined;
      while (this.rows !== undefined && this.stale.size > 0 && generation === this.generation) {
        if (slicer.due) {
          await slicer.pause();
          // A query meanwhile may have read them all, or the index may have been dropped.
          if (this.rows === undefined || this.stale.size === 0 || generation !== this.generation) break;
        }
        const id = this.stale.values().next().value as EntryId;
        if (!this.log.atHand(id)) {
          await this.log.load([id]);
          if (this.rows === undefined || generation !== this.generation || !this.stale.has(id)) continue;
        }
        this.stale.delete(id);
        this.reread(this.rows, id);
      }
      const rows = this.rows;
      if (rows !== undefined && this.ordered === undefined && generation === this.generation) {
        // Sorted again in slices, unless a row changes meanwhile (the next query sorts then).
        const rereads = this.rereads;
        const ordered = await sortInSlices([...rows.values()], newestFirst, slicer, () => this.rereads === rereads && this.rows === rows);
        if (ordered !== undefined && this.rereads === rereads && this.rows === rows && this.ordered === undefined) this.ordered = ordered;
      }
      slicer.end();
      this.longestSliceMs = Math.max(this.longestSliceMs, slicer.longestMs);
      this.longestSliceCpuMs = Math.max(this.longestSliceCpuMs, slicer.longestCpuMs);
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private reread(rows: Map<EntryId, Row>, id: EntryId): void {
    this.rereads++;
    const read = this.log.get(id);
    const old = rows.get(id);
    const row = read?.status === 'valid' ? rowOf(read.entry) : undefined;
    if (row) rows.set(id, row);
    else rows.delete(id);
    if (this.ordered) reorder(this.ordered, old, row);
  }

  private inOrder(): Row[] {
    const rows = this.current();
    this.ordered ??= [...rows.values()].sort(newestFirst);
    return this.ordered;
  }

  /**
   * The rows, up to date: built at once if no build finished yet (a sliced one then stops), stale
   * entries re-read. On a sharded space nothing is read at once that is not at hand: the rows
   * built so far answer (`complete` says so) while the build, and the re-reads, go on.
   */
  private current(): Map<EntryId, Row> {
    if (this.rows === undefined) {
      if (this.log.sharded) {
        void this.warm();
        return this.partial ?? new Map();
      }
      this.generation++; // a sliced build in progress stops
      this.building = undefined;
      this.rows = new Map(this.log.list().entries.map((e) => [e.id, rowOf(e)]));
      this.ordered = undefined;
      this.stale.clear();
      return this.rows;
    }
    if (this.stale.size > RESORT_STALE) this.ordered = undefined;
    for (const id of this.stale) {
      if (!this.log.atHand(id)) continue;
      this.reread(this.rows, id);
      this.stale.delete(id);
    }
    if (this.stale.size > 0) void this.refreshStale(); // their shards are loaded, then they are re-read
    return this.rows;
  }

  /** Whether the index holds every entry as it is now (false while it is built or re-reads entries). */
  get complete(): boolean {
    return this.rows !== undefined && this.stale.size === 0;
  }
}

const newestFirst = (a: Row, b: Row): number => b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : 1);

/** Takes `old` out of the newest-first list and puts `row` in its place (binary search): no sort per change. */
function reorder(ordered: Row[], old: Row | undefined, row: Row | undefined): void {
  if (old) {
    const at = ordered.indexOf(old);
    if (at >= 0) ordered.splice(at, 1);
  }
  if (!row) return;
  let lo = 0;
  let hi = ordered.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (newestFirst(ordered[mid]!, row) <= 0) lo = mid + 1;
    else hi = mid;
  }
  ordered.splice(lo, 0, row);
}

/** The hit of a matching row: the first field holding the longest term (title first), with its snippet. */
function hitOf(row: Row, terms: readonly string[]): SearchHit {
  const term = [...terms].sort((a, b) => b.length - a.length)[0]!;
  const index = Math.max(0, row.all.split('\u0000').findIndex((f) => f.includes(term)));
  const field = fieldsOf(row.kind)[index]!;
  const text = row.texts[index]!;
  const match = findInText(text, term) ?? { start: 0, end: 0 };
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    title: row.title,
    author: row.author,
    updatedAt: row.updatedAt,
    field,
    match,
    snippet: snippetOf(text, match),
  };
}
