import { Emitter } from './emitter.js';
import { EDITABLE_FIELDS, readEntry, titleOf, type Author, type Entry, type EntryKind, type EntryRead, type LogScope, type NoteFields, type RecipeFields } from './entry.js';
import { createDrafts, type NewDraft } from './bulk-create.js';
import { AlreadyPublishedError, EntryDeletedError, EntryNotFoundError, InvalidInputError } from './errors.js';
import { HistoryIndex } from './history.js';
import { EntryIndex, mergeNewestFirst } from './entry-index.js';
import { bucketOrCreate, checkText, checkTitle, opsOf, storedEntry, unmarkDeleted, markDeleted, withConflicts, writeFields } from './stored-entry.js';
import { competingValues, entryAt, headsOfToken, versionTokenOf, type EntryVersion } from './versions.js';
import { newEntryId, type EntryId } from './ids.js';
import { bucketFor, rawEntry, resolveEntryId, type SpaceDoc } from './layout.js';
import { encodeOp, type HistoryItem, type OpMessage } from './ops.js';
import { historySteps, type HistoryStep } from './history-steps.js';
import { draftStepsOf, finishInterruptedPublishes, forgetPublishedDrafts, rebuiltLocalDoc } from './local-log.js';
import type { Clock, HistoryCache, Logger, StoreProblem } from './ports.js';
import { Replica, type Heads } from './replica.js';
import type { EntriesChanged, EntryList, EntryVersionRef, FieldConflict, ListFilter, NoteLogComponents, NoteLogInit } from './note-log-types.js';

export type { ChangeOrigin, EntriesChanged, EntryList, EntryVersionRef, FieldConflict, ListFilter, NoteLogComponents, NoteLogInit } from './note-log-types.js';

/**
 * The note log of one space: operations (create, edit, publish, delete) and a validated read view.
 * Drafts live in the local replica until published; publishing moves them, same id, to the shared one.
 */
export class NoteLog {
  readonly events = new Emitter<{ changed: EntriesChanged }>();
  private readonly history: HistoryIndex;
  /** Validated entries per log, kept current change by change (what `list` and `counts` read). */
  private readonly index: Readonly<Record<LogScope, EntryIndex>>;
  private readonly clock: Clock;

  private constructor(
    readonly shared: Replica<SpaceDoc>,
    readonly local: Replica<SpaceDoc>,
    readonly problems: StoreProblem[],
    private readonly logger: Logger,
    private author: Author,
    clock: Clock | undefined,
    historyCache: HistoryCache | undefined,
  ) {
    this.clock = clock ?? Date.now;
    const source = (scope: LogScope, replica: Replica<SpaceDoc>) => ({
      scope,
      changes: () => replica.changesMeta(),
      since: (heads: readonly string[]) => replica.changesMetaSince(heads),
      heads: () => replica.heads(),
    });
    this.history = new HistoryIndex(() => [source('local', this.local), source('shared', this.shared)], historyCache, logger.child('history'));
    this.index = { local: new EntryIndex('local', () => local.doc, logger), shared: new EntryIndex('shared', () => shared.doc, logger) };
    local.events.on('rebuilt', () => {
      this.history.reset();
      this.index.local.invalidate('the local log was rebuilt');
    });
    for (const [scope, replica] of [['local', local], ['shared', shared]] as const) {
      replica.events.on('local-change', (change) => {
        this.history.add(scope, [change]);
        this.index[scope].changed([change]);
        const ops = opsOf([change]);
        this.events.emit('changed', { scope, origin: 'local', ids: idsOf(ops), ops });
      });
      replica.events.on('reloaded', () => {
        // after an Automerge panic: the document was read again from the store
        this.history.reset();
        this.index[scope].invalidate('the document was reloaded');
        this.events.emit('changed', { scope, origin: 'reload', ids: [] });
      });
      replica.events.on('remote-changes', ({ changes, from, snapshot }) => {
        if (snapshot !== undefined) {
          this.index[scope].invalidate('a whole-document catch-up');
          this.history.reset();
          this.events.emit('changed', { scope, origin: 'remote', ids: [], from, bulk: snapshot });
          return;
        }
        this.history.add(scope, changes);
        this.index[scope].changed(changes);
        const ops = opsOf(changes);
        this.events.emit('changed', { scope, origin: 'remote', ids: idsOf(ops), ops, from });
      });
    }
  }

