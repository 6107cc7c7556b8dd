import { EDITABLE_FIELDS, readEntry, titleOf, type Author, type Entry, type EntryKind, type NoteFields, type RecipeFields } from './entry.js';
import { createDrafts, type NewDraft } from './bulk-create.js';
import { AlreadyPublishedError, EntryNotFoundError, InvalidInputError } from './errors.js';
import { checkText, checkTitle, containerOf, storedEntry, unmarkDeleted, markDeleted, writeFields } from './stored-entry.js';
import { newEntryId, type EntryId } from './ids.js';
import { bucketFor, type SpaceDoc } from './layout.js';
import { SPACE_LAYOUT } from './entry-layout.js';
import { encodeOp, type OpMessage } from './ops.js';
import { draftStepsOf, finishInterruptedPublishes, forgetPublishedDrafts, rebuiltLocalDoc } from './local-log.js';
import type { Clock, HistoryCache, Logger, StoreProblem } from './ports.js';
import type { LegacyHistoryStore } from './legacy-history.js';
import { Replica, type Heads } from './replica.js';
import type { ShardedSpace } from './shards/sharded-space.js';
import { NoteReads } from './note-reads.js';
import type { NoteLogComponents, NoteLogInit } from './note-log-types.js';

export type { ChangeOrigin, EntriesChanged, EntryList, EntryVersionRef, FieldConflict, ListFilter, NoteLogComponents, NoteLogInit } from './note-log-types.js';

/**
 * The note log of one space: operations (create, edit, publish, delete) over the read side
 * (note-reads.ts). Drafts live in the local replica until published; publishing moves them,
 * same id, to the shared log (one document, or the entry's shard on a sharded space).
 */
export class NoteLog extends NoteReads {
  private readonly clock: Clock;

  private constructor(
    shared: Replica<SpaceDoc> | ShardedSpace,
    local: Replica<SpaceDoc>,
    problems: StoreProblem[],
    logger: Logger,
    private author: Author,
    clock: Clock | undefined,
    historyCache: HistoryCache | undefined,
    legacyHistory: LegacyHistoryStore | undefined,
  ) {
    super(shared, local, problems, logger, historyCache, legacyHistory);
    this.clock = clock ?? Date.now;
  }

  static async open(components: NoteLogComponents, init: NoteLogInit): Promise<NoteLog> {
    const { logger } = components;
    const opts = { logger, compactAfterRecords: init.compactAfterRecords };
    if ((components.shared === undefined) === (components.sharded === undefined)) throw new InvalidInputError('a note log has one shared log: a store (v1) or a sharded space (v2)');
    const shared = components.sharded ? { replica: components.sharded, problems: [] } : await Replica.open<SpaceDoc>(components.shared!, { ...opts, name: 'shared' });
    // The local log rebuilds itself from its live drafts when it compacts: it costs what the
    // current drafts cost, not what every draft ever written cost.
    let self: NoteLog | undefined;
    const local = await Replica.open<SpaceDoc>(components.local, {
      ...opts,
      name: 'local',
      rebuild: (doc) => (self ? rebuiltLocalDoc(doc, (id) => draftStepsOf(self?.historyOf(id) ?? []), logger) : undefined),
    });
    const log = (self = new NoteLog(shared.replica, local.replica, [...shared.problems, ...local.problems], logger, init.author, components.clock, components.historyCache, components.legacyHistory));
    // On shards the read index says whether a draft's id is also published: no shard is loaded.
    const shards = log.shards;
    const published = shards ? (id: EntryId) => shards.row(id) !== undefined : (id: EntryId) => log.sides.shared.raw(id) !== undefined;
    if (!log.local.pristine) await finishInterruptedPublishes(log.local.doc, published, async (id) => {
      // A publish that did not land here may still have reached a peer, and come back after the
      // draft was edited again: those edits are the person's latest, so the draft stays (reads
      // prefer it) until it is published again, rather than being dropped for the older copy.
      await log.sides.shared.load([id]);
      if (draftEditedSince(log.sides.local.raw(id), log.sides.shared.raw(id), id)) {
        logger.warn(`entry ${id} is published and was edited as a draft since: it stays a draft with those edits (publish it again to share them)`);
        return;
      }
      await log.removeDraft(id, log.op({ op: 'publish', id, at: log.clock() }));
    }, logger);
    await forgetPublishedDrafts(log.local, logger);
    return log;
  }

