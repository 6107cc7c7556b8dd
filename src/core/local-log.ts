/**
 * Keeping the local log (drafts, never shared) small: a publish carries the draft's steps with it,
 * the log starts afresh once no draft is left, compaction rebuilds it from its live drafts, and a
 * publish a crash interrupted is finished on the next open.
 */
import * as A from '@automerge/automerge';
import { readEntry } from './entry.js';
import type { EntryId } from './ids.js';
import { rawEntries, type SpaceDoc } from './layout.js';
import { MAX_DRAFT_STEPS, type DraftStep, type HistoryItem } from './ops.js';
import type { Logger } from './ports.js';
import { isGenesisOnly, type Replica } from './replica.js';
import { draftsOnly } from './stored-entry.js';

/** Below this many changes per live draft, compacting the local log keeps its history (no rebuild). */
const REBUILD_MIN_CHANGES_PER_DRAFT = 1.5;

/** A draft's create and edit steps (from its history), for the record that publishes or recreates it (capped). */
export function draftStepsOf(history: readonly HistoryItem[]): DraftStep[] {
  const steps = history
    .filter((h) => h.scope === 'local' && (h.op === 'create' || h.op === 'edit'))
    .map((h) => ({ op: h.op as 'create' | 'edit', at: h.at, by: h.by, ...(h.fields ? { fields: h.fields } : {}) }));
  return steps.length > MAX_DRAFT_STEPS ? [steps[0]!, ...steps.slice(-(MAX_DRAFT_STEPS - 1))] : steps;
}

/** With no draft left, the local log starts afresh (a snapshot of the genesis change alone). */
export async function forgetPublishedDrafts(local: Replica<SpaceDoc>, logger: Logger): Promise<void> {
  if (isGenesisOnly(local.heads())) return;
  for (const [id, raw] of rawEntries(local.doc)) if (readEntry(id, raw, 'local').status === 'valid') return;
  try {
    await local.compact();
  } catch (err) {
    logger.warn(`could not start the local log afresh (will retry): ${String(err)}`);
  }
}

/**
 * The local document rebuilt from its live drafts (see `draftsOnly`), or undefined (saved as it
 * is) when its history holds little besides their creation (a fresh import of many files): the
 * rebuild would cost a change per draft and shorten nothing.
 */
export function rebuiltLocalDoc(doc: A.Doc<SpaceDoc>, stepsOf: (id: EntryId) => DraftStep[], logger: Logger): A.Doc<SpaceDoc> | undefined {
  let entries = 0;
  for (const _ of rawEntries(doc)) entries++;
  const changes = A.getChangesMetaSince(doc, []).length - 1; // the genesis change stays either way
  if (entries > 0 && changes <= entries * REBUILD_MIN_CHANGES_PER_DRAFT) {
    logger.debug(`local log kept as it is at compaction (${changes} changes for ${entries} drafts)`);
    return undefined;
  }
  const { doc: fresh, drafts } = draftsOnly(doc, stepsOf);
  logger.info(`local log rebuilt from its ${drafts} live draft(s)`);
  return fresh;
}

/** Completes each publish a crash interrupted between its two writes (the entry is in both logs). */
export async function finishInterruptedPublishes(
  local: A.Doc<SpaceDoc>,
  published: (id: EntryId) => boolean,
  removeDraft: (id: EntryId) => Promise<void>,
  logger: Logger,
): Promise<void> {
  for (const [id] of [...rawEntries(local)]) {
    if (!published(id as EntryId)) continue;
    logger.info(`finishing the interrupted publish of ${id}`);
    await removeDraft(id as EntryId);
  }
}
