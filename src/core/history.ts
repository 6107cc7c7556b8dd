import type { Author, LogScope } from './entry.js';
import { decodeHistory, encodeHistory } from './history-cache.js';
import type { EntryId } from './ids.js';
import { changeMetaOf } from './change-header.js';
import { decodeOps, type HistoryItem } from './ops.js';
import type { HistoryCache, Logger } from './ports.js';

/** What the index needs of one change: its op record, identity and place in the change graph. */
export interface ChangeMeta {
  readonly hash: string;
  readonly deps: readonly string[];
  readonly actor: string;
  readonly startOp: number;
  readonly message: string | null;
}

/** A log the index reads: all its changes' metadata, or only those since some heads (undefined if it does not hold them). */
export interface HistorySource {
  readonly scope: LogScope;
  changes(): ChangeMeta[];
  since(heads: readonly string[]): ChangeMeta[] | undefined;
  heads(): string[];
}

/**
 * Per-entry history read from the change messages of both logs, and which author wrote each
 * Automerge op (to name the people behind competing values). Built once from the changes'
 * metadata (no op decoding, no replay) and then kept current from the changes the replicas report.
 * With a cache (history-cache.ts) the build reads the last run's metadata and asks the logs
 * only for what is newer (`ready`, in slices); without one, or when it does not fit, it reads
 * everything at once.
 */
export class HistoryIndex {
  private built: HistoryItems | undefined;
  /** How many of each log's metadata the cache holds (-1: it holds nothing usable). */
  private cached = new Map<LogScope, number>();
  private loading: Promise<void> | undefined;
  /** Changes reported while `ready` indexes the logs in slices (indexed after them). */
  private pending: Array<{ scope: LogScope; metas: ChangeMeta[] }> | undefined;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly sources: () => HistorySource[],
    private readonly cache?: HistoryCache,
    private readonly logger?: Logger,
  ) {}

  /**
   * Builds the index if it is not built, from the cache where it fits (reading, parsing and
   * indexing it in slices, so the event loop is never held for long), then stores what the
   * cache lacks.
   */
  ready(): Promise<void> {
    if (this.built) return Promise.resolve();
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  /** Stores the index's metadata where the cache lacks some (e.g. at close). */
  async persist(): Promise<void> {
    const cache = this.cache;
    if (!cache || !this.built) return;
    const work = this.saving.then(async () => {
      for (const source of this.sources()) {
        const built = this.built;
        const metas = built?.metas.get(source.scope) ?? [];
        if (!built || this.cached.get(source.scope) === metas.length) continue;
        const count = metas.length;
        const text = await encodeHistory(source.heads(), metas.slice(0, count));
        if (this.built !== built) continue; // reset meanwhile: nothing consistent to store
        await cache.write(source.scope, text);
        this.cached.set(source.scope, count);
      }
    });
    this.saving = work.catch((err: unknown) => this.logger?.warn(`could not store the history index (it is rebuilt next time): ${String(err)}`));
    return this.saving;
  }

  get(id: EntryId): HistoryItem[] {
    return this.build().get(id);
  }

  /** The author of the Automerge op `counter@actor` (an op id), if its change carried an op record. */
  authorOfOp(opId: string): Author | undefined {
    return this.build().authorOfOp(opId);
  }

  /** Forgets the index (the document was replaced); the next `get` rebuilds it. */
  reset(): void {
    this.built = undefined;
    this.pending = undefined; // a build in progress read the replaced document: it is dropped
  }

  /** Called with every new change once the index exists; cheap no-op before that. */
  add(scope: LogScope, changes: readonly Uint8Array[]): void {
    if (!this.built && !this.pending) return;
    const metas: ChangeMeta[] = [];
    for (const change of changes) {
      const meta = changeMetaOf(change); // the header only: a large change's ops are never decoded
      if (meta) metas.push(meta);
    }
    if (this.built) this.built.add(scope, metas);
    else this.pending?.push({ scope, metas });
  }

  /** Synchronous build from the logs alone (a `get` before `ready` finished, or without a cache). */
  private build(): HistoryItems {
    if (!this.built) {
      this.pending = undefined; // a build in progress is dropped: this one holds everything
      const built = new HistoryItems();
      for (const source of this.sources()) {
        built.add(source.scope, source.changes());
        this.cached.set(source.scope, -1);
      }
      this.built = built;
    }
    return this.built;
  }

  private async load(): Promise<void> {
    const found = new Map<LogScope, { heads: readonly string[]; metas: ChangeMeta[] }>();
    if (this.cache) {
      for (const source of this.sources()) {
        try {
          const text = await this.cache.read(source.scope);
          const decoded = text === undefined ? undefined : await decodeHistory(text);
          if (decoded) found.set(source.scope, decoded);
          else if (text !== undefined) this.logger?.warn(`the stored history index of the ${source.scope} log is not readable; rebuilding it`);
        } catch (err) {
          this.logger?.warn(`could not read the stored history index of the ${source.scope} log (${String(err)}); rebuilding it`);
        }
      }
    }
    if (this.built) return; // built synchronously meanwhile
    // What each log holds now: the stored metadata plus the changes since its heads (or, where it
    // does not fit the log, e.g. a rebuilt local log, all of the log's). Changes arriving while
    // it is indexed below are held in `pending` and indexed after it.
    const parts = this.sources().map((source) => {
      const cached = found.get(source.scope);
      const since = cached ? source.since(cached.heads) : undefined;
      if (cached && since) return { scope: source.scope, metas: since.length ? [...cached.metas, ...since] : cached.metas, cached: cached.metas.length };
      return { scope: source.scope, metas: source.changes(), cached: -1 };
    });
    const pending: Array<{ scope: LogScope; metas: ChangeMeta[] }> = [];
    this.pending = pending;
    const staged = new HistoryItems();
    for (const part of parts) {
      for (let i = 0; i < part.metas.length; i += SLICE) {
        staged.add(part.scope, part.metas.slice(i, i + SLICE));
        await yieldNow();
        if (this.pending !== pending) return; // built synchronously (or reset) meanwhile
      }
    }
    for (const { scope, metas } of pending) staged.add(scope, metas);
    this.pending = undefined;
    this.built = staged;
    this.cached = new Map(parts.map((p) => [p.scope, p.cached]));
    // A log read in full is stored now; one that only grew since its stored index is stored at close.
    if (parts.some((p) => p.cached < 0)) await this.persist();
  }
}

