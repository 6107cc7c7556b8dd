/** Readable text for the CLI's default (non-JSON) output. Pure functions of the data. */
import type { Entry, InvalidEntry, Tombstone } from '../core/entry.js';
import { titleOf } from '../core/entry.js';
import type { EntryList } from '../core/note-log.js';
import type { HistoryItem } from '../core/ops.js';
import { relativeTime } from '../core/text.js';
import type { PeerStatus } from '../net/status.js';

const short = (id: string) => id.slice(0, 8);
const oneLine = (s: string, max = 40) => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
};

export function entryLine(e: Entry, now = Date.now()): string {
  return `  ${short(e.id)}  ${e.kind.padEnd(6)}  ${oneLine(titleOf(e)).padEnd(40)}  ${e.author.name} · ${relativeTime(e.updatedAt, now)}`;
}

export function formatList(list: EntryList, now = Date.now()): string {
  const drafts = list.entries.filter((e) => e.state === 'draft');
  const published = list.entries.filter((e) => e.state === 'published');
  const lines = [`Drafts (${drafts.length})`, ...drafts.map((e) => entryLine(e, now)), `Published (${published.length})`, ...published.map((e) => entryLine(e, now))];
  if (list.invalid.length > 0) lines.push(`Invalid (${list.invalid.length})`, ...list.invalid.map(invalidLine));
  if (list.deleted.length > 0) lines.push(`(${list.deleted.length} deleted)`);
  return lines.join('\n');
}

export const invalidLine = (i: InvalidEntry): string => `  ${short(i.id)}  invalid: ${i.reason}`;

export function formatEntry(e: Entry, now = Date.now()): string {
  const head = [
    `${e.kind === 'note' ? 'Note' : 'Recipe'} ${e.id} (${e.state})`,
    `By ${e.author.name} (${e.author.device}), created ${relativeTime(e.createdAt, now)}, updated ${relativeTime(e.updatedAt, now)}`,
  ];
  const body =
    e.kind === 'note'
      ? [`# ${e.title}`, '', e.body]
      : [`# ${e.name}`, '', '## Ingredients', e.ingredients, '', '## Instructions', e.instructions];
  return [...head, '', ...body].join('\n');
}

export const formatTombstone = (t: Tombstone, now = Date.now()): string =>
  `${t.kind} ${t.id} was deleted by ${t.deletedBy.name} ${relativeTime(t.deletedAt, now)}`;

export function formatHistory(items: HistoryItem[]): string {
  if (items.length === 0) return 'no history';
  return items
    .map((h) => `  ${new Date(h.at).toISOString().replace('T', ' ').slice(0, 19)}  ${h.op.padEnd(7)} ${h.by.name} (${h.by.device})${h.fields ? ' ' + h.fields.join(', ') : ''}${h.scope === 'local' ? '  [draft]' : ''}`)
    .join('\n');
}

/** The tail of a peer id: `12D3KooW…` ids share their start. */
export const shortPeer = (peerId: string): string => peerId.slice(-12);

/** A peer as one line: name (or `-` before it said hello), short id, state, the address learned last. */
export function peerLine(p: PeerStatus, nameWidth = 20): string {
  const name = oneLine(p.name ?? '-', nameWidth).padEnd(nameWidth);
  return `  ${name}  ${shortPeer(p.peerId)}  ${(p.connected ? p.state : 'disconnected').padEnd(12)}  ${p.addrs.at(-1) ?? ''}`.trimEnd();
}

export function formatPeers(peers: readonly PeerStatus[]): string {
  if (peers.length === 0) return 'no peers connected';
  const width = Math.min(30, Math.max(4, ...peers.map((p) => Array.from(p.name ?? '-').length)));
  return [`  ${'NAME'.padEnd(width)}  ${'PEER'.padEnd(12)}  ${'STATE'.padEnd(12)}  ADDRESS`, ...peers.map((p) => peerLine(p, width))].join('\n');
}
