/**
 * Readable text for the CLI's default (non-JSON) output. Pure functions of the data. Every string
 * a peer wrote goes through `displayLine` (one line) or `displayText` (a body) before it is printed.
 */
import type { Entry, EntrySummary, InvalidEntry, SummaryList, Tombstone } from '../core/entry.js';
import { tombstoneTitle } from '../core/entry.js';
import type { HistoryStep } from '../core/history-steps.js';
import type { FieldConflict } from '../core/note-log.js';
import { textDelta } from '../core/versions.js';
import { connectionKindText, relativeTime, shortId, shortPeerId } from '../core/text.js';
import { displayLine, displayText, terminalSafeJson } from '../core/display-text.js';
import type { PeerStatus } from '../engine/types.js';
import type { SpaceListing } from '../engine/spaces.js';

const short = (id: string) => displayLine(shortId(id));
const oneLine = (s: string, max = 40) => displayLine(s, max);
/** A name a peer chose (author, device, peer), as one printable line. */
export const who = (s: string): string => displayLine(s, 100);
/** A title in quotes, on one line. */
export const quote = (title: string, max = 40): string => `"${displayLine(title, max)}"`;

/** A device as every listing shows it (`peers`, an entry's author, history): `[3fa2c1d0]`. */
export const deviceTag = (device: string | undefined): string => (device ? `[${short(device)}]` : '-');

/** An author: `Ann [3fa2c1d0]`, the same device `peers` lists under that tag. */
export const authorText = (a: { name: string; device: string }): string => `${who(a.name)} ${deviceTag(a.device)}`;

export function entryLine(e: EntrySummary, now = Date.now()): string {
  return `  ${short(e.id)}  ${e.kind.padEnd(6)}  ${oneLine(e.title).padEnd(40)}  ${who(e.author.name)} · ${relativeTime(e.updatedAt, now)}`;
}

export function formatList(list: SummaryList, now = Date.now()): string {
  const drafts = list.entries.filter((e) => e.state === 'draft');
  const published = list.entries.filter((e) => e.state === 'published');
  const lines = [`Drafts (${drafts.length})`, ...drafts.map((e) => entryLine(e, now)), `Published (${published.length})`, ...published.map((e) => entryLine(e, now))];
  if (list.invalid.length > 0) lines.push(`Invalid (${list.invalid.length})`, ...list.invalid.map(invalidLine));
  if (list.deleted.length > 0) lines.push(`(${list.deleted.length} deleted)`);
  return lines.join('\n');
}

export const invalidLine = (i: InvalidEntry): string => `  ${short(i.id)}  invalid: ${displayLine(i.reason, 200)}`;

export function formatEntry(e: Entry, version?: string, conflicts: readonly FieldConflict[] = [], now = Date.now()): string {
  const head = [
    `${e.kind === 'note' ? 'Note' : 'Recipe'} ${e.id} (${e.state})`,
    `By ${authorText(e.author)}, created ${relativeTime(e.createdAt, now)}, updated ${relativeTime(e.updatedAt, now)}`,
    ...(version !== undefined ? [`Version ${version} (edit ${short(e.id)}@${version} FIELD=VALUE writes only what you change from here)`] : []),
    ...conflicts.map(
      (c) =>
        `CONFLICT: the ${c.field} has ${c.values.length} values written at the same time: ` +
        c.values.map((v) => `"${oneLine(v.value, 60)}" (by ${v.by ? who(v.by.name) : 'someone'}${v.shown ? ', shown' : ''})`).join(', ') +
        `; end it with: resolve ${short(e.id)} ${c.field}=VALUE`,
    ),
  ];
  const body =
    e.kind === 'note'
      ? [`# ${displayLine(e.title)}`, '', displayText(e.body)]
      : [`# ${displayLine(e.name)}`, '', '## Ingredients', displayText(e.ingredients), '', '## Instructions', displayText(e.instructions)];
  return [...head, '', ...body].join('\n');
}

