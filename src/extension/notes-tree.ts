/** The Notes view: Published / Drafts (/ Recently deleted / Invalid) groups over the note log, refreshed on every change. */
import * as vscode from 'vscode';
import type { SpaceController } from './controller.js';
import type { NotesFilter } from './notes-filter.js';
import { filteredList } from './search-items.js';
import type { OpenEntries } from './presence.js';
import { groupChildren, notesItem, notesRoots, withOpenBy, type ItemData, type NotesNode } from './tree-items.js';

export const OPEN_ENTRY_COMMAND = 'sharedNotes.openEntry';

export class NotesTreeProvider implements vscode.TreeDataProvider<NotesNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<NotesNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly subscriptions: vscode.Disposable[];
  /** Relative times ("2 min ago") age: refresh them now and then even when nothing changes. */
  private readonly clock = setInterval(() => this.changeEmitter.fire(undefined), 60_000);

  constructor(
    private readonly controller: SpaceController,
    /** Who has which entry open (presence); rows of those entries say so. */
    private readonly presence?: OpenEntries,
    /** A search text restricting the entries listed (Filter Notes). */
    private readonly filter?: NotesFilter,
  ) {
    this.subscriptions = [
      ...(filter ? [filter.onDidChange(() => this.changeEmitter.fire(undefined))] : []),
      ...(presence ? [presence.onDidChange(() => this.changeEmitter.fire(undefined))] : []),
      controller.onDidChangeEntries(() => this.changeEmitter.fire(undefined)),
      controller.onDidChangeState((s) => {
        if (s.phase !== 'running') this.changeEmitter.fire(undefined);
      }),
    ];
  }

  getTreeItem(node: NotesNode): vscode.TreeItem {
    const item = notesItem(node);
    return toTreeItem(node.type === 'entry' && this.presence ? withOpenBy(item, this.presence.openBy(node.entry.id)) : item);
  }

  getChildren(node?: NotesNode): NotesNode[] {
    const peer = this.controller.current;
    if (!peer) return []; // empty: the view shows its welcome content instead
    const list = filteredList(peer.log.list(), this.filter?.matching());
    if (!node) {
      this.filter?.showCount(list.entries.length);
      return notesRoots(list);
    }
    return node.type === 'group' ? groupChildren(list, node.group) : [];
  }

  getParent(node: NotesNode): NotesNode | undefined {
    if (node.type === 'group') return undefined;
    if (node.type === 'invalid') return { type: 'group', group: 'invalid', count: 0 };
    if (node.type === 'deleted') return { type: 'group', group: 'deleted', count: 0 };
    return { type: 'group', group: node.entry.state === 'draft' ? 'drafts' : 'published', count: 0 };
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
  return item;
}
