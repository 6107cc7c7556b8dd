/**
 * The Notes view: Published / Drafts (/ Recently deleted / Invalid) groups over the note log,
 * redrawn when a change makes a shown row look different (ShownNotes).
 */
import * as vscode from 'vscode';
import type { Entry, SummaryList } from '../core/entry.js';
import type { SpaceController } from './controller.js';
import { isEntryId } from '../core/ids.js';
import type { NotesFilter } from './notes-filter.js';
import { filteredList } from './search-items.js';
import type { OpenEntries } from './presence.js';
import { ShownNotes } from './shown-notes.js';
import { GROUP_PAGE, notesItem, notesRoots, pagedChildren, RECENTLY_DELETED_SHOWN, withOpenBy, type GroupKind, type ItemData, type NotesNode } from './tree-items.js';

export const OPEN_ENTRY_COMMAND = 'sharedNotes.openEntry';
export const SHOW_MORE_COMMAND = 'sharedNotes.showMoreEntries';

export class NotesTreeProvider implements vscode.TreeDataProvider<NotesNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<NotesNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly subscriptions: vscode.Disposable[];
  /** Relative times ("2 min ago") age: refresh them now and then even when nothing changes. */
  private readonly clock = setInterval(() => this.redraw(), 60_000);
  private readonly shown = new ShownNotes(
    (node, now) => this.rowOf(node, now),
    (list, group) => this.childrenOf(list, group),
  );
  /** How many entries each long group lists (GROUP_PAGE at first; "Show more" adds to it). */
  private readonly limits = new Map<GroupKind, number>();

  constructor(
    private readonly controller: SpaceController,
    /** Who has which entry open (presence); rows of those entries say so. */
    private readonly presence?: OpenEntries,
    /** A search text restricting the entries listed (Filter Notes). */
    private readonly filter?: NotesFilter,
  ) {
    this.subscriptions = [
      ...(filter
        ? [
            filter.onDidChange(() => {
              this.limits.clear(); // a new filter lists from its first page
              this.redraw();
            }),
          ]
        : []),
      ...(presence ? [presence.onDidChange(() => this.redraw())] : []),
      controller.onDidChangeEntries((ids) => {
        const list = this.list();
        if (!list || this.shown.differs(list, ids, Date.now())) this.redraw();
      }),
      controller.onDidChangeState((s) => {
        if (s.phase !== 'running') this.redraw();
      }),
    ];
  }

  getTreeItem(node: NotesNode): vscode.TreeItem {
    // The tooltip quotes the body as of the last redraw (typing alone does not redraw). Not made on
    // hover with resolveTreeItem: in VS Code 1.100 a resolve re-registers the row's command, and a
    // click right after the hover then ran the disposed one ("Actual command not found").
    return toTreeItem(this.rowOf(node, Date.now()));
  }

  getChildren(node?: NotesNode): NotesNode[] {
    const list = this.list();
    if (!list) return []; // empty: the view shows its welcome content instead
    const now = Date.now();
    if (!node) {
      this.filter?.showCount(list.entries.length);
      const roots = notesRoots(list);
      this.shown.rootsShown(roots, now);
      return roots;
    }
    if (node.type !== 'group') return [];
    const children = this.childrenOf(list, node.group);
    this.shown.childrenShown(node.group, children, now);
    return children;
  }

  /** A group's "Show more" row was clicked: it lists GROUP_PAGE more entries. */
  showMore(group: GroupKind): void {
    this.limits.set(group, (this.limits.get(group) ?? GROUP_PAGE) + GROUP_PAGE);
    this.redraw();
  }

  private childrenOf(list: SummaryList, group: GroupKind): NotesNode[] {
    return pagedChildren(list, group, this.limits.get(group) ?? GROUP_PAGE);
  }

  getParent(node: NotesNode): NotesNode | undefined {
    if (node.type === 'group') return undefined;
    if (node.type === 'invalid') return { type: 'group', group: 'invalid', count: 0 };
    if (node.type === 'deleted') return { type: 'group', group: 'deleted', count: 0 };
    if (node.type === 'more') return { type: 'group', group: node.group, count: 0 };
    return { type: 'group', group: node.entry.state === 'draft' ? 'drafts' : 'published', count: 0 };
  }

  /** What the view lists: with a filter, its matches; else the page its groups show (only those rows are read). */
  private list(): SummaryList | undefined {
    const peer = this.controller.current;
    if (!peer) return undefined;
    const matching = this.filter?.matching();
    if (matching !== undefined) return filteredList(peer.log.summaries(), matching);
    const limit = Math.max(this.limits.get('published') ?? GROUP_PAGE, this.limits.get('drafts') ?? GROUP_PAGE);
    return peer.log.summaryPage(limit, RECENTLY_DELETED_SHOWN);
  }

  /** An entry's contents for its tooltip, when they are at hand (never loaded for a row). */
  private full(id: string): Entry | undefined {
    const log = this.controller.current?.log;
    if (!log || !isEntryId(id) || !log.atHand(id)) return undefined;
    const read = log.get(id);
    return read?.status === 'valid' ? read.entry : undefined;
  }

  private rowOf(node: NotesNode, now: number): ItemData {
    const item = notesItem(node, now, (id) => this.full(id));
    return node.type === 'entry' && this.presence ? withOpenBy(item, this.presence.openBy(node.entry.id)) : item;
  }

  private redraw(): void {
    this.shown.forget();
    this.changeEmitter.fire(undefined);
  }

  dispose(): void {
    clearInterval(this.clock);
    for (const s of this.subscriptions) s.dispose();
    this.changeEmitter.dispose();
  }
}

export function toTreeItem(data: ItemData): vscode.TreeItem {
  const state = {
    none: vscode.TreeItemCollapsibleState.None,
    expanded: vscode.TreeItemCollapsibleState.Expanded,
    collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  }[data.collapsible];
  const item = new vscode.TreeItem(data.label, state);
  item.id = data.id;
  item.description = data.description;
  item.iconPath = new vscode.ThemeIcon(data.icon);
  item.contextValue = data.contextValue;
  if (data.tooltip !== undefined) item.tooltip = new vscode.MarkdownString(data.tooltip, true);
  if (data.openEntryId !== undefined) item.command = { command: OPEN_ENTRY_COMMAND, title: 'Open', arguments: [data.openEntryId] };
  if (data.showMoreOf !== undefined) item.command = { command: SHOW_MORE_COMMAND, title: 'Show More', arguments: [data.showMoreOf] };
  return item;
}