export const formatTombstone = (t: Tombstone, now = Date.now()): string => {
  const title = tombstoneTitle(t);
  return `${t.kind} ${t.id}${title !== undefined ? ` "${oneLine(title, 60)}"` : ''} was deleted by ${authorText(t.deletedBy)} ${relativeTime(t.deletedAt, now)} (restore ${short(t.id)} brings it back)`;
};

/** Each step with what it changed: a short value in full, a longer text as what was removed and added. */
export function formatHistory(steps: readonly HistoryStep[]): string {
  if (steps.length === 0) return 'no history';
  const lines: string[] = [];
  for (const h of steps) {
    const when = new Date(h.at).toISOString().replace('T', ' ').slice(0, 19);
    lines.push(`  ${String(h.step).padStart(3)}. ${when}  ${h.op.padEnd(7)} ${authorText(h.by)}${h.scope === 'local' ? '  [draft]' : ''}${h.restoredFrom ? '  (restored a version)' : ''}`);
    for (const c of h.changes) lines.push(`         ${c.field}: ${describeChange(c.before, c.after ?? '')}`);
  }
  return lines.join('\n');
}

function describeChange(before: string | undefined, after: string): string {
  const show = (s: string) => terminalSafeJson(s.length > 200 ? s.slice(0, 199) + '…' : s);
  if (before === undefined) return show(after);
  if (before.length <= 60 && after.length <= 60 && !before.includes('\n') && !after.includes('\n')) return `${show(before)} → ${show(after)}`;
  const d = textDelta(before, after);
  const parts = [d.removed ? `-${show(d.removed)}` : '', d.added ? `+${show(d.added)}` : ''].filter(Boolean);
  return parts.length > 0 ? `${parts.join(' ')} at ${d.at}` : '(unchanged)';
}

/**
 * A peer as one line: name (or `-` before it ever said hello), the device tag its entries carry as
 * author, short peer id, state, how it is connected, the address learned last.
 */
export function peerLine(p: PeerStatus, nameWidth = 20): string {
  const name = oneLine(p.name ?? '-', nameWidth).padEnd(nameWidth);
  const via = connectionKindText(p.connected ? p.via : undefined).padEnd(12);
  return `  ${name}  ${deviceTag(p.device).padEnd(10)}  ${shortPeerId(p.peerId).padEnd(12)}  ${(p.connected ? p.state : 'disconnected').padEnd(12)}  ${via}  ${displayLine(p.addrs.at(-1) ?? '')}`.trimEnd();
}

export function formatPeers(peers: readonly PeerStatus[]): string {
  if (peers.length === 0) return 'no peers connected';
  const width = Math.min(30, Math.max(4, ...peers.map((p) => Array.from(displayLine(p.name ?? '-')).length)));
  return [`  ${'NAME'.padEnd(width)}  ${'DEVICE'.padEnd(10)}  ${'PEER'.padEnd(12)}  ${'STATE'.padEnd(12)}  ${'VIA'.padEnd(12)}  ADDRESS`, ...peers.map((p) => peerLine(p, width))].join('\n');
}

/** The spaces of a data folder, one per line; `current` marks the one this peer has open. */
export function formatSpaces(spaces: readonly SpaceListing[], dataDir: string, current?: string): string {
  if (spaces.length === 0) return `no spaces in ${dataDir} yet (a start creates one)`;
  const width = Math.min(40, Math.max(4, ...spaces.map((s) => Array.from(s.name).length)));
  const lines = spaces.map((s) => {
    const count = s.entries !== undefined ? `${s.entries} entr${s.entries === 1 ? 'y' : 'ies'}` : `? (${s.note ?? 'unreadable'})`;
    return `${s.id === current ? '*' : ' '} ${s.id}  ${oneLine(s.name, width).padEnd(width)}  ${count}`;
  });
  return [`  ${'ID'.padEnd(32)}  ${'NAME'.padEnd(width)}  ENTRIES`, ...lines, `Open one with --space NAME|ID (a unique prefix is enough).`].join('\n');
}
