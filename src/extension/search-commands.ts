/**
 * Search (a quick pick answering as you type, opening the entry at the match), the Notes filter,
 * and markdown export/import with a folder picker. Registered through commands.ts's wrapper.
 */
import * as vscode from 'vscode';
import type { EntryId } from '../core/ids.js';
import type { SearchHit } from '../core/search-index.js';
import type { SpaceController } from './controller.js';
import { entryUri } from './fs-provider.js';
import type { NotesFilter } from './notes-filter.js';
import { entryIdOfArgument } from './prompts.js';
import { searchItem, searchSummary, selectionOf } from './search-items.js';

type Register = (id: string, what: string, handler: (...args: unknown[]) => unknown) => vscode.Disposable;

/** Hits listed in the quick pick; the title says how many matched in all. */
const QUICK_PICK_LIMIT = 100;

export interface SearchCommandComponents {
  controller: SpaceController;
  filter: NotesFilter;
  channel: vscode.LogOutputChannel;
}

export function registerSearchCommands(register: Register, c: SearchCommandComponents): vscode.Disposable[] {
  const { controller, filter } = c;
  return [
    register('sharedNotes.search', 'Search', (arg) => search(controller, typeof arg === 'string' ? arg : '')),
    register('sharedNotes.filterNotes', 'Filter Notes', async (arg) => {
      controller.requirePeer();
      const text =
        typeof arg === 'string'
          ? arg
          : await vscode.window.showInputBox({
              title: 'Filter Notes',
              prompt: 'Show only the entries whose title, text or author has every word (empty: show all)',
              value: filter.value,
              placeHolder: 'e.g. soup leeks',
            });
      if (text !== undefined) filter.set(text);
    }),
    register('sharedNotes.clearFilter', 'Clear Filter', () => filter.set('')),
    register('sharedNotes.exportMarkdown', 'Export to Markdown', async (arg, selected) => {
      const peer = controller.requirePeer();
      const given = programmatic(arg);
      const ids = given?.ids ?? selectedIds(arg, selected);
      const folder = given?.folder ?? (await pickFolder('Export Here', ids ? `Export ${ids.length} ${ids.length === 1 ? 'entry' : 'entries'} to Markdown` : 'Export the Space to Markdown'));
      if (folder === undefined) return undefined;
      const report = await peer.exportMarkdown(folder, ids);
      const n = report.files.length;
      void vscode.window.showInformationMessage(`Shared Notes: exported ${n} ${n === 1 ? 'entry' : 'entries'} to ${folder}.`);
      return report;
    }),
    register('sharedNotes.importMarkdown', 'Import Markdown', async (arg) => {
      const peer = controller.requirePeer();
      const folder = programmatic(arg)?.folder ?? (await pickFolder('Import', 'Import a Folder of Markdown Files as Drafts'));
      if (folder === undefined) return undefined;
      // Through `mutate`: the views hear that entries changed. Progress in a notification.
      const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Shared Notes: importing markdown files' }, (progress) => {
        let shown = 0;
        return controller.mutate(() =>
          peer.importMarkdown(folder, ({ done, total }) => {
            const now = total > 0 ? (done / total) * 100 : 100;
            progress.report({ message: `${done} of ${total} files`, increment: now - shown });
            shown = now;
          }),
        );
      });
      const n = report.imported.length;
      const skipped = report.skipped.length;
      const text = `Shared Notes: imported ${n} ${n === 1 ? 'file' : 'files'} as drafts${skipped > 0 ? `; skipped ${skipped} (see the log for why)` : ''}.`;
      void (skipped > 0 ? vscode.window.showWarningMessage(text, 'Show Log') : vscode.window.showInformationMessage(text)).then((choice) => {
        if (choice === 'Show Log') c.channel.show(true);
      });
      return report;
    }),
  ];
}

/** `{ folder, ids }` given by another extension or a test instead of the pickers. */
function programmatic(arg: unknown): { folder: string; ids?: EntryId[] } | undefined {
  if (typeof arg !== 'object' || arg === null || typeof (arg as { folder?: unknown }).folder !== 'string') return undefined;
  const { folder, ids } = arg as { folder: string; ids?: unknown };
  return { folder, ...(Array.isArray(ids) ? { ids: ids.map(String) as EntryId[] } : {}) };
}

/** The entries selected in the Notes tree (a context-menu command gets the clicked node and the selection). */
function selectedIds(arg: unknown, selected: unknown): EntryId[] | undefined {
  const nodes = Array.isArray(selected) && selected.length > 0 ? selected : arg !== undefined ? [arg] : [];
  const ids = nodes.map(entryIdOfArgument).filter((id): id is EntryId => id !== undefined);
  return ids.length > 0 ? ids : undefined;
}

async function pickFolder(openLabel: string, title: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel, title });
  return picked?.[0]?.fsPath;
}

interface HitItem extends vscode.QuickPickItem {
  readonly hit: SearchHit;
}

/** The quick pick: a search on every keystroke (the index answers in milliseconds), Enter opens the entry at the match. */
async function search(controller: SpaceController, initial: string): Promise<void> {
  const peer = controller.requirePeer();
  const pick = vscode.window.createQuickPick<HitItem>();
  pick.title = 'Shared Notes: Search';
  pick.placeholder = 'Search titles, text, recipes and authors (any case, any accents)';
  pick.matchOnDescription = false;
  pick.matchOnDetail = false;
  const update = () => {
    const results = peer.searchIndex.search(pick.value, { limit: QUICK_PICK_LIMIT });
    const now = Date.now();
    // alwaysShow: the index has matched already; the quick pick's own label filter must not hide hits.
    pick.items = results.hits.map((hit) => ({ ...searchItem(hit, now), hit, alwaysShow: true }));
    pick.title = `Shared Notes: Search — ${searchSummary(pick.value, results.total, results.hits.length)}`;
  };
  const chosen = await new Promise<SearchHit | undefined>((resolve) => {
    pick.onDidChangeValue(update);
    pick.onDidAccept(() => {
      resolve(pick.selectedItems[0]?.hit ?? pick.activeItems[0]?.hit);
      pick.hide();
    });
    pick.onDidHide(() => resolve(undefined));
    pick.value = initial;
    update();
    pick.show();
  });
  pick.dispose();
  if (chosen) await openAt(controller, chosen);
}

async function openAt(controller: SpaceController, hit: SearchHit): Promise<void> {
  const read = await controller.requirePeer().log.read(hit.id);
  if (read?.status !== 'valid') {
    void vscode.window.showWarningMessage(`Shared Notes: "${hit.title}" ${read?.status === 'deleted' ? 'was deleted' : 'is no longer here'}.`);
    return;
  }
  const document = await vscode.workspace.openTextDocument(entryUri(read.entry));
  const at = selectionOf(hit, read.entry);
  const selection = at ? new vscode.Range(document.positionAt(at.start), document.positionAt(at.end)) : undefined;
  await vscode.window.showTextDocument(document, { preview: false, ...(selection ? { selection } : {}) });
}
