/**
 * What presence looks like in the editor and the trees, as plain data: pure functions of the
 * network's presence list, unit-tested in plain Node. presence.ts turns them into decorations.
 * No `vscode` import here.
 */
import { shortPeerId } from '../core/text.js';
import { oneLine } from './tree-items.js';

/** The subset of the network's PeerPresence the front end uses. */
export interface PresenceView {
  readonly peerId: string;
  /** From the peer's hello (cleaned by the network layer); absent until it said hello. */
  readonly name?: string;
  readonly entry: string;
  readonly selections: readonly { readonly anchor: number; readonly active: number }[];
}

/** Distinct, mid-bright colours that read on light and dark themes, with dark label text. */
const PALETTE = ['#e06c75', '#61afef', '#98c379', '#c678dd', '#d19a66', '#56b6c2', '#e5c07b', '#f49ac1'] as const;
export const LABEL_TEXT_COLOR = '#1e1e1e';

/** A peer's colour: the same on every device and every run (a hash of its id). */
export function peerColor(peerId: string): string {
  let hash = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < peerId.length; i++) {
    hash ^= peerId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return PALETTE[(hash >>> 0) % PALETTE.length] ?? PALETTE[0];
}

/** `#rrggbb` with an alpha byte (0–255). */
export function withAlpha(color: string, alpha: number): string {
  return `${color}${Math.max(0, Math.min(255, Math.round(alpha))).toString(16).padStart(2, '0')}`;
}

/** The label next to a peer's cursor and in the trees: its hello name, else its short id. */
export const presenceLabel = (p: Pick<PresenceView, 'peerId' | 'name'>): string => (p.name !== undefined ? oneLine(p.name, 100) : '') || shortPeerId(p.peerId);

/** Who has this entry open (labels, each once, in the list's order). */
export function openBy(list: readonly PresenceView[], entryId: string): string[] {
  return [...new Set(list.filter((p) => p.entry === entryId).map(presenceLabel))];
}

/** Changes whenever the trees would show something else (not on cursor moves). */
export function openKey(list: readonly PresenceView[]): string {
  return list.map((p) => `${p.peerId}=${p.entry}:${JSON.stringify(p.name ?? '')}`).sort().join('|');
}

/** A peer's selections in a document of `length` characters: cursor offsets and highlighted ranges, clamped. */
export function selectionRanges(selections: PresenceView['selections'], length: number): { cursors: number[]; ranges: Array<[number, number]> } {
  const clamp = (n: number) => Math.max(0, Math.min(length, Math.floor(n)));
  const cursors: number[] = [];
  const ranges: Array<[number, number]> = [];
  for (const s of selections) {
    const anchor = clamp(s.anchor);
    const active = clamp(s.active);
    cursors.push(active);
    if (anchor !== active) ranges.push([Math.min(anchor, active), Math.max(anchor, active)]);
  }
  return { cursors, ranges };
}
