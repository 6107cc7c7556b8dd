/**
 * One list row of the read index: what the tree and `ls` show without loading a shard. Rows are
 * stored as tab-separated lines, newest first, so the first screen is the first bytes of the
 * file. Pure, and free of Automerge (the first screen is read before it loads).
 */
import type { EntryKind, EntryRead } from '../entry.js';
import { IndexFormatError } from './errors.js';

export type RowState = 'published' | 'deleted' | 'invalid';

export interface IndexRow {
  /** The entry id (for an invalid entry: the key a peer wrote, cut to 64 characters). */
  readonly id: string;
  readonly kind: EntryKind | '';
  readonly state: RowState;
  /** Last change of a valid entry; the delete's time for a tombstone; 0 when invalid. */
  readonly updatedAt: number;
  /** The entry's author; for a tombstone, who deleted it. */
  readonly author: string;
  /** Title or recipe name; a tombstone's last title; an invalid entry's reason. */
  readonly title: string;
  /** Object id of the entry's map in its shard (`<counter>@<actor>`), so a decoded change can be
   *  placed without loading the shard; '' when unknown. */
  readonly obj: string;
}

const KIND_CODE: Record<string, string> = { note: 'n', recipe: 'r', '': '-' };
const STATE_CODE: Record<RowState, string> = { published: 'p', deleted: 'x', invalid: 'i' };
const KIND_OF: Record<string, EntryKind | ''> = { n: 'note', r: 'recipe', '-': '' };
const STATE_OF: Record<string, RowState> = { p: 'published', x: 'deleted', i: 'invalid' };

/** The row of an entry read from a loaded shard (`obj`: its map's object id). */
export function rowFromRead(read: EntryRead, obj: string): IndexRow {
  switch (read.status) {
    case 'valid':
      return { id: read.entry.id, kind: read.entry.kind, state: 'published', updatedAt: read.entry.updatedAt, author: read.entry.author.name, title: read.entry.kind === 'note' ? read.entry.title : read.entry.name, obj };
    case 'deleted': {
      const t = read.tombstone;
      const title = t.fields?.title ?? t.fields?.name ?? '';
      return { id: t.id, kind: t.kind, state: 'deleted', updatedAt: t.deletedAt, author: t.deletedBy.name, title, obj };
    }
    case 'invalid':
      return { id: read.invalid.id, kind: '', state: 'invalid', updatedAt: 0, author: '', title: read.invalid.reason, obj };
  }
}

/** List order: newest first, then by id. */
export function compareRows(a: IndexRow, b: IndexRow): number {
  return b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const escapeField = (s: string): string => (/[\t\n\r\\]/.test(s) ? s.replace(/[\t\n\r\\]/g, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\\\')) : s);
const unescapeField = (s: string): string => (s.includes('\\') ? s.replace(/\\([tnr\\])/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : '\\')) : s);

/** One line without its newline: id, kind, state, updatedAt, author, obj, title. `obj` as given
 *  (the index file writes it with its actor replaced by a number, see read-index.ts). */
export function encodeRow(row: IndexRow, obj = row.obj): string {
  return [escapeField(row.id), KIND_CODE[row.kind] ?? '-', STATE_CODE[row.state], String(row.updatedAt), escapeField(row.author), escapeField(obj), escapeField(row.title)].join('\t');
}

export function decodeRow(line: string): IndexRow {
  const cols = line.split('\t');
  if (cols.length !== 7) throw new IndexFormatError(`an index row has ${cols.length} columns, 7 expected`);
  const [id, kind, state, updatedAt, author, obj, title] = cols as [string, string, string, string, string, string, string];
  const k = KIND_OF[kind];
  const s = STATE_OF[state];
  const at = Number(updatedAt);
  if (k === undefined || s === undefined || !Number.isFinite(at)) throw new IndexFormatError(`an index row has a bad kind, state or time (${kind} ${state} ${updatedAt})`);
  return { id: unescapeField(id), kind: k, state: s, updatedAt: at, author: unescapeField(author), obj: unescapeField(obj), title: unescapeField(title) };
}
