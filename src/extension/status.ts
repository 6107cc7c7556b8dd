/**
 * The status bar as a projection of state (the VS Code git extension's pattern): a read-only
 * snapshot in, text/tooltip/colour out. Pure; status-bar.ts renders it.
 */
import { relativeTime } from '../core/text.js';
import { escapeMarkdown, peerStateText, shortAddress, shortPeerId, sortPeers, type PeerView } from './tree-items.js';

export type Phase = 'starting' | 'no-space' | 'running' | 'error' | 'stopped';

export interface SpaceSummaryView {
  readonly connected: number;
  readonly inSync: number;
  readonly syncing: number;
}

/** Everything the front end shows about the node, in one immutable snapshot. */
export interface NodeSnapshot {
  readonly phase: Phase;
  readonly spaceName?: string;
  readonly error?: string;
  readonly peers: readonly PeerView[];
  readonly summary: SpaceSummaryView;
}

export interface StatusModel {
  /** Status bar text with codicons. */
  readonly text: string;
  /** Markdown. */
  readonly tooltip: string;
  readonly kind: 'normal' | 'warning' | 'error';
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function statusModel(s: NodeSnapshot, now = Date.now()): StatusModel {
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
    case 'running':
      return { text: runningText(s.summary), tooltip: runningTooltip(s, now), kind: 'normal' };
  }
}

export function runningText(sum: SpaceSummaryView): string {
  if (sum.connected === 0) return '$(cloud-offline) Offline';
  if (sum.syncing > 0) return `$(sync~spin) Syncing ${sum.syncing} of ${sum.connected}`;
  if (sum.inSync === sum.connected) return `$(check) In sync · ${plural(sum.connected, 'peer')}`;
  return `$(broadcast) ${plural(sum.connected, 'peer')} · ${sum.inSync} in sync`;
}

function runningTooltip(s: NodeSnapshot, now: number): string {
  const name = s.spaceName !== undefined ? `**${escapeMarkdown(s.spaceName)}**` : '**Shared Notes**';
  const peers = sortPeers(s.peers);
  if (peers.length === 0) return `${name}\n\nNo peers connected. Your changes are saved here and reach others when they connect.`;
  const lines = peers.map((p) => {
    const addr = p.addrs[0] !== undefined ? ` · ${shortAddress(p.addrs[0])}` : '';
    const last = p.lastSyncAt !== undefined ? ` · synced ${relativeTime(p.lastSyncAt, now)}` : '';
    return `- \`${shortPeerId(p.peerId)}\` ${peerStateText(p)}${addr}${last}`;
  });
  return [name, '', ...lines, '', 'Click to show the peers.'].join('\n');
}

/** A catch-up worth a progress notification: some peer is syncing. */
export const isCatchingUp = (s: NodeSnapshot): boolean => s.phase === 'running' && s.summary.syncing > 0;
