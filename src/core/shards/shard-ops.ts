/**
 * The writes of the product's operations on a shard document (what NoteLog writes in the v1
 * bucket tree), for use inside a change callback. Pure. The op records are ops.ts's.
 */
import * as A from '@automerge/automerge';
import type { Author } from '../entry.js';
import { EDITABLE_FIELDS, type EntryKind } from '../entry.js';
import type { EntryId } from '../ids.js';
import { storedEntry } from '../stored-entry.js';
import type { ShardDoc } from './shard-layout.js';

export interface PublishedFields {
  readonly id: EntryId;
  readonly kind: EntryKind;
  readonly author: Author;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly fields: Readonly<Record<string, string>>;
}

/** Writes a published entry (the stored form publish writes). */
export function writePublished(doc: ShardDoc, e: PublishedFields): void {
  doc.e[e.id] = storedEntry({ ...e.fields, kind: e.kind, author: e.author, createdAt: e.createdAt, updatedAt: e.updatedAt, state: 'published' });
}

/**
 * Writes new values of editable fields: texts by a character diff, titles whole. A text that
 * changed in one place by inserting only or deleting only (typing, a deletion) is one splice,
 * which is exactly what the diff would find, at ~half the cost of `updateText` on a ~500-character
 * body (measured: 0.18–0.23 ms vs 0.31–0.55 ms).
 */
export function writeFields(doc: ShardDoc, id: EntryId, fields: Readonly<Record<string, string>>, at: number): void {
  const stored = doc.e[id] as Record<string, unknown>;
  const kind = A.isImmutableString(stored.kind) ? stored.kind.val : String(stored.kind);
  const allowed = EDITABLE_FIELDS[kind as EntryKind] ?? {};
  for (const [name, value] of Object.entries(fields)) {
    const current = stored[name];
    if (allowed[name] === 'text' && typeof current === 'string') {
      const one = singleSplice(current, value);
      if (one === undefined) A.updateText(doc, ['e', id, name], value);
      else if (one.del > 0 || one.ins !== '') A.splice(doc, ['e', id, name], one.at, one.del, one.ins);
    } else stored[name] = allowed[name] === 'text' ? value : new A.ImmutableString(value);
  }
  stored.updatedAt = at;
}

/**
 * The edit from `before` to `after` as one splice, when it inserts only or deletes only, in one
 * place (then it is the minimal edit); undefined otherwise. Never splits a surrogate pair.
 */
export function singleSplice(before: string, after: string): { at: number; del: number; ins: string } | undefined {
  const max = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < max && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  if (prefix > 0 && isHighSurrogate(before.charCodeAt(prefix - 1))) prefix--;
  let suffix = 0;
  while (suffix < max - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  if (suffix > 0 && isLowSurrogate(before.charCodeAt(before.length - suffix))) suffix--;
  const del = before.length - prefix - suffix;
  const ins = after.slice(prefix, after.length - suffix);
  return del === 0 || ins === '' ? { at: prefix, del, ins } : undefined;
}

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** The delete marker (the content stays behind it, as NoteLog.delete writes it). */
export function writeDeleted(doc: ShardDoc, id: EntryId, by: Author, at: number): void {
  const stored = doc.e[id] as Record<string, unknown>;
  stored.deleted = { at, by: { name: new A.ImmutableString(by.name), device: new A.ImmutableString(by.device) } };
  stored.updatedAt = at;
}
