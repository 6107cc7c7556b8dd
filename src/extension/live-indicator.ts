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
    const uri = vscode.window.activeTextEditor?.document.uri;
    const id = uri?.scheme === SCHEME ? entryIdOfPath(uri.path) : undefined;
    const read = id !== undefined ? this.controller.current?.log.get(id as EntryId) : undefined;
    if (!uri || read?.status !== 'valid') {
      this.item.hide();
      return;
    }
    if (uri.query !== '') {
      this.item.text = '$(history) Past version · read-only';
      this.item.tooltip = 'A past version of this entry. Use Show History → Restore This Version to write it back as a new edit.';
    } else if (read.entry.state === 'published') {
      this.item.text = '$(broadcast) Live';
      this.item.tooltip = new vscode.MarkdownString(
        '**Live co-editing.** What you type reaches the other members within a fraction of a second, and their edits appear here as they type. ' +
          'It is saved as you go: the unsaved dot only means "typed, not shared yet". Save (Ctrl+S) shares and stores at once; it never undoes anyone else’s edits.',
      );
    } else {
      this.item.text = '$(lock) Draft · private';
      this.item.tooltip = new vscode.MarkdownString('**Private draft.** What you type is kept on this device as you go and never sent. Publish it to share it.');
    }
    this.item.show();
  }
}
