/**
 * The read side of a NoteLog: its two logs entry by entry (log-side.ts), the list, the history
 * index, versions and conflicts, and the one change event. On a sharded space (v2) the synchronous
 * reads of a published entry need its shard at hand (`load`, or `hold` while an editor has it
 * open); the list and counts come from the read index and never load a shard. NoteLog adds the
 * operations. Pure.
 */
import * as A from '@automerge/automerge';
import { Emitter } from './emitter.js';
import { deletedSummaryOf, EDITABLE_FIELDS, readEntry, summaryOf, type Entry, type EntryRead, type EntrySummary, type ListTotals, type LogScope, type SummaryList } from './entry.js';
import { EntryDeletedError, EntryNotFoundError, InvalidInputError } from './errors.js';
import { HistoryIndex, orderedHistory } from './history.js';
import { EntryIndex, mergeNewestFirst } from './entry-index.js';
import { opsOf, withConflicts } from './stored-entry.js';
import { competingValues, entryAt, headsOfToken, versionTokenOf, type EntryVersion } from './versions.js';
import { isEntryId, type EntryId } from './ids.js';
import { rawEntries, resolveEntryId, type SpaceDoc } from './layout.js';
import { ShardedShared } from './sharded-shared.js';
import type { ShardedSpace } from './shards/sharded-space.js';
import { ReplicaSide, type LogSide } from './log-side.js';
import type { HistoryItem, OpMessage } from './ops.js';
import { historySteps, type HistoryStep } from './history-steps.js';
import type { HistoryCache, Logger, StoreProblem } from './ports.js';
import type { LegacyHistoryStore, LegacyStep } from './legacy-history.js';
import { isGenesisOnly, Replica, type Heads } from './replica.js';
import type { EntriesChanged, EntryList, EntryVersionRef, FieldConflict, ListFilter } from './note-log-types.js';

export class NoteReads {
  readonly events = new Emitter<{ changed: EntriesChanged }>();
  protected readonly history: HistoryIndex;
  /** Validated entries per log, kept current change by change (what `list` and `counts` read). */
  protected readonly index: { readonly local: EntryIndex; readonly shared: EntryIndex | undefined };
  /** Each log entry by entry: what the operations read and write through. */
  protected readonly sides: Readonly<Record<LogScope, LogSide>>;

  /** The shared log when it is one document (v1); undefined on a sharded space. */
  protected readonly sharedReplica: Replica<SpaceDoc> | undefined;
  /** The shared log on a sharded space (v2). */
  protected readonly shards: ShardedShared | undefined;

  protected constructor(
    shared: Replica<SpaceDoc> | ShardedSpace,
    readonly local: Replica<SpaceDoc>,
    readonly problems: StoreProblem[],
    readonly logger: Logger,
    historyCache: HistoryCache | undefined,
    legacyHistory?: LegacyHistoryStore,
  ) {
    const v1 = shared instanceof Replica ? shared : undefined;
    this.sharedReplica = v1;
    this.shards = v1 ? undefined : new ShardedShared(shared as ShardedSpace, legacyHistory);
    this.sides = { local: new ReplicaSide('local', local), shared: v1 ? new ReplicaSide('shared', v1) : this.shards!.side };
    // A log that is the genesis alone has no history: it is not built in memory to say so.
    const source = (scope: LogScope, replica: Replica<SpaceDoc>) => ({
      scope,
      changes: () => (replica.pristine ? [] : replica.changesMeta()),
      since: (heads: readonly string[]) => (replica.pristine ? (isGenesisOnly(heads) ? [] : undefined) : replica.changesMetaSince(heads)),
      heads: () => replica.heads(),
    });
    // On a sharded space the index holds the drafts' history; each shard's comes from the shard.
    this.history = new HistoryIndex(() => (v1 ? [source('local', local), source('shared', v1)] : [source('local', local)]), historyCache, logger.child('history'));
    const docOf = (replica: Replica<SpaceDoc>) => () => (replica.pristine ? undefined : replica.doc);
    this.index = { local: new EntryIndex('local', docOf(local), logger), shared: v1 ? new EntryIndex('shared', docOf(v1), logger) : undefined };
    local.events.on('rebuilt', () => {
      this.history.reset();
      this.index.local.invalidate('the local log was rebuilt');
    });
    if (this.shards) this.followShards(this.shards.space);
    for (const [scope, replica] of v1 ? ([['local', local], ['shared', v1]] as const) : ([['local', local]] as const)) {
      replica.events.on('local-change', (change) => {
        this.history.add(scope, [change]);
        this.index[scope]?.changed([change]);
        const ops = opsOf([change]);
        this.events.emit('changed', { scope, origin: 'local', ids: idsOf(ops), ops });
      });
      replica.events.on('reloaded', () => {
        // after an Automerge panic: the document was read again from the store
        this.history.reset();
        this.index[scope]?.invalidate('the document was reloaded');
        this.events.emit('changed', { scope, origin: 'reload', ids: [] });
      });
      replica.events.on('remote-changes', ({ changes, from, snapshot }) => {
        if (snapshot !== undefined) {
          this.index[scope]?.invalidate('a whole-document catch-up');
          this.history.reset();
          this.events.emit('changed', { scope, origin: 'remote', ids: [], from, bulk: snapshot });
          return;
        }
        this.history.add(scope, changes);
        this.index[scope]?.changed(changes);
        const ops = opsOf(changes);
        this.events.emit('changed', { scope, origin: 'remote', ids: idsOf(ops), ops, from });
      });
    }
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
    return { scope, heads: this.sides[scope].heads(id) };
  }

