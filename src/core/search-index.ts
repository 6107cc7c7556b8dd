/**
 * Full-text search over a space: titles, bodies, recipe fields and authors, case- and
 * accent-insensitive (search-text.ts). The index holds each entry's folded texts; it is built once
 * (on the first query, or `warm()`), and afterwards kept current from the log's change events:
 * a change only marks its entries stale, and the next query re-reads just those. A whole-document
 * catch-up marks everything stale. A query is then one `indexOf` per term over each entry's
 * folded text (no Automerge read), and snippets are made only for the hits returned.
 */
import { EDITABLE_FIELDS, titleOf, type Entry, type EntryKind, type EntryState } from './entry.js';
import type { EntryId } from './ids.js';
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
}

export interface SearchOptions {
  limit?: number;
  state?: EntryState;
  kind?: EntryKind;
}

interface Row {
  readonly entry: Entry;
  readonly fields: readonly SearchField[];
  /** Folded text of each field, in `fields` order. */
  readonly folded: readonly string[];
  /** Every folded field joined: one `indexOf` per term decides whether the entry matches. */
  readonly all: string;
}

function rowOf(entry: Entry): Row {
  const fields = [...(Object.keys(EDITABLE_FIELDS[entry.kind]) as SearchField[]), 'author' as const];
  const folded = fields.map((f) => fold(textOf(entry, f)));
  return { entry, fields, folded, all: folded.join('\u0000') };
}

const textOf = (entry: Entry, field: SearchField): string =>
  field === 'author' ? entry.author.name : ((entry as unknown as Record<string, string>)[field] ?? '');

export class SearchIndex {
  private rows: Map<EntryId, Row> | undefined;
  /** The rows newest first (the order results are listed in within a rank); rebuilt after changes. */
  private ordered: Row[] | undefined;
  private readonly stale = new Set<EntryId>();
  private readonly offs: Unsubscribe[];

  constructor(private readonly log: NoteLog) {
    const markAll = () => {
      this.rows = undefined;
      this.stale.clear();
    };
    this.offs = [
      // One event for local and remote changes: NoteLog has already read their entry ids.
      log.events.on('changed', (change) => {
        if (change.bulk !== undefined || change.ids.length === 0) markAll();
        else this.markStale(change.ids);
      }),
    ];
  }

  /** Builds the index now (call when idle, so the first query answers at once). */
  warm(): void {
    this.current();
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
      if (options.state !== undefined && row.entry.state !== options.state) continue;
      if (options.kind !== undefined && row.entry.kind !== options.kind) continue;
      if (!terms.every((t) => row.all.includes(t))) continue;
      total++;
      const title = row.folded[0] ?? '';
      let inTitle = 0;
      for (const t of terms) if (title.includes(t)) inTitle++;
      const rank = ranks[inTitle === terms.length ? 0 : inTitle > 0 ? 1 : 2]!;
      if (rank.length < limit) rank.push(row);
    }
    const hits = ranks.flat().slice(0, limit).map((row) => hitOf(row, terms));
    return { query, total, hits };
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
  }

  private markStale(ids: readonly EntryId[]): void {
    if (this.rows === undefined) return; // not built yet: the build reads everything anyway
    for (const id of ids) this.stale.add(id);
  }

  private inOrder(): Row[] {
    const rows = this.current();
    this.ordered ??= [...rows.values()].sort(newestFirst);
    return this.ordered;
  }

  private current(): Map<EntryId, Row> {
    if (this.rows === undefined) {
      this.rows = new Map(this.log.list().entries.map((e) => [e.id, rowOf(e)]));
      this.ordered = undefined;
      this.stale.clear();
      return this.rows;
    }
    for (const id of this.stale) {
      const read = this.log.get(id);
      const old = this.rows.get(id);
      const row = read?.status === 'valid' ? rowOf(read.entry) : undefined;
      if (row) this.rows.set(id, row);
      else this.rows.delete(id);
      if (this.ordered) reorder(this.ordered, old, row);
    }
    this.stale.clear();
    return this.rows;
  }
}

const newestFirst = (a: Row, b: Row): number => b.entry.updatedAt - a.entry.updatedAt || (a.entry.id < b.entry.id ? -1 : 1);

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
  const { entry } = row;
  const term = [...terms].sort((a, b) => b.length - a.length)[0]!;
  const index = Math.max(0, row.folded.findIndex((f) => f.includes(term)));
  const field = row.fields[index]!;
  const text = textOf(entry, field);
  const match = findInText(text, term) ?? { start: 0, end: 0 };
  return {
    id: entry.id,
    kind: entry.kind,
    state: entry.state,
    title: titleOf(entry),
    author: entry.author.name,
    updatedAt: entry.updatedAt,
    field,
    match,
    snippet: snippetOf(text, match),
  };
}
