/** Short human texts both front ends show (CLI lines, tree descriptions, status bar). Pure. */
import type { StoreProblem } from './ports.js';

/** An entry, device or space id as people see and type it: its first 8 hex digits. */
export const shortId = (id: string): string => id.slice(0, 8);

/** A libp2p peer id as every view shows it: `…` and its last 8 characters (the start is the same for every key type). */
export const shortPeerId = (peerId: string): string => (peerId.length > 12 ? `…${peerId.slice(-8)}` : peerId);

/** What recovery found and repaired in a store, in one line (the CLI's `ready`, the logs). */
export function problemText(p: StoreProblem): string {
  const kept = p.movedTo && !p.detail.includes(p.movedTo) ? ` (the damaged file is kept as ${p.movedTo})` : '';
  return `${p.kind} in ${p.file}: ${p.detail}${kept}`;
}

export function relativeTime(at: number, now = Date.now()): string {
  const s = Math.round((now - at) / 1000);
  if (s < 45) return 'just now';
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return new Date(at).toISOString().slice(0, 10);
}

/** The space's sync state in a few words: what "in sync" means is decided by the network layer. */
export function statusText(s: { connected: number; inSync: number; syncing: number }): string {
  if (s.connected === 0) return 'offline (no peers)';
  if (s.syncing > 0) return `syncing ${s.syncing} of ${s.connected} peer${s.connected === 1 ? '' : 's'}`;
  if (s.inSync === s.connected) return `in sync with ${s.connected} peer${s.connected === 1 ? '' : 's'}`;
  return `${s.connected} peer${s.connected === 1 ? '' : 's'}, ${s.inSync} in sync`;
}

/** How a peer is connected, in words (the network layer's ConnectionKind). */
export function connectionKindText(kind: 'loopback' | 'lan' | 'direct' | 'relayed' | undefined): string {
  switch (kind) {
    case 'loopback':
      return 'this machine';
    case 'lan':
      return 'LAN';
    case 'direct':
      return 'direct';
    case 'relayed':
      return 'relayed';
    case undefined:
      return '-';
  }
}
