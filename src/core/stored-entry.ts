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
import { rawEntries, type SpaceDoc } from './layout.js';
import { SPACE_LAYOUT, type EntryLayout } from './entry-layout.js';
import { decodeOps, encodeOp, type DraftStep, type OpMessage } from './ops.js';
import { genesisDoc } from './stored-document.js';
import { merge3, singleSplice } from './text-diff.js';

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

/** The map that holds entry `id` in a v1 space document, made if a peer removed it (SPACE_LAYOUT). */
export function bucketOrCreate(doc: SpaceDoc, id: EntryId): Record<string, unknown> {
  return SPACE_LAYOUT.container(doc, id, true)!;
}

/** Inside a change callback: the map holding entry `id` (the layout makes what it may make). */
export function containerOf(doc: unknown, id: EntryId, layout: EntryLayout): Record<string, unknown> {
  const container = layout.container(doc, id, true);
  if (!container) throw new InvalidInputError(`the ${layout.name} document has no map for entry ${id} (a peer damaged it)`);
  return container;
}

/** Inside a change callback: entry `id`'s stored map, which must exist. */
function storedOf(doc: unknown, id: EntryId, layout: EntryLayout): Record<string, unknown> {
  const stored = layout.container(doc, id)?.[id];
  if (typeof stored !== 'object' || stored === null) throw new InvalidInputError(`entry ${id} is not in the ${layout.name} document`);
  return stored as Record<string, unknown>;
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
  let fresh = genesisDoc<SpaceDoc>();
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
  doc: unknown,
  id: EntryId,
  edit: {
    names: readonly string[];
    fields: Readonly<Record<string, string>>;
    kinds: Readonly<Record<string, 'text' | 'title'>>;
    reference: Readonly<Record<string, string>>;
    there: Readonly<Record<string, string>>;
    at: number;
    /** `reference` is what this copy and the log last agreed on (a live editor's shadow): what the
     *  log holds beyond it is someone else's, kept even where it equals this copy's text. */
    agreed?: boolean;
  },
  layout: EntryLayout = SPACE_LAYOUT,
): void {
  const stored = storedOf(doc, id, layout);
  for (const name of edit.names) {
    const mine = edit.fields[name] ?? '';
    const there = edit.there[name] ?? '';
    const text = edit.kinds[name] === 'text';
    const value = text && there !== edit.reference[name] ? merge3(edit.reference[name] ?? '', mine, there, { keepIdentical: edit.agreed === true }) : mine;
    const current = stored[name];
    if (text && typeof current === 'string') writeText(doc as A.Doc<unknown>, [...layout.path(id), name], current, value);
    else stored[name] = text ? value : new A.ImmutableString(value);
  }
  stored.updatedAt = edit.at;
}

/** Sets the deleted marker. The content stays behind it, so that the entry, and an edit racing the delete, can be restored (its history holds it anyway). */
export function markDeleted(doc: unknown, id: EntryId, by: Author, at: number, layout: EntryLayout = SPACE_LAYOUT): void {
  const stored = storedOf(doc, id, layout);
  stored.deleted = { at, by: { name: new A.ImmutableString(by.name), device: new A.ImmutableString(by.device) } };
  stored.updatedAt = at;
}

/** Removes the deleted marker, filling in from `fields` what an older delete removed. */
export function unmarkDeleted(
  doc: unknown,
  id: EntryId,
  kinds: Readonly<Record<string, 'text' | 'title'>>,
  fields: Readonly<Record<string, string>>,
  at: number,
  layout: EntryLayout = SPACE_LAYOUT,
): void {
  const stored = storedOf(doc, id, layout);
  delete stored.deleted;
  for (const [field, type] of Object.entries(kinds)) {
    if (stored[field] === undefined) stored[field] = type === 'text' ? (fields[field] ?? '') : new A.ImmutableString(fields[field] ?? '');
  }
  stored.updatedAt = at;
}

/**
 * A text's new value: one splice when the edit inserts only or deletes only, in one place (typing,
 * a deletion: exactly what the diff would find, at about half the cost of `updateText` on a
 * ~500-character body, measured 0.18–0.23 ms against 0.31–0.55 ms), else a character diff.
 */
function writeText(doc: A.Doc<unknown>, path: string[], before: string, after: string): void {
  const one = singleSplice(before, after);
  if (one === undefined) A.updateText(doc, path, after);
  else if (one.del > 0 || one.ins !== '') A.splice(doc, path, one.at, one.del, one.ins);
}