  setAuthor(author: Author): void {
    this.author = author;
  }

  async createNote(fields: NoteFields): Promise<Entry> {
    return this.create('note', { title: checkTitle('title', fields.title), body: checkText('body', fields.body) });
  }

  async createRecipe(fields: RecipeFields): Promise<Entry> {
    return this.create('recipe', {
      name: checkTitle('name', fields.name),
      ingredients: checkText('ingredients', fields.ingredients),
      instructions: checkText('instructions', fields.instructions),
    });
  }

  /**
   * Many drafts at once (an import): checked first, then written one change per batch (bulk-create.ts)
   * with a yield to the event loop between batches; resolves once all are durable, in order.
   * Each draft's history has its create step.
   */
  async createDrafts(drafts: readonly NewDraft[], onBatch?: (made: number) => void): Promise<Entry[]> {
    const ids = await createDrafts(this.local, drafts, this.author, this.clock, onBatch);
    return ids.map((id) => this.require(id).entry);
  }

  /**
   * Edits any editable fields of a draft or a published entry. With `base` (the heads the editor's
   * copy was made from, see `version`), only what differs from the entry *as it was at base* is
   * written, merged with what arrived since: edits made meanwhile are kept, never undone.
   * A base this log does not hold (e.g. the draft was published meanwhile) edits the current entry.
   */
  async edit(id: EntryId, fields: Readonly<Record<string, string>>, base?: Heads, restoredFrom?: string): Promise<Entry> {
    await this.load([id]);
    await this.editNow(id, fields, { base, restoredFrom }).durable;
    return this.require(id).entry;
  }

  /**
   * `edit` applied in memory before it returns, for live typing. The copy being written was made
   * from `from.shadow` (the fields the editor and the log last agreed on; default: the entry at
   * `from.base`, else the current entry). Text fields that changed here since are merged three
   * ways (merge3) and written as a change at the heads: cheap whatever the size of the space.
   * A title changed both here and elsewhere since is written as a change made at `from.base`
   * (Automerge keeps both values: a conflict), when the base is known. `heads` is the log's
   * version after the edit, `own` the version this write made for the copy (base plus the write
   * when written at the base, else `heads`), `changed` whether anything was written, `durable`
   * settles once stored.
   */
  editNow(
    id: EntryId,
    fields: Readonly<Record<string, string>>,
    from: { base?: Heads; shadow?: Readonly<Record<string, string>>; restoredFrom?: string } = {},
  ): { heads: Heads; own: Heads; changed: boolean; durable: Promise<void> } {
    const { entry, scope } = this.require(id);
    const allowed = EDITABLE_FIELDS[entry.kind];
    const names = Object.keys(fields);
    if (names.length === 0) throw new InvalidInputError('nothing to edit: give at least one field');
    for (const name of names) {
      const kind = allowed[name];
      if (!kind) throw new InvalidInputError(`a ${entry.kind} has no field "${name}" (fields: ${Object.keys(allowed).join(', ')})`);
      if (kind === 'title') checkTitle(name, fields[name] ?? '');
      else checkText(name, fields[name] ?? '');
    }
    const side = this.sides[scope];
    const base = from.base !== undefined && side.hasHeads(id, from.base) ? from.base : undefined;
    const then = base ? this.entryAt(scope, id, base) : undefined;
    const current = entry as unknown as Record<string, string>;
    const reference = from.shadow ?? (then && !then.deleted ? then.fields : current);
    const changed = names.filter((n) => reference[n] !== fields[n]);
    if (changed.length === 0) return { heads: side.heads(id), own: side.heads(id), changed: false, durable: Promise.resolve() };
    const concurrentTitle = changed.some((n) => allowed[n] === 'title' && current[n] !== reference[n]);
    const at = this.clock();
    const message = this.op({ op: 'edit', id, fields: changed, at, ...(from.restoredFrom ? { restoredFrom: from.restoredFrom } : {}) });
    // At the heads, a text someone else changed meanwhile gets both sides' edits; at base, the
    // copy's edits go onto the text as it was there (the shadow may differ from it).
    const write = (atBase: boolean) => (doc: unknown) =>
      writeFields(doc, id, { names: changed, fields, kinds: allowed, reference, there: atBase ? (then?.fields ?? {}) : current, at, agreed: from.shadow !== undefined }, side.layout);
    // Automerge's changeAt isolates the whole document at the base (its cost grows with the
    // document): only for the rare title written concurrently, where it keeps both values.
    const atBase = concurrentTitle && base && then && !then.deleted ? base : undefined;
    const made = side.changeNow(id, message, write(atBase !== undefined), atBase);
    return { heads: made.heads, own: made.own, changed: made.change !== undefined, durable: made.durable };
  }

