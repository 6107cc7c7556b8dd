/**
 * What the Search quick pick and the Notes filter show, as plain data: pure functions of search
 * hits and the note log's list, unit-tested in plain Node. No `vscode` import here.
 */
import { documentOffset, fieldsOf } from '../core/entry-markdown.js';
import type { Entry } from '../core/entry.js';
import type { EntryId } from '../core/ids.js';
import type { SummaryList } from '../core/entry.js';
import type { SearchHit } from '../core/search-index.js';
import { labelText } from '../core/display-text.js';
import { relativeTime } from '../core/text.js';
import { kindIcon, oneLine } from './tree-items.js';

/** A quick pick row, independent of VS Code. */
export interface SearchItemData {
  readonly label: string;
  readonly description: string;
  /** The field and the match in context, the match between « and ». */
  readonly detail: string;
}

const FIELD_LABEL: Readonly<Record<SearchHit['field'], string>> = {
  title: 'title', name: 'name', body: 'text', ingredients: 'ingredients', instructions: 'instructions', author: 'author',
};

export function searchItem(hit: SearchHit, now = Date.now()): SearchItemData {
  const s = hit.snippet;
  // Each part of the snippet sanitised on its own (the snippet is already one line), so « » still frame the match.
  const part = (from: number, to?: number) => labelText(s.text.slice(from, to));
  return {
    label: `$(${kindIcon(hit.kind)}) ${oneLine(hit.title, 80) || '(untitled)'}`,
    description: `${hit.state === 'draft' ? 'draft' : 'published'} · ${oneLine(hit.author, 100)} · ${relativeTime(hit.updatedAt, now)}`,
    detail: `${FIELD_LABEL[hit.field]}: ${part(0, s.matchStart)}«${part(s.matchStart, s.matchEnd)}»${part(s.matchEnd)}`,
  };
}

/** The quick pick's title line: how many entries matched, and how many are listed. */
export function searchSummary(query: string, total: number, shown: number): string {
  if (query.trim() === '') return 'Type to search titles, text, recipes and authors';
  if (total === 0) return `No entry matches "${oneLine(query, 60)}"`;
  return `${total} ${total === 1 ? 'entry matches' : 'entries match'}${shown < total ? ` (first ${shown} listed)` : ''}`;
}

/**
 * The selection to make in the entry's document for a hit, as offsets into the document text of
 * `entry` (which may have changed since the search: the match is looked up in its text again).
 * Undefined for a match on the author, which is not in the document.
 */
export function selectionOf(hit: SearchHit, entry: Entry): { start: number; end: number } | undefined {
  if (hit.field === 'author' || entry.kind !== hit.kind) return undefined;
  const fields = fieldsOf(entry);
  const text = fields[hit.field] ?? '';
  const matched = hit.snippet.text.slice(hit.snippet.matchStart, hit.snippet.matchEnd);
  // Where the hit was, if the text there is still the same; else the first occurrence; else the field's start.
  const same = text.slice(hit.match.start, hit.match.end).replace(/[\r\n\t]/g, ' ') === matched;
  const at = same ? hit.match.start : text.indexOf(matched);
  const start = at < 0 ? 0 : at;
  const end = at < 0 ? 0 : start + (hit.match.end - hit.match.start);
  return { start: documentOffset(entry.kind, fields, hit.field, start), end: documentOffset(entry.kind, fields, hit.field, end) };
}

/** The Notes list restricted to the entries of a filter (deleted and invalid entries hidden while filtering). */
export function filteredList(list: SummaryList, ids: ReadonlySet<EntryId> | undefined): SummaryList {
  if (ids === undefined) return list;
  return { entries: list.entries.filter((e) => ids.has(e.id)), deleted: [], invalid: [] };
}

/** The Notes view's description while a filter is set. */
export function filterDescription(filter: string, shown: number): string {
  return `filter "${oneLine(filter, 30)}" · ${shown} ${shown === 1 ? 'match' : 'matches'}`;
}
