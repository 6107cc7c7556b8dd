/**
 * What the CLI prints without being asked, kept quiet: who changed which entry (the author of the
 * change, not of the entry), catch-ups as one line naming the entries, `peer` lines only when a
 * peer's connection, name or state changes (progress at most once a second), and the readable
 * status line only once a new state has settled. Pure, apart from the timers of StatusLine.
 */
import type { EntryRead } from '../core/entry.js';
import { titleOf, tombstoneTitle } from '../core/entry.js';
import { shortId } from '../core/text.js';
import { displayLine } from '../core/display-text.js';
import type { DeviceId, EntryId } from '../core/ids.js';
import type { OpMessage } from '../core/ops.js';
import type { PeerStatus } from '../engine/types.js';
import { quote, who } from './format.js';

/** More entries than this in one arrival make one catch-up line instead of a line each. */
export const MAX_ARRIVAL_LINES = 5;
/** A catch-up line names at most this many entries. */
export const MAX_NAMED_ENTRIES = 3;
/** Sync progress of one peer is reported at most this often (`peer` lines). */
export const PROGRESS_INTERVAL_MS = 1_000;
/** A readable status is printed once it has held this long. */
export const STATUS_SETTLE_MS = 1_500;
/** A status that says a sync runs is printed only when the sync has run this long (most take well under a second). */
export const SYNCING_SETTLE_MS = 10_000;

/**
 * How long a readable status must hold before it is told. Peers that are connected but not yet in
 * sync are a sync on its way, like one that runs: after a change every peer is behind until a
 * confirming round (at most one every two seconds, the network's CHANGE_SYNC_MIN_GAP_MS) says it
 * has the change, so two edits a moment apart would otherwise print "3 peers, 2 in sync" and then
 * "in sync" again. A peer that stays behind is told once SYNCING_SETTLE_MS has passed.
 */
export function statusSettleMs(summary: { connected: number; inSync: number; syncing: number }): number | undefined {
  return summary.syncing > 0 || summary.inSync < summary.connected ? SYNCING_SETTLE_MS : undefined;
}


/** An entry's title whatever its state: the entry's, the content a tombstone kept, or its short id. */
export function readTitle(read: EntryRead | undefined, id: string): string {
  if (read?.status === 'valid') return titleOf(read.entry);
  if (read?.status === 'deleted') {
    const title = tombstoneTitle(read.tombstone);
    if (title !== undefined) return title;
  }
  return shortId(id);
}

/** The last op of each entry, in order of arrival, leaving out ours (an echo is not news). */
export function arrivals(ops: readonly OpMessage[], self: DeviceId | string): OpMessage[] {
  const last = new Map<EntryId, OpMessage>();
  for (const op of ops) {
    if (op.by.device === self) continue;
    last.delete(op.id);
    last.set(op.id, op);
  }
  return [...last.values()];
}

const VERB: Readonly<Record<OpMessage['op'], string>> = { create: 'created', edit: 'edited', publish: 'published', delete: 'deleted', restore: 'restored' };

/** `← Bob edited the body of Ann's note "Pancakes" (3fa2c1d0)`: the change's author and what it did. */
export function arrivalText(op: OpMessage, read: EntryRead | undefined): string {
  const short = shortId(op.id);
  if (read?.status === 'invalid') return `← ${who(op.by.name)} wrote entry ${short}, which is invalid: ${displayLine(read.invalid.reason, 200)}`;
  const kind = read?.status === 'valid' ? read.entry.kind : read?.status === 'deleted' ? read.tombstone.kind : 'entry';
  const owner = read?.status === 'valid' && read.entry.author.device !== op.by.device ? `${who(read.entry.author.name)}'s ` : '';
  const what = op.op === 'edit' && op.fields.length > 0 ? `the ${op.fields.join(' and ')} of ${owner}${kind}` : `${owner}${kind}`;
  const title = `${quote(readTitle(read, op.id))} (${short})`;
  if (op.op === 'delete') return `← ${who(op.by.name)} deleted ${what} ${title}${read?.status === 'deleted' ? ` (restore ${short} brings it back)` : ''}`;
  const since = read?.status === 'deleted' && op.op !== 'restore' ? ', deleted since' : '';
  return `← ${who(op.by.name)} ${VERB[op.op]} ${what} ${title}${since}`;
}

