import * as A from '@automerge/automerge';
import { MAX_AUTHOR_NAME_LENGTH, MAX_DEVICE_ID_LENGTH, MAX_TEXT_LENGTH, MAX_TITLE_LENGTH } from './constants.js';
import type { DeviceId, EntryId } from './ids.js';
import { isEntryId } from './ids.js';

export type EntryKind = 'note' | 'recipe';
export type EntryState = 'draft' | 'published';
/** Which log an entry lives in: drafts are local-only, published entries are shared. */
export type LogScope = 'local' | 'shared';

export interface Author {
  readonly name: string;
  readonly device: DeviceId;
}

export interface NoteFields {
  readonly title: string;
  readonly body: string;
}
export interface RecipeFields {
  readonly name: string;
  readonly ingredients: string;
  readonly instructions: string;
}

interface EntryBase {
  readonly id: EntryId;
  readonly author: Author;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly state: EntryState;
  /** Fields that hold competing values written concurrently (titles, names): see NoteLog.conflictsOf. */
  readonly conflicts?: readonly string[];
}
export type NoteEntry = EntryBase & NoteFields & { readonly kind: 'note' };
export type RecipeEntry = EntryBase & RecipeFields & { readonly kind: 'recipe' };
export type Entry = NoteEntry | RecipeEntry;

/** What a delete leaves behind, so that a concurrent stale edit or a late peer cannot resurrect it. */
export interface Tombstone {
  readonly id: EntryId;
  readonly kind: EntryKind;
  readonly deletedAt: number;
  readonly deletedBy: Author;
  /** The entry's content when it was deleted, including edits that raced the delete (restorable).
   *  Absent for tombstones written before deletes kept the content (NoteLog.restore reads history). */
  readonly fields?: Readonly<Record<string, string>>;
}

/** An entry the document holds but that does not pass validation (a peer wrote it wrongly). */
export interface InvalidEntry {
  readonly id: string;
  readonly scope: LogScope;
  readonly reason: string;
}

export type EntryRead =
  | { readonly status: 'valid'; readonly entry: Entry }
  | { readonly status: 'deleted'; readonly tombstone: Tombstone }
  | { readonly status: 'invalid'; readonly invalid: InvalidEntry };

/** Field names a user may edit, per kind, and whether they hold collaborative text. */
export const EDITABLE_FIELDS: Readonly<Record<EntryKind, Readonly<Record<string, 'text' | 'title'>>>> = {
  note: { title: 'title', body: 'text' },
  recipe: { name: 'title', ingredients: 'text', instructions: 'text' },
};

/** The stored shape (untrusted: anything a peer wrote). */
export type StoredEntry = Record<string, unknown>;

class Invalid extends Error {}

function str(raw: StoredEntry, key: string, max: number, allowEmpty = true): string {
  const value = raw[key];
  const s = typeof value === 'string' ? value : A.isImmutableString(value) ? value.val : undefined;
  if (s === undefined) throw new Invalid(`${key} is ${value === undefined ? 'missing' : `not text (${typeof value})`}`);
  if (s.length > max) throw new Invalid(`${key} is ${s.length} characters, over the limit of ${max}`);
  if (!allowEmpty && s.trim() === '') throw new Invalid(`${key} is empty`);
  return s;
}