  static async open(components: NoteLogComponents, init: NoteLogInit): Promise<NoteLog> {
    const { logger } = components;
    const opts = { logger, compactAfterRecords: init.compactAfterRecords };
    const shared = await Replica.open<SpaceDoc>(components.shared, { ...opts, name: 'shared' });
    // The local log rebuilds itself from its live drafts when it compacts: it costs what the
    // current drafts cost, not what every draft ever written cost.
    let self: NoteLog | undefined;
    const local = await Replica.open<SpaceDoc>(components.local, {
      ...opts,
      name: 'local',
      rebuild: (doc) => (self ? rebuiltLocalDoc(doc, (id) => draftStepsOf(self?.historyOf(id) ?? []), logger) : undefined),
    });
    const log = (self = new NoteLog(shared.replica, local.replica, [...shared.problems, ...local.problems], logger, init.author, components.clock, components.historyCache));
    await finishInterruptedPublishes(log.local.doc, log.shared.doc, (id) => log.removeDraft(id, log.op({ op: 'publish', id, at: log.clock() })), logger);
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
    const replica = this.replica(scope);
    const base = from.base !== undefined && replica.hasHeads(from.base) ? from.base : undefined;
    const then = base ? entryAt(replica.doc, id, base) : undefined;
    const current = entry as unknown as Record<string, string>;
    const reference = from.shadow ?? (then && !then.deleted ? then.fields : current);
    const changed = names.filter((n) => reference[n] !== fields[n]);
    if (changed.length === 0) return { heads: replica.heads(), own: replica.heads(), changed: false, durable: Promise.resolve() };
    const concurrentTitle = changed.some((n) => allowed[n] === 'title' && current[n] !== reference[n]);
    const at = this.clock();
    const message = this.op({ op: 'edit', id, fields: changed, at, ...(from.restoredFrom ? { restoredFrom: from.restoredFrom } : {}) });
    // At the heads, a text someone else changed meanwhile gets both sides' edits; at base, the
    // copy's edits go onto the text as it was there (the shadow may differ from it).
    const write = (atBase: boolean) => (doc: SpaceDoc) =>
      writeFields(doc, id, { names: changed, fields, kinds: allowed, reference, there: atBase ? (then?.fields ?? {}) : current, at });
    // Automerge's changeAt isolates the whole document at the base (its cost grows with the
    // space): only for the rare title written concurrently, where it keeps both values.
    const made = concurrentTitle && base && then && !then.deleted ? replica.changeAtNow(base, message, write(true)) : replica.changeNow(message, write(false));
    return { heads: replica.heads(), own: made.heads, changed: made.change !== undefined, durable: made.durable };
  }

  /**
   * The first of `candidates` at which the entry's titles are those of `fields`: a base a copy
   * holding `fields` can write its next edits from without overwriting a title it never showed.
   */
  baseWithTitles(id: EntryId, fields: Readonly<Record<string, string>>, candidates: ReadonlyArray<Heads | undefined>): Heads | undefined {
    const read = this.get(id);
    if (read?.status !== 'valid') return undefined;
    const titles = Object.entries(EDITABLE_FIELDS[read.entry.kind]).filter(([name, kind]) => kind === 'title' && name in fields).map(([name]) => name);
    return candidates.find((heads) => {
      const then = heads ? this.fieldsAt(id, heads) : undefined;
      return then !== undefined && !then.deleted && titles.every((name) => then.fields[name] === fields[name]);
    });
  }

  /** The log an entry is in and its heads now: the base to give `edit` for a copy made now. */
  version(id: EntryId): EntryVersionRef {
    const { scope } = this.require(id);
    return { scope, heads: this.replica(scope).heads() };
  }

  /** A short, typeable form of `version(id).heads` (16 hex digits of each head, joined by +). */
  versionToken(id: EntryId): string {
    return versionTokenOf(this.version(id).heads);
  }

  /** The heads a `versionToken` stands for, looked up among the changes of the entry's log. */
  resolveVersion(id: EntryId, token: string): Heads {
    const { scope } = this.require(id);
    return headsOfToken(token, this.replica(scope).changesMeta().map((m) => m.hash));
  }

  /** Moves a draft, same id, from the local log into the shared log. */
  async publish(id: EntryId): Promise<Entry> {
    const { entry, scope } = this.require(id);
    if (scope === 'shared') throw new AlreadyPublishedError(`"${titleOf(entry)}" is already published`);
    const at = this.clock();
    // The draft's steps go with it: its own changes leave the local log when it next compacts.
    const steps = draftStepsOf(this.historyOf(id));
    const message = this.op({ op: 'publish', id, at, ...(steps.length > 0 ? { steps } : {}) });
    await this.shared.change(message, (doc) => {
      bucketOrCreate(doc, id)[id] = storedEntry({ ...entry, state: 'published', updatedAt: at });
    });
    // If we crash here the entry is in both logs; open() finishes the move.
    await this.removeDraft(id, message);
    await forgetPublishedDrafts(this.local, this.logger);
    return this.require(id).entry;
  }

