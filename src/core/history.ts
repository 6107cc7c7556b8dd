import * as A from '@automerge/automerge';
import type { Author, LogScope } from './entry.js';
import type { EntryId } from './ids.js';
import { decodeOp, type HistoryItem } from './ops.js';

/** What the index needs of one change: its op record, identity and place in the change graph. */
export interface ChangeMeta {
  readonly hash: string;
  readonly deps: readonly string[];
  readonly actor: string;
  readonly startOp: number;
  readonly message: string | null;
}

/**
 * Per-entry history read from the change messages of both logs, and which author wrote each
 * Automerge op (to name the people behind competing values). Built once from the changes'
 * metadata (no op decoding, no replay) and then kept current from the changes the replicas report.
 */
export class HistoryIndex {
  private index: Map<string, HistoryItem[]> | undefined;
  /** actor → its changes' first op counters (ascending) and who wrote them. */
  private actors = new Map<string, Array<{ startOp: number; by: Author }>>();

  constructor(private readonly sources: () => Array<{ scope: LogScope; changes: () => ChangeMeta[] }>) {}

  get(id: EntryId): HistoryItem[] {
    // A draft's steps can be known twice: from the local log (with content, on the author's device
    // until the local log is rebuilt) and from the publish record (without). Keep one of each.
    const seen = new Map<string, HistoryItem>();
    for (const item of this.build().get(id) ?? []) {
      const key = `${item.op}|${item.at}|${item.by.device}|${item.scope}`;
      const prev = seen.get(key);
      if (!prev || (prev.hash === '' && item.hash !== '')) seen.set(key, item);
    }
    return [...seen.values()].sort((x, y) => x.at - y.at || opOrder(x) - opOrder(y));
  }

  /** The author of the Automerge op `counter@actor` (an op id), if its change carried an op record. */
  authorOfOp(opId: string): Author | undefined {
    this.build();
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

  /** Forgets the index (the document was replaced); the next `get` rebuilds it. */
  reset(): void {
    this.index = undefined;
    this.actors = new Map();
  }

  /** Builds the index now if it is not built yet (e.g. when the process is idle after start). */
  warm(): void {
    this.build();
  }

  /** Called with every new change once the index exists; cheap no-op before that. */
  add(scope: LogScope, changes: readonly Uint8Array[]): void {
    if (!this.index) return;
    const metas: ChangeMeta[] = [];
    for (const change of changes) {
      const meta = metaOf(change);
      if (meta) metas.push(meta);
    }
    this.addMeta(scope, metas);
  }

  private build(): Map<string, HistoryItem[]> {
    if (!this.index) {
      this.index = new Map();
      for (const source of this.sources()) this.addMeta(source.scope, source.changes());
    }
    return this.index;
  }

  private addMeta(scope: LogScope, metas: readonly ChangeMeta[]): void {
    const index = this.index;
    if (!index) return;
    for (const meta of metas) {
      const op = decodeOp(meta.message);
      if (!op) continue;
      this.addActorRange(meta.actor, meta.startOp, op.by);
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

  private push(id: string, item: HistoryItem): void {
    const list = this.index?.get(id);
    if (list) list.push(item);
    else this.index?.set(id, [item]);
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

/** Metadata of an encoded change, or undefined if it does not decode. */
function metaOf(change: Uint8Array): ChangeMeta | undefined {
  try {
    const d = A.decodeChange(change);
    return { hash: d.hash, deps: d.deps, actor: d.actor, startOp: d.startOp, message: d.message ?? null };
  } catch {
    return undefined; // not a change: nothing to index
  }
}

/** The message of an encoded change, or undefined if it does not decode. */
export function messageOf(change: Uint8Array): string | undefined {
  try {
    return A.decodeChange(change).message ?? undefined;
  } catch {
    return undefined; // not a change: nothing to index
  }
}

const ORDER: Record<HistoryItem['op'], number> = { create: 0, edit: 1, publish: 2, delete: 3, restore: 4 };
const opOrder = (item: HistoryItem): number => ORDER[item.op];
