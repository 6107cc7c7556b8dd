/**
 * The status bar as a projection of state (the VS Code git extension's pattern): a read-only
 * snapshot in, text/tooltip/colour out. Pure; status-bar.ts renders it.
 */
import { connectionKindText, relativeTime, shortPeerId } from '../core/text.js';
import type { SpaceSummary } from '../engine/types.js';
import { escapeMarkdown, formatBytes, oneLine, peerStateText, shortAddress, sortPeers, type PeerRow } from './tree-items.js';

export type Phase = 'starting' | 'no-space' | 'running' | 'error' | 'stopped';

/** Everything the front end shows about the node, in one immutable snapshot. */
export interface NodeSnapshot {
  readonly phase: Phase;
  readonly spaceName?: string;
  readonly error?: string;
  readonly peers: readonly PeerRow[];
  readonly summary: SpaceSummary;
  /** Running: since when no member has been connected (since start if none ever was); absent while one is. */
  readonly offlineSince?: number;
}

export interface StatusModel {
  /** Status bar text with codicons. */
  readonly text: string;
  /** Markdown. */
  readonly tooltip: string;
  readonly kind: 'normal' | 'warning' | 'error';
  /** The model changes by itself after this many ms (time passing): render again then. */
  readonly recheckInMs?: number;
}

/** With nothing connected this long, the status bar says "No member reachable" instead of "Offline". */
export const NO_MEMBER_AFTER_MS = 30_000;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** An open document that is not up to date with its stored entry (LiveDocuments.held). */
export interface HeldDocumentView {
  readonly title: string;
  readonly reason: string;
}

/**
 * The status bar. It never says "In sync" while an open document differs from its stored entry
 * without typing to explain it (`held`): the promise is about what the person sees.
 */
export function statusModel(s: NodeSnapshot, now = Date.now(), held: readonly HeldDocumentView[] = []): StatusModel {
  if (s.phase === 'running' && held.length > 0) {
    const first = held[0]!;
    const text = held.length === 1 ? `$(warning) "${oneLine(first.title, 30)}" not up to date` : `$(warning) ${held.length} open notes not up to date`;
    const lines = held.map((h) => `- **${escapeMarkdown(oneLine(h.title, 60))}**: ${escapeMarkdown(oneLine(h.reason, 200))}`);
    return { text, tooltip: ['**Open notes that are not up to date**', '', ...lines, '', 'Click to reload from what is stored.'].join('\n'), kind: 'warning' };
  }
  switch (s.phase) {
    case 'starting':
      return { text: '$(loading~spin) Shared Notes', tooltip: 'Shared Notes is starting…', kind: 'normal' };
    case 'stopped':
      return { text: '$(circle-slash) Shared Notes', tooltip: 'Shared Notes is stopped.', kind: 'normal' };
    case 'no-space':
      return { text: '$(notebook) Shared Notes', tooltip: 'No space in this workspace yet: create one or join with an invite.', kind: 'normal' };
    case 'error':
      return {
        text: '$(error) Shared Notes',
        tooltip: `**Shared Notes could not start**\n\n${escapeMarkdown(s.error ?? 'unknown error')}\n\nSee the "Shared Notes" output for details.`,
        kind: 'error',
      };
    case 'running': {
      const since = s.summary.connected === 0 ? s.offlineSince : undefined;
      if (since !== undefined && now - since >= NO_MEMBER_AFTER_MS) return noMemberReachable(s, since, now);
      const model: StatusModel = { text: runningText(s.summary), tooltip: runningTooltip(s, now), kind: 'normal' };
      return since !== undefined ? { ...model, recheckInMs: since + NO_MEMBER_AFTER_MS - now } : model;
    }
  }
}

/** Nothing connected for NO_MEMBER_AFTER_MS: why, and what the person can do about it. */
function noMemberReachable(s: NodeSnapshot, since: number, now: number): StatusModel {
  const space = s.spaceName !== undefined ? `**${escapeMarkdown(s.spaceName)}**` : 'this space';
  const known = s.peers.length;
  const lasting = relativeTime(since, now).replace(/ ago$/, '');
  const reason =
    known === 0
      ? `This device knows no other member of ${space} yet: nobody has connected to it, and nobody at an invite's addresses answered. ` +
        'If you created the space, nobody has joined yet: share it with **Shared Notes: Copy Invite**.'
      : `None of the ${plural(known, 'member')} this device knows of ${space} answered (for ${lasting === 'just now' ? 'a while' : lasting}): they are offline, or their addresses changed (another network, a firewall).`;
  return {
    text: '$(debug-disconnect) No member reachable',
    tooltip: [
      '**No member reachable**',
      '',
      reason,
      '',
      '**What to do:** ask a member who is online for a fresh invite and join with it (**Shared Notes: Join Space**), ' +
        "or add an always-on peer's address to the `sharedNotes.bootstrapPeers` setting. Shared Notes keeps trying on its own; " +
        'your changes are saved here and go out when a member connects.',
    ].join('\n'),
    kind: 'warning',
  };
}