/** `← caught up 37 changes from Bob: "Soup", "Plan", "Bread" and 9 more`. */
export function catchUpText(changes: number, from: string, titles: readonly string[]): string {
  const named = titles.slice(0, MAX_NAMED_ENTRIES).map((t) => quote(t, 30));
  const more = titles.length > named.length ? ` and ${titles.length - named.length} more` : '';
  const list = named.length > 0 ? `: ${named.join(', ')}${more}` : '';
  return `← caught up ${changes.toLocaleString('en')} change${changes === 1 ? '' : 's'} from ${from}${list}`;
}

/**
 * Lets a peer's status through only when its connection, name, device or state changed, or
 * (while syncing) its progress moved and the last line for it is a second old. A routine
 * check-up round with a peer that was in sync (anti-entropy, nothing new) is not news: its
 * `syncing` line is held back unless the round brings changes or lasts a second.
 */
export class PeerLineFilter {
  private readonly last = new Map<string, { key: string; at: number; progress: string; state: string }>();
  private readonly checkUps = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  pass(s: PeerStatus & { device?: string }): boolean {
    const key = `${s.connected}|${JSON.stringify(s.name ?? '')}|${s.device ?? ''}|${s.state}|${s.blockedUntil ?? ''}`;
    const p = s.progress;
    const progress = p ? `${p.messagesIn}/${p.messagesOut}/${p.bytesIn}/${p.bytesOut}` : '';
    const was = this.last.get(s.peerId);
    const at = this.now();
    if (s.state === 'syncing' && was?.state === 'in-sync' && (p?.changesIn ?? 0) === 0) {
      const since = this.checkUps.get(s.peerId) ?? at;
      this.checkUps.set(s.peerId, since);
      if (at - since < PROGRESS_INTERVAL_MS) return false;
    } else this.checkUps.delete(s.peerId);
    if (was && was.key === key && (was.progress === progress || at - was.at < PROGRESS_INTERVAL_MS)) return false;
    this.last.set(s.peerId, { key, at, progress, state: s.state });
    return true;
  }
}

/**
 * The readable status line: printed when a state different from the last printed one has held
 * for `settleMs`, and never while a command runs (it waits for the command's output).
 *
 * A sync in progress (an update given its own, longer settle time) is told only when it lasts
 * that long. Sync rounds come and go every few seconds with several peers, so a round does not
 * restart the clock of the state around it: `in sync with 3 peers` that held for 1.5 s apart from
 * such rounds is printed when no round runs.
 */
export class StatusLine {
  /** The latest state that is not a sync in progress, and since when it has held. */
  private steady: { text: string; since: number } | undefined;
  /** The sync in progress, if any: its latest text, when it began and how long it must last. */
  private syncing: { text: string; since: number; settleMs: number } | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private busy = false;
  private due: string | undefined;

  constructor(
    private readonly print: (text: string) => void,
    private printed: string,
    private readonly settleMs = STATUS_SETTLE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new state; a `settleMs` longer than the default marks a sync in progress. */
  update(text: string, settleMs = this.settleMs): void {
    const at = this.now();
    if (settleMs > this.settleMs) {
      this.syncing = { text, since: this.syncing?.since ?? at, settleMs };
    } else {
      this.syncing = undefined;
      if (this.steady?.text !== text) this.steady = { text, since: at };
    }
    this.check();
  }

  /** While busy (a command runs) nothing is printed; a status that settled meanwhile follows its output. */
  setBusy(busy: boolean): void {
    this.busy = busy;
    if (!busy && this.due !== undefined) this.flush(this.due);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.steady = undefined;
    this.syncing = undefined;
    this.due = undefined;
  }

  private check(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.due = undefined; // a newer state supersedes one that waited for a command
    const at = this.now();
    const candidate = this.syncing
      ? { text: this.syncing.text, dueAt: this.syncing.since + this.syncing.settleMs }
      : this.steady && { text: this.steady.text, dueAt: this.steady.since + this.settleMs };
    if (!candidate || candidate.text === this.printed) return;
    if (at >= candidate.dueAt) {
      this.flush(candidate.text);
      return;
    }
    this.timer = setTimeout(() => this.check(), candidate.dueAt - at);
    this.timer.unref?.();
  }

  private flush(text: string): void {
    if (this.busy) {
      this.due = text;
      return;
    }
    this.due = undefined;
    if (text === this.printed) return;
    this.printed = text;
    this.print(text);
  }
}
