import * as A from '@automerge/automerge';
import type { LogScope } from './entry.js';
import type { EntryId } from './ids.js';
import { decodeOp, type HistoryItem } from './ops.js';

/**
 * Per-entry history read from the change messages of both logs. Built on first use (decoding every
 * change once) and then kept current from the changes the replicas report.
 */
export class HistoryIndex {
  private index: Map<string, HistoryItem[]> | undefined;

  constructor(private readonly sources: () => Array<{ scope: LogScope; changes: () => Uint8Array[] }>) {}

  get(id: EntryId): HistoryItem[] {
    if (!this.index) {
      this.index = new Map();
      for (const source of this.sources()) this.add(source.scope, source.changes());
    }
    return [...(this.index.get(id) ?? [])].sort((x, y) => x.at - y.at);
  }

  /** Forgets the index (the document was replaced); the next `get` rebuilds it. */
  reset(): void {
    this.index = undefined;
  }

  /** Called with every new change once the index exists; cheap no-op before that. */
  add(scope: LogScope, changes: readonly Uint8Array[]): void {
    if (!this.index) return;
    for (const change of changes) {
      const op = decodeOp(messageOf(change));
      // A draft's move to the shared log is recorded in both logs; the shared record is the one kept.
      if (!op || (scope === 'local' && op.op === 'publish')) continue;
      const item: HistoryItem = { op: op.op, at: op.at, by: op.by, scope, ...(op.op === 'edit' ? { fields: op.fields } : {}) };
      const list = this.index.get(op.id);
      if (list) list.push(item);
      else this.index.set(op.id, [item]);
    }
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