export function runningText(sum: SpaceSummary): string {
  if (sum.connected === 0) return '$(cloud-offline) Offline';
  if (sum.syncing > 0) return `$(sync~spin) Syncing ${sum.syncing} of ${sum.connected}`;
  if (sum.inSync === sum.connected) return `$(check) In sync · ${plural(sum.connected, 'peer')}`;
  return `$(broadcast) ${plural(sum.connected, 'peer')} · ${sum.inSync} in sync`;
}

function runningTooltip(s: NodeSnapshot, now: number): string {
  const name = s.spaceName !== undefined ? `**${escapeMarkdown(oneLine(s.spaceName, 100))}**` : '**Shared Notes**';
  const peers = sortPeers(s.peers);
  if (peers.length === 0) return `${name}\n\nNo peers connected. Your changes are saved here and reach others when they connect.`;
  const lines = peers.map((p) => {
    const newest = p.addrs.at(-1);
    const addr = newest !== undefined ? ` · ${shortAddress(newest)}` : '';
    const last = p.lastSyncAt !== undefined ? ` · synced ${relativeTime(p.lastSyncAt, now)}` : '';
    const via = p.via !== undefined ? ` · ${connectionKindText(p.via)}` : '';
    const who = p.name !== undefined ? `${escapeMarkdown(oneLine(p.name, 100))} \`${shortPeerId(p.peerId)}\`` : `\`${shortPeerId(p.peerId)}\``;
    return `- ${who} ${peerStateText(p)}${via}${addr}${last}`;
  });
  return [name, '', ...lines, '', 'Click to show the peers.'].join('\n');
}

/** A catch-up is running: some peer is syncing. */
export const isCatchingUp = (s: NodeSnapshot): boolean => s.phase === 'running' && s.summary.syncing > 0;

/** A catch-up shorter than this needs no notification: the status bar's spinner is enough. */
export const PROGRESS_AFTER_MS = 1_000;

/** Where the catch-up notification stands: since when a catch-up runs, and whether it is shown. */
export interface CatchUpState {
  readonly since?: number;
  readonly shown: boolean;
}

/** What to do with the notification after a new snapshot (at most one of show/update/end). */
export interface CatchUpStep {
  readonly state: CatchUpState;
  /** Open the notification with this message. */
  readonly show?: string;
  /** Change the open notification's message. */
  readonly update?: string;
  /** Close the notification. */
  readonly end?: true;
  /** Nothing changes before then: look again after this many ms (when the notification is due). */
  readonly recheckInMs?: number;
}

export const NO_CATCH_UP: CatchUpState = { shown: false };

/**
 * The progress notification as a pure step function: it opens once a catch-up has lasted
 * PROGRESS_AFTER_MS, follows it while it runs, and closes when it ends. Short rounds (the periodic
 * anti-entropy check, the confirmation after an edit) never show it.
 */
export function catchUpStep(prev: CatchUpState, s: NodeSnapshot, now: number): CatchUpStep {
  if (!isCatchingUp(s)) return prev.shown ? { state: NO_CATCH_UP, end: true } : { state: NO_CATCH_UP };
  const since = prev.since ?? now;
  const message = catchUpMessage(s);
  if (prev.shown) return { state: { since, shown: true }, update: message };
  const waited = now - since;
  if (waited >= PROGRESS_AFTER_MS) return { state: { since, shown: true }, show: message };
  return { state: { since, shown: false }, recheckInMs: PROGRESS_AFTER_MS - waited };
}

/** "1 of 2 peers · 1.2 MB received (340 changes)". */
export function catchUpMessage(s: NodeSnapshot): string {
  const { syncing, connected } = s.summary;
  let bytes = 0;
  let changes = 0;
  for (const p of s.peers) {
    if (!p.connected || p.state !== 'syncing' || !p.progress) continue;
    bytes += p.progress.bytesIn;
    changes += p.progress.changesIn;
  }
  const peers = `${syncing} of ${plural(connected, 'peer')}`;
  return bytes > 0 ? `${peers} · ${formatBytes(bytes)} received (${plural(changes, 'change')})` : peers;
}
