/**
 * A status bar item shown while an entry document is the active editor: it says that typing is
 * shared live (published entries) or kept on this device (drafts), and what Save means.
 */
import * as vscode from 'vscode';
import type { EntryId } from '../core/ids.js';
import type { SpaceController } from './controller.js';
import { SCHEME } from './live-documents.js';
import { entryIdOfPath } from './note-document.js';

export class LiveIndicator implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('sharedNotes.live', vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[];
  /** What the item shows, as last set ('' before the first render). */
  private shown = '';

  constructor(private readonly controller: SpaceController) {
    this.item.name = 'Shared Notes: live editing';
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      controller.onDidChangeEntries(() => this.render()),
      controller.onDidChangeState(() => this.render()),
    ];
    this.render();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }

  private render(): void {
    const look = this.look();
    // Entries change with every keystroke: only a change in what the item shows goes to the window.
    const key = JSON.stringify(look ?? null);
    if (key === this.shown) return;
    this.shown = key;
    if (!look) {
      this.item.hide();
      return;
    }
    this.item.text = look.text;
    this.item.tooltip = look.markdown ? new vscode.MarkdownString(look.tooltip) : look.tooltip;
    this.item.show();
  }

  /** What the item shows for the active editor, or undefined when it is hidden. */
  private look(): { text: string; tooltip: string; markdown: boolean } | undefined {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const id = uri?.scheme === SCHEME ? entryIdOfPath(uri.path) : undefined;
    const read = id !== undefined ? this.controller.current?.log.peek(id as EntryId) : undefined;
    if (!uri || read?.status !== 'valid') return undefined;
    if (uri.query !== '') {
      return {
        text: '$(history) Past version · read-only',
        tooltip: 'A past version of this entry. Use Show History → Restore This Version to write it back as a new edit.',
        markdown: false,
      };
    }
    if (read.entry.state === 'published') {
      return {
        text: '$(broadcast) Live',
        tooltip:
          '**Live co-editing.** What you type reaches the other members within a fraction of a second, and their edits appear here as they type. ' +
          'It is saved as you go: the unsaved dot only means "typed, not shared yet". Save (Ctrl+S) shares and stores at once; it never undoes anyone else’s edits.',
        markdown: true,
      };
    }
    return { text: '$(lock) Draft · private', tooltip: '**Private draft.** What you type is kept on this device as you go and never sent. Publish it to share it.', markdown: true };
  }
}
