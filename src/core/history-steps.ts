/**
 * An entry's history with content: for each step, which fields it changed and their values just
 * before (as its author saw the entry: the step's dependencies) and right after. Pure.
 */
import { EDITABLE_FIELDS, type LogScope } from './entry.js';
import type { HistoryItem } from './ops.js';
import type { EntryVersion } from './versions.js';

export interface FieldChange {
  readonly field: string;
  /** Undefined when the field did not exist before (a create). */
  readonly before?: string;
  readonly after?: string;
}

export interface HistoryStep extends HistoryItem {
  /** 1-based position in the entry's history (what `restore ID STEP` takes). */
  readonly step: number;
  readonly changes: readonly FieldChange[];
}

export function historySteps(items: readonly HistoryItem[], entryAt: (scope: LogScope, heads: readonly string[]) => EntryVersion | undefined): HistoryStep[] {
  return items.map((item, index) => {
    const changes: FieldChange[] = [];
    // A step carried in a publish record (hash '') has no content here: drafts stay private.
    if ((item.op === 'create' || item.op === 'edit') && item.hash !== '') {
      const after = entryAt(item.scope, [item.hash]);
      const before = item.op === 'edit' && item.deps.length > 0 ? entryAt(item.scope, item.deps) : undefined;
      const fields = item.op === 'edit' ? (item.fields ?? []) : after ? Object.keys(EDITABLE_FIELDS[after.kind]) : [];
      for (const field of fields) {
        changes.push({ field, before: before?.fields[field], after: after?.fields[field] });
      }
    }
    return { ...item, step: index + 1, changes };
  });
}
