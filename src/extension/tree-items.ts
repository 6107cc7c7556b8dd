/**
 * What the Notes and Peers trees show, as plain data: pure functions of the note log's list and the
 * network's peer states, unit-tested in plain Node. notes-tree.ts / peers-tree.ts only turn these
 * into vscode.TreeItems. No `vscode` import here. Every string a peer wrote goes through the core
 * sanitiser (`displayLine`, `displayText`) before it reaches a label, description or tooltip.
 */
import type { DeletedSummary, Entry, EntrySummary, InvalidEntry, ListTotals, SummaryList } from '../core/entry.js';
import type { PeerStatus } from '../engine/types.js';
import { connectionKindText, relativeTime, shortId, shortPeerId } from '../core/text.js';
import { labelLine, labelText } from '../core/display-text.js';
import { titleOf } from '../core/entry.js';

/** A tree row, independent of VS Code. `tooltip` is markdown. */
export interface ItemData {
  readonly id: string;
  readonly label: string;
  readonly description?: string;
  readonly tooltip?: string;
  /** A codicon id (`note`, `book`, `warning`, ...). */
  readonly icon: string;
  readonly contextValue: string;
  readonly collapsible: 'none' | 'expanded' | 'collapsed';
  /** The entry the row opens on click, if any. */
  readonly openEntryId?: string;
  /** A "Show more" row: the group whose next page a click lists. */
  readonly showMoreOf?: GroupKind;
}

export type GroupKind = 'published' | 'drafts' | 'deleted' | 'invalid';

/** The nodes of the Notes tree; command handlers receive these as their argument. */
export type NotesNode =
  | { readonly type: 'group'; readonly group: GroupKind; readonly count: number }
  | { readonly type: 'entry'; readonly entry: EntrySummary }
  | { readonly type: 'deleted'; readonly tombstone: DeletedSummary }
  | { readonly type: 'invalid'; readonly invalid: InvalidEntry }
  /** The last row of a group that lists `shown` of its `total` entries: a click lists GROUP_PAGE more. */
  | { readonly type: 'more'; readonly group: GroupKind; readonly shown: number; readonly total: number };

/** A Peers row: the engine's PeerStatus, marked when it is one of the always-on peers the person added. */
export type PeerRow = PeerStatus & { readonly alwaysOn?: boolean };

const GROUP_LABEL: Record<GroupKind, string> = { published: 'Published', drafts: 'Drafts', deleted: 'Recently deleted', invalid: 'Invalid entries' };
const GROUP_ICON: Record<GroupKind, string> = { published: 'cloud', drafts: 'edit', deleted: 'trash', invalid: 'warning' };
/** How many deleted entries the Recently deleted group lists (newest first). */
export const RECENTLY_DELETED_SHOWN = 50;

export const kindIcon = (kind: EntrySummary['kind']): string => (kind === 'note' ? 'note' : 'book');
/** `entry.draft.note`, `entry.published.recipe`: menus in package.json match on these. */
export const entryContextValue = (entry: Pick<EntrySummary, 'state' | 'kind'>): string => `entry.${entry.state}.${entry.kind}`;

/** Root groups: Published and Drafts always (so people see where things go), Recently deleted and Invalid only when there are any. */
export function notesRoots(list: SummaryList): NotesNode[] {
  const totals = list.totals ?? totalsOf(list);
  const roots: NotesNode[] = [
    { type: 'group', group: 'published', count: totals.published },
    { type: 'group', group: 'drafts', count: totals.drafts },
  ];
  if (totals.deleted > 0) roots.push({ type: 'group', group: 'deleted', count: totals.deleted });
  if (totals.invalid > 0) roots.push({ type: 'group', group: 'invalid', count: totals.invalid });
  return roots;
}

/** What a whole list (not a page) holds of each group. */
function totalsOf(list: SummaryList): ListTotals {
  const published = list.entries.filter((e) => e.state === 'published').length;
  return { published, drafts: list.entries.length - published, deleted: list.deleted.length, invalid: list.invalid.length };
}

/**
 * How many entries a group lists at first, and how many more each click on its "Show more" row
 * adds. A tree view hands VS Code every child it is given, each made into a row and sent to the
 * workbench: a Published group of 100k entries took 30 s to show and 790 MB of extension host
 * (docs/BENCHMARKS.md). Search and Filter Notes find any entry, however far down.
 */
