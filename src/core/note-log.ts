import * as A from '@automerge/automerge';
import { MAX_TEXT_LENGTH, MAX_TITLE_LENGTH } from './constants.js';
import { Emitter } from './emitter.js';
import {
  EDITABLE_FIELDS, readEntry, type Author, type Entry, type EntryKind, type EntryRead, type InvalidEntry,
  type LogScope, type NoteFields, type RecipeFields, type Tombstone,
} from './entry.js';
import { AlreadyPublishedError, EntryDeletedError, EntryNotFoundError, InvalidInputError } from './errors.js';
import { HistoryIndex, messageOf } from './history.js';
import { isEntryId, newEntryId, type EntryId } from './ids.js';
import { bucketFor, rawEntries, rawEntry, type SpaceDoc } from './layout.js';
import { decodeOp, encodeOp, type HistoryItem, type OpMessage } from './ops.js';
import type { Clock, LogStore, Logger, StoreProblem } from './ports.js';
import { Replica } from './replica.js';

export interface NoteLogComponents {
  /** The shared log: published entries, replicated to peers. */
  shared: LogStore;
  /** The local log: drafts, never leaves this device. */
  local: LogStore;
  logger: Logger;
  clock?: Clock;
}
export interface NoteLogInit {
  author: Author;
  compactAfterRecords?: number;
}

export interface EntriesChanged {
  readonly scope: LogScope;
  readonly origin: 'local' | 'remote';
  /** Entries touched, from the op records; empty when a change carried no readable record. */
  readonly ids: EntryId[];
  readonly from?: string;
  /** A whole-document catch-up brought this many changes at once: `ids` is empty, reload everything. */
  readonly bulk?: number;
}

export interface EntryList {
  readonly entries: Entry[];
  readonly deleted: Tombstone[];
  readonly invalid: InvalidEntry[];
}

export interface ListFilter {
  state?: 'draft' | 'published';
  kind?: EntryKind;
}

/**
 * The note log of one space: operations (create, edit, publish, delete) and a validated read view.
 * Drafts live in the local replica until published; publishing moves them, same id, to the shared one.
 */
export class NoteLog {
  readonly events = new Emitter<{ changed: EntriesChanged }>();
  private readonly history: HistoryIndex;
  private readonly clock: Clock;

  private constructor(
    readonly shared: Replica<SpaceDoc>,
    readonly local: Replica<SpaceDoc>,
    readonly problems: StoreProblem[],
    private readonly logger: Logger,
    private author: Author,
    clock: Clock | undefined,
  ) {
    this.clock = clock ?? Date.now;
    this.history = new HistoryIndex(() => [
      { scope: 'local', changes: () => this.local.allChanges() },
      { scope: 'shared', changes: () => this.shared.allChanges() },
    ]);
    for (const [scope, replica] of [['local', local], ['shared', shared]] as const) {
      replica.events.on('local-change', (change) => this.history.add(scope, [change]));
      replica.events.on('remote-changes', ({ changes, from, snapshot }) => {
        if (snapshot !== undefined) {
          this.history.reset();
          this.events.emit('changed', { scope, origin: 'remote', ids: [], from, bulk: snapshot });
          return;
        }
        this.history.add(scope, changes);
        this.events.emit('changed', { scope, origin: 'remote', ids: idsOf(changes), from });
      });
    }
  }