/** Metadata indexed per slice of a stored index before yielding to the event loop. */
const SLICE = 2_000;
const yieldNow = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * An entry's history items in order, each step once. A draft's steps can be known twice: from the
 * local log (with content, on the author's device until the local log is rebuilt) and from the
 * publish record (without): the one with content is kept.
 */
export function orderedHistory(items: Iterable<HistoryItem>): HistoryItem[] {
  const seen = new Map<string, HistoryItem>();
  for (const item of items) {
    const key = `${item.op}|${item.at}|${item.by.device}|${item.scope}`;
    const prev = seen.get(key);
    if (!prev || (prev.hash === '' && item.hash !== '')) seen.set(key, item);
  }
  return [...seen.values()].sort((x, y) => x.at - y.at || opOrder(x) - opOrder(y));
}

/** History items per entry and op authors per actor, from changes' metadata (one log, or one shard). */
export class HistoryItems {
  readonly items = new Map<string, HistoryItem[]>();
  /** actor → its changes' first op counters (ascending) and who wrote them. */
  readonly actors = new Map<string, Array<{ startOp: number; by: Author }>>();
  /** Every change's metadata per log, in the order indexed (what the cache stores). */
  readonly metas = new Map<LogScope, ChangeMeta[]>();

  add(scope: LogScope, metas: readonly ChangeMeta[]): void {
    const all = this.metas.get(scope);
    if (all) for (const meta of metas) all.push(meta);
    else this.metas.set(scope, [...metas]);
    for (const meta of metas) {
      // One record per change, or a create per draft of a batch (a markdown import): same change, same hash.
      const ops = decodeOps(meta.message);
      if (ops.length > 0) this.addActorRange(meta.actor, meta.startOp, ops[0]!.by);
      for (const op of ops) {
        // A draft's move to the shared log is recorded in both logs; the shared record is the one kept.
        if (scope === 'local' && op.op === 'publish') continue;
        // Steps of a draft whose own changes are gone (published, or the local log was rebuilt).
        if ((op.op === 'publish' || op.op === 'create') && op.steps) {
          for (const step of op.steps) this.push(op.id, { op: step.op, at: step.at, by: step.by, scope: 'local', hash: '', deps: [], ...(step.fields ? { fields: step.fields } : {}) });
        }
        const item: HistoryItem = {
          op: op.op,
          at: op.at,
          by: op.by,
          scope,
          hash: meta.hash,
          deps: meta.deps,
          ...(op.op === 'edit' ? { fields: op.fields, ...(op.restoredFrom ? { restoredFrom: op.restoredFrom } : {}) } : {}),
        };
        this.push(op.id, item);
      }
    }
  }

  /** Entry `id`'s items, in order, each step once. */
  get(id: EntryId): HistoryItem[] {
    return orderedHistory(this.items.get(id) ?? []);
  }

  /** Entry `id`'s items as indexed (unordered, possibly twice: see orderedHistory). */
  raw(id: EntryId): readonly HistoryItem[] {
    return this.items.get(id) ?? [];
  }

  /** The author of the Automerge op `counter@actor` (an op id), if its change carried an op record. */
  authorOfOp(opId: string): Author | undefined {
    const at = opId.indexOf('@');
    const counter = Number(opId.slice(0, at));
    const ranges = this.actors.get(opId.slice(at + 1));
    if (!ranges || !Number.isFinite(counter)) return undefined;
    let found: Author | undefined;
    for (const range of ranges) {
      if (range.startOp > counter) break;
      found = range.by;
    }
    return found;
  }

  private push(id: string, item: HistoryItem): void {
    const list = this.items.get(id);
    if (list) list.push(item);
    else this.items.set(id, [item]);
  }

  private addActorRange(actor: string, startOp: number, by: Author): void {
    const ranges = this.actors.get(actor);
    if (!ranges) {
      this.actors.set(actor, [{ startOp, by }]);
      return;
    }
    // Changes of one actor arrive in order almost always; keep the list sorted regardless.
    let i = ranges.length;
    while (i > 0 && (ranges[i - 1]?.startOp ?? 0) > startOp) i--;
    ranges.splice(i, 0, { startOp, by });
  }
}

const ORDER: Record<HistoryItem['op'], number> = { create: 0, edit: 1, publish: 2, delete: 3, restore: 4 };
const opOrder = (item: HistoryItem): number => ORDER[item.op];