  /** Deletes a draft outright; a published entry becomes a tombstone in the shared log. */
  async delete(id: EntryId): Promise<void> {
    const { scope } = this.require(id);
    const at = this.clock();
    const message = this.op({ op: 'delete', id, at });
    if (scope === 'local') {
      await this.removeDraft(id, message);
      await forgetPublishedDrafts(this.local, this.logger);
      return;
    }
    await this.shared.change(message, (doc) => markDeleted(doc, id, this.author, at));
  }

  /**
   * Brings a deleted published entry back for everyone, as a new operation: the deleted marker is
   * removed, with the content it had (including edits that raced the delete). Automerge's map
   * semantics make this safe: a late peer's old edit never touches the marker (no resurrection),
   * the removal follows the delete causally (a late peer cannot re-kill it), and a delete made
   * concurrently with the restore wins (someone meant to delete it again).
   */
  async restore(id: EntryId): Promise<Entry> {
    const read = this.get(id);
    if (!read) throw new EntryNotFoundError(`no entry with id ${id}`);
    if (read.status !== 'deleted') throw new InvalidInputError(`entry ${id} is not deleted`);
    const fields = read.tombstone.fields ?? this.contentBeforeDelete(id);
    if (!fields) throw new InvalidInputError(`entry ${id} has no content left to restore`);
    const at = this.clock();
    await this.shared.change(this.op({ op: 'restore', id, at }), (doc) => unmarkDeleted(doc, id, EDITABLE_FIELDS[read.tombstone.kind], fields, at));
    return this.require(id).entry;
  }

  /** Competing values of the entry's title-like fields, with their authors (empty: no conflict). */
  conflictsOf(id: EntryId): FieldConflict[] {
    const { entry, scope } = this.require(id);
    const shown = entry as unknown as Record<string, string>;
    const out: FieldConflict[] = [];
    for (const [field, type] of Object.entries(EDITABLE_FIELDS[entry.kind])) {
      if (type !== 'title') continue;
      const values = competingValues(this.replica(scope).doc, id, field);
      if (values.length < 2) continue;
      out.push({ field, values: values.map((v) => ({ value: v.value, by: this.history.authorOfOp(v.opId), shown: v.value === shown[field] })) });
    }
    return out;
  }

  /** Ends a conflict on `field` with one value (picked or new), written over every competing one. */
  async resolveConflict(id: EntryId, field: string, value: string): Promise<Entry> {
    const { entry, scope } = this.require(id);
    if (EDITABLE_FIELDS[entry.kind][field] !== 'title') throw new InvalidInputError(`a ${entry.kind}'s "${field}" is not a field with competing values`);
    checkTitle(field, value);
    const at = this.clock();
    await this.replica(scope).change(this.op({ op: 'edit', id, fields: [field], at }), (doc) =>
      writeFields(doc, id, { names: [field], fields: { [field]: value }, kinds: EDITABLE_FIELDS[entry.kind], reference: {}, there: {}, at }),
    );
    return this.require(id).entry;
  }

  /** History with what each step changed (field, before → after), read at each step's version. */
  historyDetails(id: EntryId): HistoryStep[] {
    return historySteps(this.historyOf(id), (scope) => this.replica(scope).doc, id);
  }

  /** The entry as it was right after one step of its history (`hash` from historyOf). */
  versionAt(id: EntryId, hash: string): EntryVersion {
    const step = this.historyOf(id).find((item) => item.hash === hash);
    if (!step) throw new EntryNotFoundError(`entry ${id} has no history step ${hash.slice(0, 12)}`);
    const version = entryAt(this.replica(step.scope).doc, id, [hash]);
    if (!version) throw new EntryNotFoundError(`entry ${id} did not exist at step ${hash.slice(0, 12)}`);
    return version;
  }

  /** The entry as it was at `heads` of its log (undefined when the log does not hold them). */
  fieldsAt(id: EntryId, heads: Heads): EntryVersion | undefined {
    const read = this.get(id);
    if (!read) return undefined;
    const replica = this.replica(read.scope);
    return replica.hasHeads(heads) ? entryAt(replica.doc, id, heads) : undefined;
  }