  static async open(components: NoteLogComponents, init: NoteLogInit): Promise<NoteLog> {
    const { logger } = components;
    const opts = { logger, compactAfterRecords: init.compactAfterRecords };
    const shared = await Replica.open<SpaceDoc>(components.shared, { ...opts, name: 'shared' });
    const local = await Replica.open<SpaceDoc>(components.local, { ...opts, name: 'local' });
    const log = new NoteLog(shared.replica, local.replica, [...shared.problems, ...local.problems], logger, init.author, components.clock);
    await log.finishInterruptedPublishes();
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

  /** Edits any editable fields of a draft or a published entry. */
  async edit(id: EntryId, fields: Readonly<Record<string, string>>): Promise<Entry> {
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
    const current = entry as unknown as Record<string, string>;
    const changed = names.filter((n) => current[n] !== fields[n]);
    if (changed.length === 0) return entry;
    const at = this.clock();
    await this.replica(scope).change(this.op({ op: 'edit', id, fields: changed, at }), (doc) => {
      const stored = bucketFor(doc, id)?.[id] as Record<string, unknown>;
      for (const name of changed) {
        const value = fields[name] ?? '';
        if (allowed[name] === 'text' && typeof stored[name] === 'string') A.updateText(doc, pathOf(id, name), value);
        else stored[name] = allowed[name] === 'text' ? value : new A.ImmutableString(value);
      }
      stored.updatedAt = at;
    });
    return this.require(id).entry;
  }

  /** Moves a draft, same id, from the local log into the shared log. */
  async publish(id: EntryId): Promise<Entry> {
    const { entry, scope } = this.require(id);
    if (scope === 'shared') throw new AlreadyPublishedError(`"${titleText(entry)}" is already published`);
    const at = this.clock();
    const message = this.op({ op: 'publish', id, at });
    await this.shared.change(message, (doc) => {
      bucketOrCreate(doc, id)[id] = storedEntry({ ...entry, state: 'published', updatedAt: at });
    });
    // If we crash here the entry is in both logs; open() finishes the move.
    await this.removeDraft(id, message);
    return this.require(id).entry;
  }

  /** Deletes a draft outright; a published entry becomes a tombstone in the shared log. */
  async delete(id: EntryId): Promise<void> {
    const { scope } = this.require(id);
    const at = this.clock();
    const message = this.op({ op: 'delete', id, at });
    if (scope === 'local') {
      await this.removeDraft(id, message);
      return;
    }
    await this.shared.change(message, (doc) => {
      const stored = bucketFor(doc, id)?.[id] as Record<string, unknown>;
      for (const key of ['title', 'body', 'name', 'ingredients', 'instructions']) delete stored[key];
      stored.deleted = { at, by: { name: new A.ImmutableString(this.author.name), device: new A.ImmutableString(this.author.device) } };
      stored.updatedAt = at;
    });
  }

  /** One entry, validated: drafts take precedence over a published copy during an interrupted publish. */
  get(id: EntryId): (EntryRead & { scope: LogScope }) | undefined {
    for (const scope of ['local', 'shared'] as const) {
      const raw = rawEntry(this.replica(scope).doc, id);
      if (raw !== undefined) return { ...readEntry(id, raw, scope), scope };
    }
    return undefined;
  }

  list(filter: ListFilter = {}): EntryList {
    const out: EntryList = { entries: [], deleted: [], invalid: [] };
    const scopes: LogScope[] = filter.state === 'draft' ? ['local'] : filter.state === 'published' ? ['shared'] : ['local', 'shared'];
    for (const scope of scopes) {
      for (const [id, raw] of rawEntries(this.replica(scope).doc)) {
        const read = readEntry(id, raw, scope);
        if (read.status === 'valid' && (!filter.kind || read.entry.kind === filter.kind)) out.entries.push(read.entry);
        else if (read.status === 'deleted') out.deleted.push(read.tombstone);
        else if (read.status === 'invalid') out.invalid.push(read.invalid);
      }
    }
    out.entries.sort((a, b) => b.updatedAt - a.updatedAt || a.id.localeCompare(b.id));
    return out;
  }

  historyOf(id: EntryId): HistoryItem[] {
    return this.history.get(id);
  }

  /** Accepts a full id or a unique prefix (at least 4 hex digits), as people type them. */
  resolveId(text: string): EntryId {
    const prefix = text.trim().toLowerCase();
    if (!/^[0-9a-f]{4,32}$/.test(prefix)) throw new InvalidInputError(`"${text}" is not an entry id (hex digits, at least 4)`);
    if (isEntryId(prefix)) {
      if (this.get(prefix) === undefined) throw new EntryNotFoundError(`no entry with id ${prefix}`);
      return prefix; // a full id needs no scan
    }
    const matches = new Set<string>();
    for (const scope of ['local', 'shared'] as const) {
      for (const [id] of rawEntries(this.replica(scope).doc)) if (id.startsWith(prefix)) matches.add(id);
    }
    if (matches.size === 0) throw new EntryNotFoundError(`no entry with id ${prefix}`);
    if (matches.size > 1) throw new InvalidInputError(`"${prefix}" matches ${matches.size} entries; type more of the id`);
    return [...matches][0] as EntryId;
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled([this.shared.close(), this.local.close()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
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

  /** Completes a publish that a crash interrupted between its two writes. */
  private async finishInterruptedPublishes(): Promise<void> {
    for (const [id] of [...rawEntries(this.local.doc)]) {
      if (rawEntry(this.shared.doc, id as EntryId) === undefined) continue;
      this.logger.info(`finishing the interrupted publish of ${id}`);
      await this.removeDraft(id as EntryId, this.op({ op: 'publish', id: id as EntryId, at: this.clock() }));
    }
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

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function checkTitle(field: string, value: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidInputError(`${field} must not be empty`);
  if (value.length > MAX_TITLE_LENGTH) throw new InvalidInputError(`${field} is ${value.length} characters; the limit is ${MAX_TITLE_LENGTH}`);
  return value;
}

function checkText(field: string, value: string): string {
  if (typeof value !== 'string') throw new InvalidInputError(`${field} must be text`);
  if (value.length > MAX_TEXT_LENGTH) throw new InvalidInputError(`${field} is ${value.length} characters; the limit is ${MAX_TEXT_LENGTH}`);
  return value;
}

const titleText = (entry: Entry): string => (entry.kind === 'note' ? entry.title : entry.name);
const pathOf = (id: EntryId, field: string): string[] => ['b', id[0] ?? '', id[1] ?? '', id[2] ?? '', id, field];

/** A peer could have removed a bucket map; recreating it keeps this device working (and is logged by Automerge history). */
function bucketOrCreate(doc: SpaceDoc, id: EntryId): Record<string, unknown> {
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
function storedEntry(e: Record<string, unknown> & { author: Author }): Record<string, unknown> {
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

function idsOf(changes: readonly Uint8Array[]): EntryId[] {
  const ids = new Set<EntryId>();
  for (const change of changes) {
    const op = decodeOp(messageOf(change));
    if (op) ids.add(op.id);
  }
  return [...ids];
}
