/**
 * The writes of the product's operations on a shard document (what NoteLog writes in the v1
 * bucket tree), for use inside a change callback. Pure. The op records are ops.ts's.
 */
import * as A from '@automerge/automerge';
import type { Author } from '../entry.js';
import { EDITABLE_FIELDS, type EntryKind } from '../entry.js';
import type { EntryId } from '../ids.js';
import { markDeleted, storedEntry, writeFields as writeEntryFields } from '../stored-entry.js';
import { SHARD_LAYOUT } from '../entry-layout.js';
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

/** Writes new values of editable fields (texts by one splice or a character diff, titles whole). */
export function writeFields(doc: ShardDoc, id: EntryId, fields: Readonly<Record<string, string>>, at: number): void {
  const stored = doc.e[id] as Record<string, unknown>;
  const kind = A.isImmutableString(stored.kind) ? stored.kind.val : String(stored.kind);
  const kinds = EDITABLE_FIELDS[kind as EntryKind] ?? {};
  const current = Object.fromEntries(Object.keys(fields).map((name) => [name, String(stored[name] ?? '')]));
  writeEntryFields(doc, id, { names: Object.keys(fields), fields, kinds, reference: current, there: current, at }, SHARD_LAYOUT);
}

/** The delete marker (the content stays behind it, as NoteLog.delete writes it). */
export function writeDeleted(doc: ShardDoc, id: EntryId, by: Author, at: number): void {
  markDeleted(doc, id, by, at, SHARD_LAYOUT);
}
