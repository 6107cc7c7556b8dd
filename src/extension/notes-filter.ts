/**
 * The filter on the Notes view: a search text whose matching entries (SearchIndex, so the same
 * case- and accent-insensitive rules as Search) are the only ones listed. Shown in the view's
 * description, and as its message when nothing matches; `sharedNotes.filtered` drives the menus.
 */
import * as vscode from 'vscode';
import type { EntryId } from '../core/ids.js';
import type { SpaceController } from './controller.js';
import { filterDescription } from './search-items.js';
import { oneLine, type NotesNode } from './tree-items.js';

export class NotesFilter implements vscode.Disposable {
  private text = '';
  private view: vscode.TreeView<NotesNode> | undefined;
  private readonly emitter = new vscode.EventEmitter<void>();
  /** The filter text changed: the tree lists its entries again. */
  readonly onDidChange = this.emitter.event;

  constructor(private readonly controller: SpaceController) {}

  get value(): string {
    return this.text;
  }

  /** The tree view whose description and message show the filter. */
  attach(view: vscode.TreeView<NotesNode>): void {
    this.view = view;
  }

  /** Sets the filter (an empty text clears it). */
  set(text: string): void {
    this.text = text.trim();
    void vscode.commands.executeCommand('setContext', 'sharedNotes.filtered', this.text !== '');
    if (this.text === '' && this.view) {
      this.view.description = undefined;
      this.view.message = undefined;
    }
    this.emitter.fire();
  }

  /** The ids of the entries to list, or undefined when no filter is set (or no space is open). */
  matching(): ReadonlySet<EntryId> | undefined {
    const peer = this.controller.current;
    if (this.text === '' || !peer) return undefined;
    return peer.searchIndex.matchingIds(this.text);
  }

  /** Called by the tree with the number of entries it lists under the filter. */
  showCount(shown: number): void {
    if (!this.view || this.text === '') return;
    this.view.description = filterDescription(this.text, shown);
    this.view.message = shown === 0 ? `No entry matches "${oneLine(this.text, 60)}". Clear the filter to see every entry.` : undefined;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
