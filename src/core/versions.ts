/**
 * Reads of one entry at a past version (a set of heads) and of its competing values, straight from
 * Automerge's op set: a path walk of six lookups, never a replay or a materialisation of the
 * document. Pure; used by NoteLog for history, restore and conflicts.
 */
import * as A from '@automerge/automerge';
import { EDITABLE_FIELDS, type EntryKind } from './entry.js';
import type { EntryId } from './ids.js';
import { InvalidInputError } from './errors.js';
import { SPACE_LAYOUT, type EntryLayout } from './entry-layout.js';

type Backend = ReturnType<typeof A.getBackend>;

/** The object id of entry `id`'s map at `heads` (now when omitted), or undefined. */
export function entryObjectAt(doc: A.Doc<unknown>, id: EntryId, heads?: readonly string[], layout: EntryLayout = SPACE_LAYOUT): string | undefined {
  const backend = A.getBackend(doc);
  let obj = '_root';
  for (const prop of layout.path(id)) {
    const value = backend.getWithType(obj, prop, heads as string[] | undefined);
    if (!value || value[0] !== 'map') return undefined;
    obj = value[1] as string;
  }
  return obj;
}

/** A string field of an entry map at `heads`: collaborative text or an immutable string. */
export function fieldAt(backend: Backend, entry: string, field: string, heads?: readonly string[]): string | undefined {
  const value = backend.getWithType(entry, field, heads as string[] | undefined);
  if (!value) return undefined;
  if (value[0] === 'text') return backend.text(value[1] as string, heads as string[] | undefined);
  if (value[0] === 'str') return value[1] as string;
  return undefined;
}

export interface EntryVersion {
  readonly kind: EntryKind;
  /** The editable fields (title/body or name/ingredients/instructions) as they were. */
  readonly fields: Readonly<Record<string, string>>;
  readonly deleted: boolean;
}

/** Entry `id` as it was at `heads`, or undefined if it did not exist there. */
export function entryAt(doc: A.Doc<unknown>, id: EntryId, heads: readonly string[], layout: EntryLayout = SPACE_LAYOUT): EntryVersion | undefined {
  const obj = entryObjectAt(doc, id, heads, layout);
  if (obj === undefined) return undefined;
  const backend = A.getBackend(doc);
  const kind = fieldAt(backend, obj, 'kind', heads);
  if (kind !== 'note' && kind !== 'recipe') return undefined;
  const fields: Record<string, string> = {};
  for (const field of Object.keys(EDITABLE_FIELDS[kind])) {
    const value = fieldAt(backend, obj, field, heads);
    if (value !== undefined) fields[field] = value;
  }
  const marker = backend.getWithType(obj, 'deleted', heads as string[]);
  return { kind, fields, deleted: marker !== null && marker !== undefined };
}

/** Every value a field holds now: one normally, several after concurrent writes (a conflict). */
export function competingValues(doc: A.Doc<unknown>, id: EntryId, field: string, layout: EntryLayout = SPACE_LAYOUT): Array<{ value: string; opId: string }> {
  const obj = entryObjectAt(doc, id, undefined, layout);
  if (obj === undefined) return [];
  const out: Array<{ value: string; opId: string }> = [];
  for (const [type, value, opId] of A.getBackend(doc).getAll(obj, field)) {
    if (type === 'str' && typeof value === 'string') out.push({ value, opId: String(opId) });
  }
  return out;
}

/** The smallest span that differs between two texts, with a little context, for one history line. */
export function textDelta(before: string, after: string): { removed: string; added: string; at: number } {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endB = before.length;
  let endA = after.length;
  while (endB > start && endA > start && before.charCodeAt(endB - 1) === after.charCodeAt(endA - 1)) {
    endB--;
    endA--;
  }
  return { removed: before.slice(start, endB), added: after.slice(start, endA), at: start };
}

/** Hex digits of each head in a version token. */
const VERSION_DIGITS = 16;

/** A short, typeable form of a version (16 hex digits of each head, joined by +), as `show` prints it. */
export function versionTokenOf(heads: readonly string[]): string {
  return heads.map((h) => h.slice(0, VERSION_DIGITS)).join('+');
}

/** The heads a version token stands for, among `hashes` (the changes of the entry's log). */
export function headsOfToken(token: string, hashes: readonly string[]): string[] {
  const prefixes = token.toLowerCase().split('+');
  if (prefixes.some((p) => !/^[0-9a-f]{8,64}$/.test(p))) throw new InvalidInputError(`"${token}" is not a version (as "show" prints it: hex digits joined by +)`);
  return prefixes.map((prefix) => {
    const found = hashes.filter((h) => h.startsWith(prefix));
    if (found.length !== 1) throw new InvalidInputError(`version ${token} is not one this device holds${found.length > 1 ? ' (ambiguous: type more digits)' : ''}`);
    return found[0]!;
  });
}