export const GROUP_PAGE = 200;

/**
 * The first `limit` children of a group, then (if it holds more) a "Show more" row. `list` may be
 * a page of the whole list (NoteLog.summaryPage) holding at least `limit` of the group, with totals.
 */
export function pagedChildren(list: SummaryList, group: GroupKind, limit: number): NotesNode[] {
  const all = groupChildren(list, group);
  const total = group === 'published' || group === 'drafts' ? Math.max(list.totals?.[group] ?? 0, all.length) : all.length;
  if (total <= limit) return all;
  const shown = Math.min(limit, all.length);
  return [...all.slice(0, shown), { type: 'more', group, shown, total }];
}

/** Children of a group, newest change first (the log's list order). */
export function groupChildren(list: SummaryList, group: GroupKind): NotesNode[] {
  if (group === 'invalid') return list.invalid.map((invalid) => ({ type: 'invalid', invalid }));
  if (group === 'deleted') {
    return [...list.deleted]
      .sort((a, b) => b.deletedAt - a.deletedAt)
      .slice(0, RECENTLY_DELETED_SHOWN)
      .map((tombstone) => ({ type: 'deleted', tombstone }));
  }
  const state = group === 'published' ? 'published' : 'draft';
  return list.entries.filter((e) => e.state === state).map((entry) => ({ type: 'entry', entry }));
}

/** `full`: the entry's contents when they are at hand (the tooltip quotes them), else undefined. */
export function notesItem(node: NotesNode, now = Date.now(), full?: (id: string) => Entry | undefined): ItemData {
  switch (node.type) {
    case 'group':
      return {
        id: `group:${node.group}`,
        label: GROUP_LABEL[node.group],
        description: String(node.count),
        icon: GROUP_ICON[node.group],
        contextValue: `group.${node.group}`,
        // Always expandable: a group that went from empty to non-empty must not come back collapsed.
        collapsible: 'expanded',
      };
    case 'entry':
      return entryItem(node.entry, now, full?.(node.entry.id));
    case 'deleted':
      return deletedItem(node.tombstone, now);
    case 'invalid':
      return invalidItem(node.invalid);
    case 'more':
      return moreItem(node);
  }
}

/** `Show 200 more` at the end of a long group, saying how much of it is listed. */
export function moreItem(node: { readonly group: GroupKind; readonly shown: number; readonly total: number }): ItemData {
  const count = (n: number) => n.toLocaleString('en');
  return {
    id: `more:${node.group}`,
    label: `Show ${count(Math.min(GROUP_PAGE, node.total - node.shown))} more`,
    description: `${count(node.shown)} of ${count(node.total)} listed`,
    tooltip: `The newest ${count(node.shown)} of ${count(node.total)} are listed. **Search** (or **Filter Notes**) finds any entry, however far down.`,
    icon: 'ellipsis',
    contextValue: 'more',
    collapsible: 'none',
    showMoreOf: node.group,
  };
}

/** An entry's row; its tooltip quotes the contents when they are given (`entry` itself, or `full`). */
export function entryItem(entry: Entry | EntrySummary, now = Date.now(), full?: Entry): ItemData {
  full ??= isFull(entry) ? entry : undefined;
  const conflicted = (full?.conflicts?.length ?? entry.conflicts?.length ?? 0) > 0;
  return {
    id: `entry:${entry.id}`,
    label: oneLine(listedTitle(entry), 80) || '(untitled)',
    description: `${conflicted ? 'conflict · ' : ''}${oneLine(entry.author.name, 100)} · ${relativeTime(entry.updatedAt, now)}`,
    tooltip: entryTooltip(full ?? entry, now),
    icon: conflicted ? 'warning' : kindIcon(entry.kind),
    contextValue: `${entryContextValue(entry)}${conflicted ? '.conflict' : ''}`,
    collapsible: 'none',
    openEntryId: entry.id,
  };
}