  /** Moves a draft, same id, from the local log into the shared log. */
  async publish(id: EntryId): Promise<Entry> {
    await this.load([id]);
    const { entry, scope } = this.require(id);
    if (scope === 'shared') throw new AlreadyPublishedError(`"${titleOf(entry)}" is already published`);
    const at = this.clock();
    // The draft's steps go with it: its own changes leave the local log when it next compacts.
    const steps = draftStepsOf(this.historyOf(id));
    const message = this.op({ op: 'publish', id, at, ...(steps.length > 0 ? { steps } : {}) });
    const shared = this.sides.shared;
    await shared.change(id, message, (doc) => {
      containerOf(doc, id, shared.layout)[id] = storedEntry({ ...entry, state: 'published', updatedAt: at });
    });
    // If we crash here the entry is in both logs; open() finishes the move.
    await this.removeDraft(id, message);
    await forgetPublishedDrafts(this.local, this.logger);
    return this.require(id).entry;
  }

  /** Deletes a draft outright; a published entry becomes a tombstone in the shared log. */
  async delete(id: EntryId): Promise<void> {
    await this.load([id]);
    const { scope } = this.require(id);
    const at = this.clock();
    const message = this.op({ op: 'delete', id, at });
    const shared = this.sides.shared;
    if (scope === 'local') {
      // A publish interrupted here that reached a peer comes back as a published copy while the
      // draft stays (reads prefer the draft): deleting the draft deletes that copy too, first, or
      // the entry the person deleted would come back as published.
      if (readEntry(id, shared.raw(id), 'shared').status === 'valid') await shared.change(id, message, (doc) => markDeleted(doc, id, this.author, at, shared.layout));
      await this.removeDraft(id, message);
      await forgetPublishedDrafts(this.local, this.logger);
      return;
    }
    await shared.change(id, message, (doc) => markDeleted(doc, id, this.author, at, shared.layout));
  }

  /**
   * Brings a deleted published entry back for everyone, as a new operation: the deleted marker is
   * removed, with the content it had (including edits that raced the delete). Automerge's map
   * semantics make this safe: a late peer's old edit never touches the marker (no resurrection),
   * the removal follows the delete causally (a late peer cannot re-kill it), and a delete made
   * concurrently with the restore wins (someone meant to delete it again).
   */
  async restore(id: EntryId): Promise<Entry> {
    await this.load([id]);
    const read = this.get(id);
    if (!read) throw new EntryNotFoundError(`no entry with id ${id}`);
    if (read.status !== 'deleted') throw new InvalidInputError(`entry ${id} is not deleted`);
    const fields = read.tombstone.fields ?? this.contentBeforeDelete(id);
    if (!fields) throw new InvalidInputError(`entry ${id} has no content left to restore`);
    const at = this.clock();
    const shared = this.sides.shared;
    await shared.change(id, this.op({ op: 'restore', id, at }), (doc) => unmarkDeleted(doc, id, EDITABLE_FIELDS[read.tombstone.kind], fields, at, shared.layout));
    return this.require(id).entry;
  }

