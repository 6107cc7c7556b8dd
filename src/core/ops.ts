import type { Author, EntryKind, LogScope } from './entry.js';
import type { DeviceId, EntryId } from './ids.js';
import { isEntryId } from './ids.js';

/**
 * The operation record carried in each Automerge change's message. The document's change
 * history is the append-only operation log; these records make it readable.
 */
/** An earlier step of a draft, carried in the message that publishes it (or that recreates it
 *  when the local log is rebuilt), so the entry's history keeps it after the draft's changes go. */
export interface DraftStep {
  readonly op: 'create' | 'edit';
  readonly at: number;
  readonly by: Author;
  readonly fields?: readonly string[];
}

/** At most this many draft steps travel in one message. */
export const MAX_DRAFT_STEPS = 100;

export type OpMessage =
  | { readonly v: 1; readonly op: 'create'; readonly id: EntryId; readonly kind: EntryKind; readonly by: Author; readonly at: number; readonly steps?: readonly DraftStep[] }
  | {
      readonly v: 1;
      readonly op: 'edit';
      readonly id: EntryId;
      readonly fields: readonly string[];
      readonly by: Author;
      readonly at: number;
      /** Set when the edit wrote back a past version: the hash of that version's change. */
      readonly restoredFrom?: string;
    }
  | { readonly v: 1; readonly op: 'publish'; readonly id: EntryId; readonly by: Author; readonly at: number; readonly steps?: readonly DraftStep[] }
  | { readonly v: 1; readonly op: 'delete'; readonly id: EntryId; readonly by: Author; readonly at: number }
  /** Brings a deleted entry back (removes its deleted marker); a concurrent new delete still wins. */
  | { readonly v: 1; readonly op: 'restore'; readonly id: EntryId; readonly by: Author; readonly at: number };

export type OpName = OpMessage['op'];

/** One line of an entry's history: who did what, when, in which log, and which change did it. */
export interface HistoryItem {
  readonly op: OpName;
  readonly at: number;
  readonly by: Author;
  readonly fields?: readonly string[];
  readonly scope: LogScope;
  /** The Automerge change that made this step; the entry as of this step is the document at it. */
  readonly hash: string;
  /** The change's dependencies: the document just before this step, as its author saw it. */
  readonly deps: readonly string[];
  readonly restoredFrom?: string;
}

export const encodeOp = (message: OpMessage): string => JSON.stringify(message);

/**
 * Drafts created together (a markdown import): one change writes them all, and its record names
 * each (id and kind); the history shows a create step for each. Only ever in the local log (drafts
 * are never sent); publishing one carries its steps like any draft's.
 */
export interface CreateBatch {
  readonly v: 1;
  readonly op: 'create-batch';
  readonly by: Author;
  readonly at: number;
  readonly entries: ReadonlyArray<readonly [EntryId, EntryKind]>;
}

/** At most this many drafts in one batch record (its message is ~45 bytes per draft). */
export const MAX_BATCH_ENTRIES = 1_000;
/** A single op record is short; a batch record may be this long. */
const MAX_OP_MESSAGE = 10_000;
const MAX_BATCH_MESSAGE = MAX_BATCH_ENTRIES * 64 + 1_000;

export const encodeBatch = (batch: CreateBatch): string => JSON.stringify(batch);

/** Parses a change message; anything that is not a well-formed op record yields undefined (a batch record too: see decodeOps). */
export function decodeOp(message: string | null | undefined): OpMessage | undefined {
  if (!message || message.length > MAX_OP_MESSAGE) return undefined;
  const raw = parseRecord(message);
  return raw === undefined ? undefined : opOf(raw);
}

/** The op records of a change message: its one record, or one create per draft of a batch record. */
export function decodeOps(message: string | null | undefined): OpMessage[] {
  if (!message || message.length > MAX_BATCH_MESSAGE) return [];
  const raw = parseRecord(message);
  if (raw === undefined) return [];
  if (raw.op !== 'create-batch') {
    const op = message.length <= MAX_OP_MESSAGE ? opOf(raw) : undefined;
    return op ? [op] : [];
  }
  const by = raw.by as Record<string, unknown> | undefined;
  if (raw.v !== 1 || typeof raw.at !== 'number' || !Array.isArray(raw.entries) || !isAuthor(by)) return [];
  const base = { v: 1 as const, op: 'create' as const, at: raw.at, by: authorOf(by) };
  const out: OpMessage[] = [];
  for (const item of raw.entries.slice(0, MAX_BATCH_ENTRIES) as unknown[]) {
    if (!Array.isArray(item)) continue;
    const [id, kind] = item as unknown[];
    if (isEntryId(id) && (kind === 'note' || kind === 'recipe')) out.push({ ...base, id, kind });
  }
  return out;
}

function parseRecord(message: string): Record<string, unknown> | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(message);
  } catch {
    return undefined; // a change written by another tool: not an op record
  }
  return typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : undefined;
}

const isAuthor = (by: Record<string, unknown> | undefined): by is Record<string, unknown> =>
  typeof by === 'object' && by !== null && typeof by.name === 'string' && typeof by.device === 'string';

function opOf(r: Record<string, unknown>): OpMessage | undefined {
  if (r.v !== 1 || !isEntryId(r.id) || typeof r.at !== 'number') return undefined;
  const by = r.by as Record<string, unknown> | undefined;
  if (!isAuthor(by)) return undefined;
  const base = { v: 1 as const, id: r.id, at: r.at, by: authorOf(by) };
  const steps = draftSteps(r.steps);
  switch (r.op) {
    case 'create':
      return r.kind === 'note' || r.kind === 'recipe' ? { ...base, op: 'create', kind: r.kind, ...(steps ? { steps } : {}) } : undefined;
    case 'edit':
      return Array.isArray(r.fields) && r.fields.every((f) => typeof f === 'string')
        ? {
            ...base,
            op: 'edit',
            fields: (r.fields as string[]).slice(0, 10),
            ...(typeof r.restoredFrom === 'string' && /^[0-9a-f]{64}$/.test(r.restoredFrom) ? { restoredFrom: r.restoredFrom } : {}),
          }
        : undefined;
    case 'publish':
      return { ...base, op: 'publish', ...(steps ? { steps } : {}) };
    case 'delete':
    case 'restore':
      return { ...base, op: r.op };
    default:
      return undefined;
  }
}

function authorOf(by: Record<string, unknown>): Author {
  return { name: String(by.name).slice(0, 100), device: String(by.device).slice(0, 100) as DeviceId };
}

/** Validated draft steps; anything malformed is dropped (they are only history). */
function draftSteps(raw: unknown): DraftStep[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const out: DraftStep[] = [];
  for (const item of raw.slice(0, MAX_DRAFT_STEPS)) {
    if (typeof item !== 'object' || item === null) continue;
    const r = item as Record<string, unknown>;
    const by = r.by as Record<string, unknown> | undefined;
    if ((r.op !== 'create' && r.op !== 'edit') || typeof r.at !== 'number' || typeof by !== 'object' || by === null) continue;
    if (typeof by.name !== 'string' || typeof by.device !== 'string') continue;
    const fields = Array.isArray(r.fields) ? r.fields.filter((f): f is string => typeof f === 'string').slice(0, 10) : undefined;
    out.push({ op: r.op, at: r.at, by: authorOf(by), ...(fields ? { fields } : {}) });
  }
  return out.length > 0 ? out : undefined;
}