  /** A short, typeable form of `version(id).heads` (16 hex digits of each head, joined by +). */
  versionToken(id: EntryId): string {
    return versionTokenOf(this.version(id).heads);
  }

  /** The heads a `versionToken` stands for, looked up among the changes of the entry's log. */
  resolveVersion(id: EntryId, token: string): Heads {
    const { scope } = this.require(id);
    return headsOfToken(token, this.sides[scope].changeHashes(id));
  }

  /** Competing values of the entry's title-like fields, with their authors (empty: no conflict). */
  conflictsOf(id: EntryId): FieldConflict[] {
    const { entry, scope } = this.require(id);
    const shown = entry as unknown as Record<string, string>;
    const out: FieldConflict[] = [];
    for (const [field, type] of Object.entries(EDITABLE_FIELDS[entry.kind])) {
      if (type !== 'title') continue;
      const side = this.sides[scope];
      const values = competingValues(side.docOf(id), id, field, side.layout);
      if (values.length < 2) continue;
      const authorOf = (opId: string) => (scope === 'shared' && this.shards ? this.shards.authorOfOp(id, opId) : this.history.authorOfOp(opId));
      out.push({ field, values: values.map((v) => ({ value: v.value, by: authorOf(v.opId), shown: v.value === shown[field] })) });
    }
    return out;
  }

  /** History with what each step changed (field, before → after), read at each step's version. */
  historyDetails(id: EntryId): HistoryStep[] {
    const steps = historySteps(this.historyOf(id), (scope, heads) => this.entryAt(scope, id, heads));
    const legacy = this.legacyOf(id);
    return legacy.size === 0 ? steps : steps.map((step) => ({ ...step, changes: legacy.get(stepKey(step))?.changes ?? step.changes }));
  }

  /** Entry `id`'s steps from before a conversion to shards, by step (what the v1 document said). */
  private legacyOf(id: EntryId): Map<string, LegacyStep> {
    return new Map((this.shards?.legacySteps(id) ?? []).map((step) => [stepKey(step.item), step]));
  }

  /** The entry as it was right after one step of its history (`hash` from historyOf). */
  versionAt(id: EntryId, hash: string): EntryVersion {
    const step = this.historyOf(id).find((item) => item.hash === hash);
    if (!step) throw new EntryNotFoundError(`entry ${id} has no history step ${hash.slice(0, 12)}`);
    const version = this.legacyOf(id).get(stepKey(step))?.version ?? this.entryAt(step.scope, id, [hash]);
    if (!version) throw new EntryNotFoundError(`entry ${id} did not exist at step ${hash.slice(0, 12)}`);
    return version;
  }