  /** Ends a conflict on `field` with one value (picked or new), written over every competing one. */
  async resolveConflict(id: EntryId, field: string, value: string): Promise<Entry> {
    await this.load([id]);
    const { entry, scope } = this.require(id);
    if (EDITABLE_FIELDS[entry.kind][field] !== 'title') throw new InvalidInputError(`a ${entry.kind}'s "${field}" is not a field with competing values`);
    checkTitle(field, value);
    const at = this.clock();
    const side = this.sides[scope];
    await side.change(id, this.op({ op: 'edit', id, fields: [field], at }), (doc) =>
      writeFields(doc, id, { names: [field], fields: { [field]: value }, kinds: EDITABLE_FIELDS[entry.kind], reference: {}, there: {}, at }, side.layout),
    );
    return this.require(id).entry;
  }

  /** Writes a past version back as a new edit (restoring the entry first if it was deleted). */
  async restoreVersion(id: EntryId, hash: string): Promise<Entry> {
    await this.load([id]);
    if (hash === '') throw new InvalidInputError('that step was made while the entry was a private draft; its content was not shared');
    const version = this.versionAt(id, hash);
    if (this.get(id)?.status === 'deleted') await this.restore(id);
    return this.edit(id, version.fields, undefined, hash);
  }

  async close(): Promise<void> {
    await this.history.persist();
    const results = await Promise.allSettled([this.shards ? this.shards.space.close() : this.shared.close(), this.local.close()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** The content of an entry whose tombstone predates deletes that keep it: read just before the delete. */
  private contentBeforeDelete(id: EntryId): Record<string, string> | undefined {
    const deletes = this.historyOf(id).filter((item) => item.op === 'delete' && item.scope === 'shared');
    const last = deletes.at(-1);
    return last ? this.entryAt('shared', id, last.deps)?.fields : undefined;
  }

  private async create(kind: EntryKind, fields: Record<string, string>): Promise<Entry> {
    const id = newEntryId();
    const at = this.clock();
    await this.local.change(this.op({ op: 'create', id, kind, at }), (doc) => {
      containerOf(doc, id, SPACE_LAYOUT)[id] = storedEntry({ kind, ...fields, author: this.author, createdAt: at, updatedAt: at, state: 'draft' });
    });
    return this.require(id).entry;
  }

  private async removeDraft(id: EntryId, message: string): Promise<void> {
    await this.local.change(message, (doc) => {
      const bucket = bucketFor(doc, id);
      if (bucket) delete bucket[id];
    });
  }

  private op(fields: DistributiveOmit<OpMessage, 'v' | 'by'>): string {
    return encodeOp({ v: 1, by: this.author, ...fields } as OpMessage);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Whether the draft's editable fields differ from the published copy's (both read as stored). */
function draftEditedSince(draftRaw: unknown, publishedRaw: unknown, id: EntryId): boolean {
  const draft = readEntry(id, draftRaw, 'local');
  const published = readEntry(id, publishedRaw, 'shared');
  if (draft.status !== 'valid' || published.status !== 'valid' || draft.entry.kind !== published.entry.kind) return false;
  const a = draft.entry as unknown as Record<string, unknown>;
  const b = published.entry as unknown as Record<string, unknown>;
  return Object.keys(EDITABLE_FIELDS[draft.entry.kind]).some((field) => a[field] !== b[field]);
}
