/**
 * Activation: register everything (each in context.subscriptions), then open the workspace's space
 * in the background. activate() never waits for the network or the disk.
 */
import * as vscode from 'vscode';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DISPLAY_NAME } from '../engine/defaults.js';
import { registerCommands } from './commands.js';
import { SpaceController } from './controller.js';
import { EntryFileSystemProvider, SCHEME } from './fs-provider.js';
import { LiveDocuments } from './live-documents.js';
import { LiveIndicator } from './live-indicator.js';
import { NotesFilter } from './notes-filter.js';
import { NotesTreeProvider, SHOW_MORE_COMMAND } from './notes-tree.js';
import { ErrorReporter, createOutputLogger } from './output-logger.js';
import { alwaysOnIds } from './always-on.js';
import { PeersTreeProvider } from './peers-tree.js';
import { EditorPresence } from './presence.js';
import { SECTION, readSettings } from './settings.js';
import { StatusBar } from './status-bar.js';

let controller: SpaceController | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const activatedAt = Date.now(); // the wall time of the same moment, for a benchmark that compares it with the workbench
  const channel = vscode.window.createOutputChannel('Shared Notes', { log: true });
  const logger = createOutputLogger(channel);
  const reporter = new ErrorReporter(channel, logger);
  // Workspace storage: one space per workspace. Without a folder, the global storage (one space for all such windows).
  const storage = context.storageUri ?? context.globalStorageUri;
  const settings = () => readSettings((key) => vscode.workspace.getConfiguration(SECTION).get(key), accountName());
  const ctl = (controller = new SpaceController({ dataDir: join(storage.fsPath, 'data'), logger, settings }));
  const presence = new EditorPresence(ctl);
  const filter = new NotesFilter(ctl);
  const notes = new NotesTreeProvider(ctl, presence, filter);
  const notesView = vscode.window.createTreeView('sharedNotes.notes', { treeDataProvider: notes, showCollapseAll: true, canSelectMany: true });
  filter.attach(notesView);
  const live = new LiveDocuments(ctl, logger.child('live'));

  context.subscriptions.push(
    channel,
    ctl,
    presence,
    live,
    notes,
    filter,
    notesView,
    vscode.commands.registerCommand(SHOW_MORE_COMMAND, (group: unknown) => {
      if (group === 'published' || group === 'drafts') notes.showMore(group);
    }),
    vscode.window.registerTreeDataProvider('sharedNotes.peers', new PeersTreeProvider(ctl, presence, () => alwaysOnIds(settings().alwaysOn))),
    vscode.workspace.registerFileSystemProvider(SCHEME, new EntryFileSystemProvider(ctl, live), { isCaseSensitive: true }),
    new StatusBar(ctl, live),
    new LiveIndicator(ctl),
    ...registerCommands({ controller: ctl, live, reporter, logger, channel, filter }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // The controller compares the values with what the node runs with (settingsAction).
      if (e.affectsConfiguration(SECTION)) ctl.applySettings().catch((err: unknown) => reporter.report(err, 'Applying the Shared Notes settings'));
    }),
  );
  ctl.start().then(
    // Measured from the start of activate(): the space is open and the libp2p node listens (not logged when there is no space yet).
    () => {
      if (ctl.current) logger.info(`node ready ${(performance.now() - started).toFixed(1)} ms after activation (activated at ${new Date(activatedAt).toISOString()})`);
    },
    (err: unknown) => reporter.report(err, 'Opening the space'),
  );
  logger.info(`activated in ${(performance.now() - started).toFixed(1)} ms (data in ${storage.fsPath})`);
}

/** VS Code waits for this promise: the node stops and the stores flush and release their locks. */
export function deactivate(): Promise<void> | undefined {
  const stopping = controller?.stop();
  controller = undefined;
  return stopping;
}

function accountName(): string {
  try {
    return userInfo().username;
  } catch {
    return DEFAULT_DISPLAY_NAME; // no account name (some containers)
  }
}
