/**
 * Many drafts created at once (a markdown import of thousands of files): one Automerge change, one
 * op record (`create-batch`, ops.ts) and one durable append per batch, where `createNote` costs one
 * of each per draft. The batches are made one after the other with a yield to the event loop
 * between them, so the event loop is never held for a whole import. Pure.
 */
import type { Author, EntryKind, NoteFields, RecipeFields } from './entry.js';
import { newEntryId, type EntryId } from './ids.js';
import type { SpaceDoc } from './layout.js';
import { encodeBatch } from './ops.js';
import type { Clock } from './ports.js';
import type { Replica } from './replica.js';
import { bucketOrCreate, checkText, checkTitle, storedEntry } from './stored-entry.js';

/** Drafts per change (at most ops.ts MAX_BATCH_ENTRIES): ~50–100 ms of Automerge work at a few hundred characters each, measured (docs/BENCHMARKS.md). */
export const BULK_BATCH = 100;

/** A draft to create: a note or a recipe with its fields. */
export type NewDraft = { readonly kind: 'note'; readonly fields: NoteFields } | { readonly kind: 'recipe'; readonly fields: RecipeFields };

interface CheckedDraft {
  readonly kind: EntryKind;
  readonly fields: Readonly<Record<string, string>>;
}

/** The fields as they are written, checked as createNote / createRecipe check them (InvalidInputError). */
export function checkedDraft(draft: NewDraft): CheckedDraft {
  if (draft.kind === 'note') return { kind: 'note', fields: { title: checkTitle('title', draft.fields.title), body: checkText('body', draft.fields.body) } };
  const { name, ingredients, instructions } = draft.fields;
  return {
    kind: 'recipe',
    fields: { name: checkTitle('name', name), ingredients: checkText('ingredients', ingredients), instructions: checkText('instructions', instructions) },
  };
}

/**
 * Creates every draft (all checked before any is written) in `local`, BULK_BATCH per change, and
 * resolves with their ids, in order, once every change is durable. `onBatch` is told how many are
 * made so far after each change. A failed write stops the batches that follow.
 */
export async function createDrafts(
  local: Replica<SpaceDoc>,
  drafts: readonly NewDraft[],
  author: Author,
  clock: Clock,
  onBatch?: (made: number) => void,
): Promise<EntryId[]> {
  const checked = drafts.map(checkedDraft);
  const ids: EntryId[] = [];
  const writes: Array<Promise<void>> = [];
  let failed: unknown;
  for (let i = 0; i < checked.length; i += BULK_BATCH) {
    if (i > 0) await yieldNow();
    if (failed !== undefined) throw failed;
    const batch = checked.slice(i, i + BULK_BATCH).map((draft) => ({ ...draft, id: newEntryId() }));
    const at = clock();
    const message = encodeBatch({ v: 1, op: 'create-batch', by: author, at, entries: batch.map((d) => [d.id, d.kind] as const) });
    const { durable } = local.changeNow(message, (doc) => {
      for (const { id, kind, fields } of batch) bucketOrCreate(doc, id)[id] = storedEntry({ kind, ...fields, author, createdAt: at, updatedAt: at, state: 'draft' });
    });
    writes.push(durable.catch((err: unknown) => void (failed ??= err)));
    for (const d of batch) ids.push(d.id);
    onBatch?.(ids.length);
  }
  await Promise.all(writes);
  if (failed !== undefined) throw failed;
  return ids;
}

const yieldNow = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