  /** The entry as it was at `heads` of its log (undefined when the log does not hold them). */
  fieldsAt(id: EntryId, heads: Heads): EntryVersion | undefined {
    const read = this.get(id);
    if (!read) return undefined;
    return this.sides[read.scope].hasHeads(id, heads) ? this.entryAt(read.scope, id, heads) : undefined;
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
      // On shards, an id the index does not list is not there: no load needed to say so.
      if (scope === 'shared' && this.shards && this.shards.row(id) === undefined && !this.shards.side.atHand(id)) continue;
      const raw = this.sides[scope].raw(id);
      if (raw !== undefined) return { ...withConflicts(readEntry(id, raw, scope), raw), scope };
    }
    return undefined;
  }

  /** Valid entries newest first, plus deleted and invalid ones: from the entry index, no rescan. */
  list(filter: ListFilter = {}): EntryList {
    const scopes: LogScope[] = filter.state === 'draft' ? ['local'] : filter.state === 'published' ? ['shared'] : ['local', 'shared'];
    if (this.shards && scopes.includes('shared')) throw new InvalidInputError('a sharded space lists its entries as summaries (NoteLog.summaries), never all of them in full');
    const views = scopes.map((scope) => this.index[scope]!.view());
    const entries = views.length === 1 ? [...views[0]!.entries] : mergeNewestFirst(views[0]!.entries, views[1]!.entries);
    return {
      entries: filter.kind ? entries.filter((e) => e.kind === filter.kind) : entries,
      deleted: views.flatMap((v) => v.deleted),
      invalid: views.flatMap((v) => v.invalid),
    };
  }

  /**
   * The list without contents, newest change first: drafts from the local log, published entries
   * from the shared log's index (on shards: the read index, no shard loaded).
   */
  summaries(filter: ListFilter = {}): SummaryList {
    const drafts = filter.state === 'published' ? undefined : this.index.local.view();
    const local: EntrySummary[] = drafts ? drafts.entries.map(summaryOf) : [];
    let shared: SummaryList = { entries: [], deleted: [], invalid: [] };
    if (filter.state !== 'draft') {
      if (this.shards) shared = this.shards.summaries();
      else {
        const view = this.index.shared!.view();
        shared = { entries: view.entries.map(summaryOf), deleted: view.deleted.map(deletedSummaryOf), invalid: [...view.invalid] };
      }
    }
    const entries = mergeNewestFirst(local, shared.entries);
    return {
      entries: filter.kind ? entries.filter((e) => e.kind === filter.kind) : entries,
      deleted: [...(drafts?.deleted.map(deletedSummaryOf) ?? []), ...shared.deleted],
      invalid: [...(drafts?.invalid ?? []), ...shared.invalid],
    };
  }

  /**
   * The list as a view shows it first: every draft, the newest `published` published entries and
   * `deleted` tombstones, every invalid entry, and how many there are of each (`totals`). On a
   * sharded space only those rows are read from the index; a v1 space lists everything.
   */
  summaryPage(published: number, deleted: number): SummaryList & { readonly totals: ListTotals } {
    if (!this.shards) {
      const all = this.summaries();
      const drafts = all.entries.filter((e) => e.state === 'draft').length;
      return { ...all, totals: { published: all.entries.length - drafts, drafts, deleted: all.deleted.length, invalid: all.invalid.length } };
    }
    const drafts = this.index.local.view();
    const shared = this.shards.summaryPage(published, deleted);
    return {
      entries: mergeNewestFirst(drafts.entries.map(summaryOf), shared.entries),
      deleted: [...drafts.deleted.map(deletedSummaryOf), ...shared.deleted],
      invalid: [...drafts.invalid, ...shared.invalid],
      totals: {
        published: shared.totals.published,
        drafts: drafts.entries.length,
        deleted: drafts.deleted.length + shared.totals.deleted,
        invalid: drafts.invalid.length + shared.totals.invalid,
      },
    };
  }

  /** How many drafts and published entries there are (what `status` shows): no list is built. */
  counts(): { drafts: number; published: number } {
    return { drafts: this.index.local.count(), published: this.shards ? this.shards.count() : this.index.shared!.count() };
  }

  /** The shared log when it is one document (v1 spaces); a sharded space has none (`sharded`). */
  get shared(): Replica<SpaceDoc> {
    if (!this.sharedReplica) throw new InvalidInputError('this space is sharded: its shared log is not one document');
    return this.sharedReplica;
  }

  /** The shared log of a sharded space (undefined for a v1 space). */
  get sharded(): ShardedSpace | undefined {
    return this.shards?.space;
  }

  /**
   * Brings what the synchronous reads (`get`, `version`, `historyOf`, `conflictsOf`, `editNow`)
   * of these entries need into memory. A v1 space holds everything: nothing to do.
   */
  async load(ids: Iterable<EntryId>): Promise<void> {
    const wanted = [...ids];
    await Promise.all([this.sides.shared.load(wanted), this.shards?.loadLegacy(wanted)]);
  }

  /** Whether the synchronous reads of entry `id` can run now (always on a v1 space). */
  atHand(id: EntryId): boolean {
    return this.sides.shared.atHand(id) || this.shards?.row(id) === undefined;
  }

  /**
   * The ids of the shared log's entries, grouped by the document that holds them (v1: one group;
   * on shards: one per shard), read from the index: what a reader of every entry loads in turn.
   */
  *sharedGroups(): Generator<EntryId[]> {
    if (!this.shards) {
      yield [...rawEntries(this.shared.doc)].map(([id]) => id).filter(isEntryId);
      return;
    }
    for (const shard of this.shards.space.shardsWithRows()) {
      const ids = this.shards.space.rowsOf(shard).flatMap((row) => (isEntryId(row.id) ? [row.id] : []));
      if (ids.length > 0) yield ids;
    }
  }

  /** `get` when the entry is at hand; undefined when it is not (never loads, never throws). */
  peek(id: EntryId): (EntryRead & { scope: LogScope }) | undefined {
    return this.atHand(id) ? this.get(id) : undefined;
  }

  /** Entry `id` as the list shows it (no contents; on shards from the read index, no load). */
  listed(id: EntryId): EntrySummary | undefined {
    const draft = this.sides.local.raw(id);
    if (draft === undefined && this.shards) {
      const row = this.shards.row(id);
      if (!row || row.state !== 'published' || row.kind === '') return undefined;
      return { id, kind: row.kind, state: 'published', title: row.title, author: { name: row.author }, updatedAt: row.updatedAt };
    }
    const read = this.get(id);
    return read?.status === 'valid' ? summaryOf(read.entry) : undefined;
  }

  /** `get`, after bringing the entry at hand (what a front end calls outside live editing). */
  async read(id: EntryId): Promise<(EntryRead & { scope: LogScope }) | undefined> {
    await this.load([id]);
    return this.get(id);
  }

  /**
   * The shared log's version in short, for status output: the document's heads (v1), or the
   * root of the shard heads digest (v2), which two members share exactly when they are in sync.
   */
  sharedVersion(): string[] {
    return this.shards ? [Buffer.from(this.shards.space.headsDigest().root).toString('hex')] : this.shared.heads();
  }

  /** Keeps entry `id` at hand (an editor has it open) until the returned function is called. */
  hold(id: EntryId): Promise<() => void> {
    return this.sides.shared.hold(id);
  }

  historyOf(id: EntryId): HistoryItem[] {
    if (!this.shards || this.shards.row(id) === undefined) return this.history.get(id);
    return orderedHistory([...this.history.get(id), ...this.shards.legacySteps(id).map((step) => step.item), ...this.shards.historyItems(id)]);
  }

  /** Accepts a full id or a unique prefix (at least 4 hex digits), as people type them. */
  resolveId(text: string): EntryId {
    const shards = this.shards;
    const ids = function* (local: A.Doc<SpaceDoc> | undefined, shared: A.Doc<SpaceDoc> | undefined) {
      if (local) for (const [id] of rawEntries(local)) yield id;
      if (shards) yield* shards.ids();
      else if (shared) for (const [id] of rawEntries(shared)) yield id;
    };
    const exists = (id: EntryId) => this.sides.local.raw(id) !== undefined || (shards ? shards.row(id) !== undefined : this.get(id) !== undefined);
    return resolveEntryId(text, () => ids(this.local.pristine ? undefined : this.local.doc, this.sharedReplica?.doc), exists);
  }

  /** A sharded shared log's changes as the one change event (ids and op records from the changes). */
  private followShards(space: ShardedSpace): void {
    space.events.on('local-change', ({ change }) => {
      const ops = opsOf([change]);
      this.events.emit('changed', { scope: 'shared', origin: 'local', ids: idsOf(ops), ops });
    });
    space.events.on('remote-changes', ({ shards, changes }) => {
      if (!changes) {
        // Whole shards adopted: every entry in them may be new.
        const ids = shards.flatMap((shard) => space.rowsOf(shard).flatMap((row) => (isEntryId(row.id) ? [row.id] : [])));
        this.events.emit('changed', { scope: 'shared', origin: 'remote', ids, bulk: ids.length });
        return;
      }
      const ops = opsOf(changes);
      this.events.emit('changed', { scope: 'shared', origin: 'remote', ids: idsOf(ops), ops });
    });
  }

  protected require(id: EntryId): { entry: Entry; scope: LogScope } {
    const read = this.get(id);
    if (!read) throw new EntryNotFoundError(`no entry with id ${id}`);
    if (read.status === 'deleted') throw new EntryDeletedError(`entry ${id} was deleted`);
    if (read.status === 'invalid') throw new InvalidInputError(`entry ${id} is invalid (${read.invalid.reason}); it cannot be changed`);
    return { entry: read.entry, scope: read.scope };
  }

  /** Entry `id` as it was at `heads` of the log `scope` (its document must be at hand). */
  protected entryAt(scope: LogScope, id: EntryId, heads: readonly string[]): EntryVersion | undefined {
    const side = this.sides[scope];
    // Heads the document does not hold (a step of a migrated entry, from the v1 document): none.
    return side.hasHeads(id, [...heads]) ? entryAt(side.docOf(id), id, heads, side.layout) : undefined;
  }
}

/** One history step, as both the index and a migrated entry's stored steps name it. */
const stepKey = (item: HistoryItem): string => `${item.op}|${item.at}|${item.by.device}|${item.hash}`;

export const idsOf = (ops: readonly OpMessage[]): EntryId[] => [...new Set(ops.map((op) => op.id))];