  /** Writes a past version back as a new edit (restoring the entry first if it was deleted). */
  async restoreVersion(id: EntryId, hash: string): Promise<Entry> {
    if (hash === '') throw new InvalidInputError('that step was made while the entry was a private draft; its content was not shared');
    const version = this.versionAt(id, hash);
    if (this.get(id)?.status === 'deleted') await this.restore(id);
    return this.edit(id, version.fields, undefined, hash);
  }

  /**
   * Resolves once the history index is built (from the stored index and the changes since, read
   * in slices: never blocking for long). `historyDetails` and `conflictsOf` are instant after it.
   */
  historyReady(): Promise<void> {
    return this.history.ready();
  }

  /** One entry, validated: drafts take precedence over a published copy during an interrupted publish. */
  get(id: EntryId): (EntryRead & { scope: LogScope }) | undefined {
    for (const scope of ['local', 'shared'] as const) {
      const raw = rawEntry(this.replica(scope).doc, id);
      if (raw !== undefined) return { ...withConflicts(readEntry(id, raw, scope), raw), scope };
    }
    return undefined;
  }

  /** Valid entries newest first, plus deleted and invalid ones: from the entry index, no rescan. */
  list(filter: ListFilter = {}): EntryList {
    const scopes: LogScope[] = filter.state === 'draft' ? ['local'] : filter.state === 'published' ? ['shared'] : ['local', 'shared'];
    const views = scopes.map((scope) => this.index[scope].view());
    const entries = views.length === 1 ? [...views[0]!.entries] : mergeNewestFirst(views[0]!.entries, views[1]!.entries);
    return {
      entries: filter.kind ? entries.filter((e) => e.kind === filter.kind) : entries,
      deleted: views.flatMap((v) => v.deleted),
      invalid: views.flatMap((v) => v.invalid),
    };
  }

  /** How many drafts and published entries there are (what `status` shows): no list is built. */
  counts(): { drafts: number; published: number } {
    return { drafts: this.index.local.count(), published: this.index.shared.count() };
  }

  historyOf(id: EntryId): HistoryItem[] {
    return this.history.get(id);
  }

  /** Accepts a full id or a unique prefix (at least 4 hex digits), as people type them. */
  resolveId(text: string): EntryId {
    return resolveEntryId(text, [this.local.doc, this.shared.doc], (id) => this.get(id) !== undefined);
  }

  async close(): Promise<void> {
    await this.history.persist();
    const results = await Promise.allSettled([this.shared.close(), this.local.close()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** The content of an entry whose tombstone predates deletes that keep it: read just before the delete. */
  private contentBeforeDelete(id: EntryId): Record<string, string> | undefined {
    const deletes = this.historyOf(id).filter((item) => item.op === 'delete' && item.scope === 'shared');
    const last = deletes.at(-1);
    return last ? entryAt(this.shared.doc, id, last.deps)?.fields : undefined;
  }

  private async create(kind: EntryKind, fields: Record<string, string>): Promise<Entry> {
    const id = newEntryId();
    const at = this.clock();
    await this.local.change(this.op({ op: 'create', id, kind, at }), (doc) => {
      bucketOrCreate(doc, id)[id] = storedEntry({ kind, ...fields, author: this.author, createdAt: at, updatedAt: at, state: 'draft' });
    });
    return this.require(id).entry;
  }

  private async removeDraft(id: EntryId, message: string): Promise<void> {
    await this.local.change(message, (doc) => {
      const bucket = bucketFor(doc, id);
      if (bucket) delete bucket[id];
    });
  }

  private require(id: EntryId): { entry: Entry; scope: LogScope } {
    const read = this.get(id);
    if (!read) throw new EntryNotFoundError(`no entry with id ${id}`);
    if (read.status === 'deleted') throw new EntryDeletedError(`entry ${id} was deleted`);
    if (read.status === 'invalid') throw new InvalidInputError(`entry ${id} is invalid (${read.invalid.reason}); it cannot be changed`);
    return { entry: read.entry, scope: read.scope };
  }

  private replica(scope: LogScope): Replica<SpaceDoc> {
    return scope === 'shared' ? this.shared : this.local;
  }

  private op(fields: DistributiveOmit<OpMessage, 'v' | 'by'>): string {
    return encodeOp({ v: 1, by: this.author, ...fields } as OpMessage);
  }
}


const idsOf = (ops: readonly OpMessage[]): EntryId[] => [...new Set(ops.map((op) => op.id))];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