function num(raw: StoredEntry, key: string): number {
  const value = raw[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Invalid(`${key} is not a timestamp`);
  return value;
}

function author(raw: unknown, key: string): Author {
  if (typeof raw !== 'object' || raw === null) throw new Invalid(`${key} is missing`);
  const rec = raw as StoredEntry;
  return { name: str(rec, 'name', MAX_AUTHOR_NAME_LENGTH), device: str(rec, 'device', MAX_DEVICE_ID_LENGTH) as DeviceId };
}

/** Validates one stored entry. Never throws: a bad entry is reported with a reason. */
export function readEntry(id: string, raw: unknown, scope: LogScope): EntryRead {
  try {
    if (!isEntryId(id)) throw new Invalid('id is not 32 hex digits');
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Invalid('entry is not a map');
    const rec = raw as StoredEntry;
    const kind = str(rec, 'kind', 20);
    if (kind !== 'note' && kind !== 'recipe') throw new Invalid(`unknown kind "${kind.slice(0, 20)}"`);
    if (rec.deleted !== undefined) {
      if (typeof rec.deleted !== 'object' || rec.deleted === null) throw new Invalid('deleted marker is malformed');
      const del = rec.deleted as StoredEntry;
      const fields = lastFields(rec, kind);
      return { status: 'deleted', tombstone: { id, kind, deletedAt: num(del, 'at'), deletedBy: author(del.by, 'deleted.by'), ...(fields ? { fields } : {}) } };
    }
    const state = str(rec, 'state', 20);
    if (state !== 'draft' && state !== 'published') throw new Invalid(`unknown state "${state.slice(0, 20)}"`);
    if ((scope === 'shared') !== (state === 'published')) throw new Invalid(`a ${state} entry in the ${scope} log`);
    const base = { id, author: author(rec.author, 'author'), createdAt: num(rec, 'createdAt'), updatedAt: num(rec, 'updatedAt'), state } as const;
    const entry: Entry =
      kind === 'note'
        ? { ...base, kind, title: str(rec, 'title', MAX_TITLE_LENGTH), body: str(rec, 'body', MAX_TEXT_LENGTH) }
        : {
            ...base,
            kind,
            name: str(rec, 'name', MAX_TITLE_LENGTH),
            ingredients: str(rec, 'ingredients', MAX_TEXT_LENGTH),
            instructions: str(rec, 'instructions', MAX_TEXT_LENGTH),
          };
    return { status: 'valid', entry };
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    return { status: 'invalid', invalid: { id: id.slice(0, 64), scope, reason: err.message } };
  }
}

/** The content a tombstone still holds (deletes keep it so that it can be restored), if readable. */
function lastFields(rec: StoredEntry, kind: EntryKind): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [field, type] of Object.entries(EDITABLE_FIELDS[kind])) {
    try {
      out[field] = str(rec, field, type === 'title' ? MAX_TITLE_LENGTH : MAX_TEXT_LENGTH);
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      return undefined;
    }
  }
  return out;
}

/** The field that holds an entry's title: a note's `title`, a recipe's `name`. */
export const titleField = (kind: EntryKind): 'title' | 'name' => (kind === 'note' ? 'title' : 'name');

/** The display title of an entry: a note's title or a recipe's name (the one definition of it). */
export function titleOf(entry: Entry): string {
  return entry.kind === 'note' ? entry.title : entry.name;
}

/** The title a deleted entry's tombstone kept; undefined when its content lives only in its history. */
export function tombstoneTitle(t: Tombstone): string | undefined {
  return t.fields?.[titleField(t.kind)];
}

/**
 * What a list shows of an entry, without its contents: what a sharded space's read index holds
 * for every entry (the list never loads a shard). `title` is a note's title or a recipe's name.
 */
export interface EntrySummary {
  readonly id: EntryId;
  readonly kind: EntryKind;
  readonly state: EntryState;
  readonly title: string;
  readonly author: { readonly name: string };
  readonly updatedAt: number;
  /** Title-like fields holding competing values, where the list knows it (v1 logs). */
  readonly conflicts?: readonly string[];
}

/** A deleted entry as a list shows it. */
export interface DeletedSummary {
  readonly id: EntryId;
  readonly kind: EntryKind;
  /** Its last title, when the tombstone kept it. */
  readonly title?: string;
  readonly deletedAt: number;
  readonly deletedBy: { readonly name: string };
}

export interface SummaryList {
  /** Valid entries, newest change first. */
  readonly entries: EntrySummary[];
  readonly deleted: DeletedSummary[];
  readonly invalid: InvalidEntry[];
  /** A page of the list (NoteLog.summaryPage): how many there are of each, beyond those listed. */
  readonly totals?: ListTotals;
}

export interface ListTotals {
  readonly published: number;
  readonly drafts: number;
  readonly deleted: number;
  readonly invalid: number;
}

export function summaryOf(entry: Entry): EntrySummary {
  const summary = { id: entry.id, kind: entry.kind, state: entry.state, title: titleOf(entry), author: { name: entry.author.name }, updatedAt: entry.updatedAt };
  return entry.conflicts?.length ? { ...summary, conflicts: entry.conflicts } : summary;
}

export function deletedSummaryOf(t: Tombstone): DeletedSummary {
  const title = tombstoneTitle(t);
  return { id: t.id, kind: t.kind, ...(title !== undefined ? { title } : {}), deletedAt: t.deletedAt, deletedBy: { name: t.deletedBy.name } };
}