/** A deleted entry: its last title, who deleted it and when; Restore is on its context menu. */
export function deletedItem(t: DeletedSummary, now = Date.now()): ItemData {
  const label = oneLine(t.title ?? '', 80) || `${t.kind === 'note' ? 'Note' : 'Recipe'} ${shortId(t.id)}`;
  const content = '*(its content comes back with Restore)*';
  return {
    id: `deleted:${t.id}`,
    label,
    description: `deleted by ${oneLine(t.deletedBy.name, 100)} · ${relativeTime(t.deletedAt, now)}`,
    tooltip: [`**${escapeMarkdown(label)}**`, '', `Deleted by ${escapeMarkdown(oneLine(t.deletedBy.name, 100))}, ${relativeTime(t.deletedAt, now)}. Restore brings it back for everyone.`, '', '---', '', content].join('\n'),
    icon: 'trash',
    contextValue: `deleted.${t.kind}`,
    collapsible: 'none',
  };
}

export function invalidItem(invalid: InvalidEntry): ItemData {
  return {
    id: `invalid:${invalid.scope}:${invalid.id}`,
    label: `Invalid entry ${oneLine(shortId(invalid.id), 8)}`,
    description: oneLine(invalid.reason, 200),
    tooltip: `**Invalid entry** \`${escapeMarkdown(oneLine(invalid.id, 64))}\` in the ${invalid.scope === 'shared' ? 'shared' : 'local'} log\n\n` +
      `A peer wrote it in a form this version cannot read: ${escapeMarkdown(oneLine(invalid.reason, 200))}. It is shown, not used.`,
    icon: 'warning',
    contextValue: 'entry.invalid',
    collapsible: 'none',
  };
}

const isFull = (entry: Entry | EntrySummary): entry is Entry => 'createdAt' in entry;
const listedTitle = (entry: Entry | EntrySummary): string => (isFull(entry) ? titleOf(entry) : entry.title);

/** The tooltip of an entry: its contents quoted when they are at hand (`entry` is a full Entry). */
export function entryTooltip(entry: Entry | EntrySummary, now = Date.now()): string {
  const kind = entry.kind === 'note' ? 'Note' : 'Recipe';
  const state = entry.state === 'draft' ? 'draft (only on this device)' : 'published';
  const head = [
    `**${escapeMarkdown(oneLine(listedTitle(entry), 200))}**`,
    '',
    `${kind} · ${state} · by ${escapeMarkdown(oneLine(entry.author.name, 100))}, updated ${relativeTime(entry.updatedAt, now)}`,
    ...((entry.conflicts?.length ?? 0) > 0 ? ['', `$(warning) Its ${entry.conflicts?.join(' and ')} has competing values written at the same time: run **Resolve Conflict**.`] : []),
  ];
  if (!isFull(entry)) return [...head, '', '---', '', '*Open it to read it.*'].join('\n');
  const body =
    entry.kind === 'note'
      ? [preview(entry.body, 300)]
      : ['**Ingredients**', '', preview(entry.ingredients, 300), '', '**Instructions**', '', preview(entry.instructions, 300)];
  return [...head, '', '---', '', ...body].join('\n');
}

/**
 * A peer row: its name as label (its short id until it said hello), then sync state, short id and
 * address. Names are chosen by peers: the id stays visible so a name cannot pass for another peer.
 */
export function peerItem(peer: PeerRow, now = Date.now(), open?: OpenEntryView): ItemData {
  // The address learned last: after the peer moved (a restart on another port) the old one stays listed first.
  const newest = peer.addrs.at(-1);
  const address = newest !== undefined ? shortAddress(newest) : undefined;
  const short = shortPeerId(peer.peerId);
  const name = peer.name !== undefined ? oneLine(peer.name, 100) || undefined : undefined;
  const lines = [
    name !== undefined ? `**${escapeMarkdown(name)}** · peer \`${peer.peerId}\`` : `**Peer** \`${peer.peerId}\``,
    '',
    `State: ${peerStateText(peer)}`,
    ...(peer.connected && peer.via !== undefined ? [`Connected: ${VIA_TEXT[peer.via]}`] : []),
    ...(peer.alwaysOn ? ['Always-on peer (you added it: it is dialed at every start)'] : []),
    ...(peer.lastSyncAt !== undefined ? [`Last sync: ${relativeTime(peer.lastSyncAt, now)}`] : []),
    ...(peer.progress ? [`Received ${formatBytes(peer.progress.bytesIn)} (${peer.progress.changesIn} changes), sent ${formatBytes(peer.progress.bytesOut)}`] : []),
    ...(open ? ['', open.title !== undefined ? `Has **${escapeMarkdown(oneLine(open.title, 200))}** open` : 'Has an entry open that is not here yet'] : []),
    ...(peer.addrs.length > 0 ? ['', 'Addresses:', ...peer.addrs.map((a) => `- \`${oneLine(a, 300)}\``)] : []),
  ];
  return {
    id: `peer:${peer.peerId}`,
    label: name ?? short,
    // The state first: a narrow sidebar cuts the end of a description.
    description: [peer.alwaysOn ? 'always-on' : undefined, peerStateText(peer), peer.connected && peer.via !== undefined ? connectionKindText(peer.via) : undefined, open ? openEntryText(open) : undefined, name !== undefined ? short : undefined, address]
      .filter(Boolean)
      .join(' · '),
    tooltip: lines.join('\n'),
    icon: PEER_ICON[peer.connected ? peer.state : 'connecting'],
    contextValue: `peer.${peer.connected ? peer.state : 'disconnected'}`,
    collapsible: 'none',
  };
}

