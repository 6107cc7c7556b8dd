/**
 * How an entry is stored in the space document, and the checks on what is written: helpers of
 * NoteLog kept apart so that file stays about the operations. Pure.
 */
import * as A from '@automerge/automerge';
import { MAX_TEXT_LENGTH, MAX_TITLE_LENGTH } from './constants.js';
import { EDITABLE_FIELDS, readEntry, type Author, type EntryKind, type EntryRead } from './entry.js';
import { InvalidInputError } from './errors.js';
import { changeMessageOf } from './change-header.js';
import type { EntryId } from './ids.js';
import { bucketFor, rawEntries, type SpaceDoc } from './layout.js';
import { decodeOps, encodeOp, type DraftStep, type OpMessage } from './ops.js';
import { genesisChange } from './replica.js';
import { merge3 } from './text-diff.js';

export function checkTitle(field: string, value: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidInputError(`${field} must not be empty`);
  if (value.length > MAX_TITLE_LENGTH) throw new InvalidInputError(`${field} is ${value.length} characters; the limit is ${MAX_TITLE_LENGTH}`);
  return value;
}

export function checkText(field: string, value: string): string {
  if (typeof value !== 'string') throw new InvalidInputError(`${field} must be text`);
  if (value.length > MAX_TEXT_LENGTH) throw new InvalidInputError(`${field} is ${value.length} characters; the limit is ${MAX_TEXT_LENGTH}`);
  return value;
}

export const pathOf = (id: EntryId, field: string): string[] => ['b', id[0] ?? '', id[1] ?? '', id[2] ?? '', id, field];

/** A peer could have removed a bucket map; recreating it keeps this device working (and is logged by Automerge history). */
export function bucketOrCreate(doc: SpaceDoc, id: EntryId): Record<string, unknown> {
  const existing = bucketFor(doc, id);
  if (existing) return existing;
  const [a, b, c] = [id[0] ?? '', id[1] ?? '', id[2] ?? ''];
  doc.b ??= {};
  doc.b[a] ??= {};
  doc.b[a][b] ??= {};
  doc.b[a][b][c] ??= {};
  return doc.b[a][b][c];
}

/** The stored form: collaborative text only for long texts; identifiers and titles are immutable strings. */
export function storedEntry(e: Record<string, unknown> & { author: Author }): Record<string, unknown> {
  const imm = (s: string) => new A.ImmutableString(s);
  const out: Record<string, unknown> = {
    kind: imm(String(e.kind)),
    author: { name: imm(e.author.name), device: imm(e.author.device) },
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    state: imm(String(e.state)),
  };
  for (const [field, type] of Object.entries(EDITABLE_FIELDS[e.kind as EntryKind])) {
    const value = String(e[field] ?? '');
    out[field] = type === 'text' ? value : imm(value);
  }
  return out;
}

/** Marks the title-like fields that hold competing values (cheap: one lookup per field). */
export function withConflicts(read: EntryRead, raw: unknown): EntryRead {
  if (read.status !== 'valid') return read;
  const conflicts: string[] = [];
  for (const [field, type] of Object.entries(EDITABLE_FIELDS[read.entry.kind])) {
    if (type !== 'title') continue;
    const values = A.getConflicts(raw as A.Doc<unknown>, field);
    if (values && Object.keys(values).length > 1) conflicts.push(field);
  }
  return conflicts.length > 0 ? { status: 'valid', entry: { ...read.entry, conflicts } } : read;
}

/** The op records of changes, in order (a batch record as one create per draft); changes without a readable record are skipped. Only headers are read, never the ops. */
export function opsOf(changes: readonly Uint8Array[]): OpMessage[] {
  const ops: OpMessage[] = [];
  for (const change of changes) ops.push(...decodeOps(changeMessageOf(change)));
  return ops;
}

/** A document holding only the live drafts of `doc`: one change per draft, carrying its steps. */
export function draftsOnly(doc: A.Doc<SpaceDoc>, stepsOf: (id: EntryId) => DraftStep[]): { doc: A.Doc<SpaceDoc>; drafts: number } {
  let fresh = A.applyChanges(A.init<SpaceDoc>(), [genesisChange()])[0];
  let drafts = 0;
  for (const [id, raw] of rawEntries(doc)) {
    const read = readEntry(id, raw, 'local');
    if (read.status !== 'valid') continue; // a draft this device cannot read was never usable
    const entry = read.entry;
    const steps = stepsOf(entry.id);
    const message = encodeOp({ v: 1, op: 'create', id: entry.id, kind: entry.kind, by: entry.author, at: entry.createdAt, ...(steps.length > 0 ? { steps } : {}) });
    fresh = A.change(fresh, { message, time: Math.floor(entry.updatedAt / 1000) }, (d) => {
      bucketOrCreate(d, entry.id)[entry.id] = storedEntry(entry as unknown as Record<string, unknown> & { author: Author });
    });
    drafts++;
  }
  return { doc: fresh, drafts };
}

/**
 * Writes the fields `names` of entry `id` from `fields`. A text field whose stored text (`there`)
 * differs from what the copy was made from (`reference`) gets both sides' edits (merge3); titles
 * and first writes are set as they are.
 */
export function writeFields(
  doc: SpaceDoc,
  id: EntryId,
  edit: {
    names: readonly string[];
    fields: Readonly<Record<string, string>>;
    kinds: Readonly<Record<string, 'text' | 'title'>>;
    reference: Readonly<Record<string, string>>;
    there: Readonly<Record<string, string>>;
    at: number;
  },
): void {
  const stored = bucketFor(doc, id)?.[id] as Record<string, unknown>;
  for (const name of edit.names) {
    const mine = edit.fields[name] ?? '';
    const there = edit.there[name] ?? '';
    const text = edit.kinds[name] === 'text';
    const value = text && there !== edit.reference[name] ? merge3(edit.reference[name] ?? '', mine, there) : mine;
    if (text && typeof stored[name] === 'string') A.updateText(doc, pathOf(id, name), value);
    else stored[name] = text ? value : new A.ImmutableString(value);
  }
  stored.updatedAt = edit.at;
}

/** Sets the deleted marker. The content stays behind it, so that the entry, and an edit racing the delete, can be restored (its history holds it anyway). */
export function markDeleted(doc: SpaceDoc, id: EntryId, by: Author, at: number): void {
  const stored = bucketFor(doc, id)?.[id] as Record<string, unknown>;
  stored.deleted = { at, by: { name: new A.ImmutableString(by.name), device: new A.ImmutableString(by.device) } };
  stored.updatedAt = at;
}

/** Removes the deleted marker, filling in from `fields` what an older delete removed. */
export function unmarkDeleted(doc: SpaceDoc, id: EntryId, kinds: Readonly<Record<string, 'text' | 'title'>>, fields: Readonly<Record<string, string>>, at: number): void {
  const stored = bucketFor(doc, id)?.[id] as Record<string, unknown>;
  delete stored.deleted;
  for (const [field, type] of Object.entries(kinds)) {
    if (stored[field] === undefined) stored[field] = type === 'text' ? (fields[field] ?? '') : new A.ImmutableString(fields[field] ?? '');
  }
  stored.updatedAt = at;
}