const VIA_TEXT: Record<NonNullable<PeerRow['via']>, string> = {
  loopback: 'on this machine',
  lan: 'on the local network (LAN)',
  direct: 'directly over the internet',
  relayed: 'through a relay (another peer passes the data on)',
};

const PEER_ICON: Record<PeerRow['state'], string> = { 'in-sync': 'pass', syncing: 'sync~spin', behind: 'history', connecting: 'plug' };

export function peerStateText(peer: PeerRow): string {
  if (!peer.connected) return 'disconnected';
  switch (peer.state) {
    case 'in-sync':
      return 'in sync';
    case 'syncing':
      return 'syncing…';
    case 'behind':
      return 'not in sync';
    case 'connecting':
      return 'connected, waiting for first sync';
  }
}

/** Connected peers first (in-sync, syncing, behind), each group by id, so the list does not jump. */
export function sortPeers(peers: readonly PeerRow[]): PeerRow[] {
  return [...peers].filter((p) => p.connected).sort((a, b) => a.peerId.localeCompare(b.peerId));
}

/** `12D3KooW…` ids share their prefix; the tail tells peers apart (as the CLI shows them). */

/** `/ip4/127.0.0.1/tcp/4001/ws/p2p/…` → `127.0.0.1:4001 (ws)`; other shapes are returned as they are. */
export function shortAddress(addr: string): string {
  const m = /^\/(ip4|ip6|dns4|dns6|dns)\/([^/]+)\/tcp\/(\d+)(\/(ws|wss|tls\/ws))?/.exec(addr);
  if (!m) return oneLine(addr, 300);
  const host = m[1] === 'ip6' ? `[${m[2]}]` : m[2];
  return oneLine(`${host}:${m[3]}${m[5] ? ` (${m[5]})` : ''}`, 300);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Peer-written text as one safe line of at most `max` characters (the core sanitiser; `$(icon)` syntax made inert). */
export const oneLine = (text: string, max: number): string => labelLine(text, max);

/** Peer-written text goes into markdown tooltips: escape it so it cannot format or link. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}

function preview(text: string, max: number): string {
  if (text.trim() === '') return '*(empty)*';
  const cut = labelText(text.length > max ? text.slice(0, max - 1) + '…' : text);
  return cut
    .split('\n')
    .map((line) => escapeMarkdown(line))
    .join('  \n');
}

/** The entry a peer has open (presence): its title, or undefined when that entry is not here (yet). */
export interface OpenEntryView {
  readonly title: string | undefined;
}

/** `has "Pancakes" open`: what a peer's row says about the entry it has open. */
export function openEntryText(open: OpenEntryView): string {
  return open.title !== undefined ? `has "${oneLine(open.title, 60)}" open` : 'has an entry open';
}

/**
 * An entry row for an entry other members have open (presence): ` · open: Carol, Dan` after its
 * description, and a tooltip line saying who. `names` are labels (hello names, else short ids).
 */
export function withOpenBy(item: ItemData, names: readonly string[]): ItemData {
  if (names.length === 0) return item;
  const who = names.map((n) => oneLine(n, 100)).join(', ');
  return {
    ...item,
    description: item.description ? `${item.description} · open: ${who}` : `open: ${who}`,
    tooltip: `${item.tooltip !== undefined ? `${item.tooltip}\n\n---\n\n` : ''}Open now by ${escapeMarkdown(who)}`,
  };
}
