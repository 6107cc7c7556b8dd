/**
 * Every command of the extension, each run through one wrapper that logs and shows a clear error.
 * Commands that act on an entry take a tree node, an id, or a document URI, and otherwise ask.
 */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { Logger } from '../core/ports.js';
import { registerCoeditCommands, warnIfConflicted } from './coedit-commands.js';
import type { SpaceController } from './controller.js';
import type { LiveDocuments } from './live-documents.js';
import { entryUri } from './fs-provider.js';
import { EntryNotFoundError, InvalidInputError } from '../core/errors.js';
import { alwaysOnAddresses, validateAlwaysOn, withAlwaysOn } from './always-on.js';
import { describeInvite, validateInvite, validateSpaceName } from './inputs.js';
import { SECTION } from './settings.js';
import { OPEN_ENTRY_COMMAND } from './notes-tree.js';
import type { ErrorReporter } from './output-logger.js';
import type { NotesFilter } from './notes-filter.js';
import { registerSearchCommands } from './search-commands.js';
import * as prompts from './prompts.js';
import { titleOf } from '../core/entry.js';

export interface CommandComponents {
  controller: SpaceController;
  live: LiveDocuments;
  reporter: ErrorReporter;
  logger: Logger;
  channel: vscode.LogOutputChannel;
  filter: NotesFilter;
}

type Handler = (...args: unknown[]) => unknown;

/**
 * Create/Join/Create Note/Create Recipe take an optional argument instead of asking (for
 * keybindings, other extensions and the extension-host tests), validated like the input boxes.
 */
function argument(value: unknown, validate: (v: string) => string | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const problem = validate(value);
  if (problem !== undefined) throw new InvalidInputError(problem);
  return value;
}

function fieldsArgument(value: unknown, names: readonly string[]): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const rec = value as Record<string, unknown>;
  return Object.fromEntries(names.map((n) => [n, typeof rec[n] === 'string' ? (rec[n] as string) : '']));
}

export function registerCommands(c: CommandComponents): vscode.Disposable[] {
  const { controller, logger } = c;
  const register = (id: string, what: string, handler: Handler) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (err) {
        c.reporter.report(err, what);
        return undefined;
      }
    });
  const log = () => controller.requirePeer().log;
  const open = async (id: string) => {
    const read = await log().read(id as never);
    if (read?.status !== 'valid') throw new EntryNotFoundError(read ? `this entry is ${read.status}` : 'this entry no longer exists');
    await vscode.window.showTextDocument(entryUri(read.entry), { preview: false });
    warnIfConflicted(log(), read.entry);
  };

  return [
    register('sharedNotes.createSpace', 'Create Space', async (arg) => {
      const name = argument(arg, validateSpaceName) ?? (await prompts.askSpaceName(vscode.workspace.name ?? 'My notes'));
      if (name === undefined) return;
      const peer = await withProgress(`Creating "${name.trim()}"…`, () => controller.createSpace(name));
      void vscode.window.showInformationMessage(`Shared Notes: created the space "${peer.space.name}". Invite people to share it.`, 'Copy Invite').then((choice) => {
        if (choice === 'Copy Invite') void vscode.commands.executeCommand('sharedNotes.copyInvite');
      });
      return { id: peer.space.id, name: peer.space.name };
    }),
    register('sharedNotes.joinSpace', 'Join Space', async (arg) => {
      const code = argument(arg, validateInvite) ?? (await prompts.askInvite());
      if (code === undefined) return;
      const peer = await withProgress(`Joining ${describeInvite(code)}…`, () => controller.join(code));
      void vscode.window.showInformationMessage(`Shared Notes: joined "${peer.space.name}". Notes arrive as soon as a peer is reachable.`);
      return { id: peer.space.id, name: peer.space.name };
    }),
    register('sharedNotes.createNote', 'Create Note', async (arg) => {
      log(); // fail before asking when there is no space
      const given = fieldsArgument(arg, ['title', 'body']);
      const title = given?.title ?? (await prompts.askNoteTitle());
      if (title === undefined) return undefined;
      const entry = await controller.mutate((l) => l.createNote({ title: title.trim(), body: given?.body ?? '' }));
      if (!given) await open(entry.id);
      return entry;
    }),
    register('sharedNotes.createRecipe', 'Create Recipe', async (arg) => {
      log();
      const given = fieldsArgument(arg, ['name', 'ingredients', 'instructions']);
      const fields = given ? { name: given.name ?? '', ingredients: given.ingredients ?? '', instructions: given.instructions ?? '' } : await prompts.askRecipe();
      if (!fields) return undefined;
      const entry = await controller.mutate((l) => l.createRecipe(fields));
      if (!given) await open(entry.id);
      return entry;
    }),
    register('sharedNotes.open', 'Open', async (arg) => {
      const entry = await prompts.chooseEntry(log(), arg, 'Choose an entry to open');
      if (entry) await open(entry.id);
    }),
    register(OPEN_ENTRY_COMMAND, 'Open', async (id) => open(String(id))),
    register('sharedNotes.publish', 'Publish', async (arg) => {
      const entry = await prompts.chooseEntry(log(), arg, 'Choose a draft to publish', (e) => e.state === 'draft');
      if (!entry) return;
      const dirty = vscode.workspace.textDocuments.find((d) => d.uri.toString() === entryUri(entry).toString() && d.isDirty);
      if (dirty) await dirty.save(); // publish what the person sees
      await controller.mutate((l) => l.publish(entry.id));
      vscode.window.setStatusBarMessage(`$(cloud-upload) Published "${titleOf(entry)}"`, 4000);
    }),
    register('sharedNotes.delete', 'Delete', async (arg) => {
      const entry = await prompts.chooseEntry(log(), arg, 'Choose an entry to delete');
      if (!entry) return;
      const title = titleOf(entry);
      const ok = await prompts.confirm(
        entry.state === 'draft' ? `Delete the draft "${title}"?` : `Delete "${title}" for everyone in the space?`,
        entry.state === 'draft'
          ? 'It was never shared; this cannot be undone.'
          : 'It disappears for every peer and moves to "Recently deleted", where anyone can restore it with what it held (edits made at the same time included).',
        'Delete',
      );
      if (!ok) return;
      await controller.mutate((l) => l.delete(entry.id));
    }),
    register('sharedNotes.copyInvite', 'Copy Invite', async () => {
      const peer = controller.requirePeer();
      const invite = peer.invite();
      let copied = true;
      try {
        await vscode.env.clipboard.writeText(invite);
      } catch (err) {
        copied = false; // no clipboard (remote or headless): the input box below still shows it
        logger.warn(`could not copy the invite to the clipboard: ${String(err)}`);
      }
      logger.info(`invite for "${peer.space.name}" ${copied ? 'copied' : 'shown'} (${peer.network.addresses().length} addresses)`);
      await prompts.showInvite(peer.space.name, invite, copied);
    }),
    register('sharedNotes.addAlwaysOnPeer', 'Add Always-on Peer', async (arg) => {
      const spaceId = controller.requirePeer().space.id;
      const input = argument(arg, (v) => validateAlwaysOn(v, spaceId)) ?? (await prompts.askAlwaysOnPeer((v) => validateAlwaysOn(v, spaceId)));
      if (input === undefined) return;
      const config = vscode.workspace.getConfiguration(SECTION);
      const added = alwaysOnAddresses(input, spaceId);
      // Per workspace (one space per workspace) when there is one; the change restarts the node,
      // which dials the stored addresses now and at every start.
      const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
      await config.update('alwaysOnPeers', withAlwaysOn(config.get<string[]>('alwaysOnPeers') ?? [], added), target);
      logger.info(`always-on peer added: ${added.join(' ')}`);
      void vscode.window.showInformationMessage(`Always-on peer added (${added.length} address${added.length === 1 ? '' : 'es'}); connecting. It shows as "always-on" in the Peers view.`);
    }),
    register('sharedNotes.leaveSpace', 'Leave Space', async () => {
      const peer = controller.requirePeer();
      const ok = await prompts.confirm(
        `Leave the space "${peer.space.name}"?`,
        'This device stops syncing it. Nothing is deleted: its data is moved aside in the extension storage, and you can join again with an invite.',
        'Leave',
      );
      if (!ok) return;
      const movedTo = await controller.leave();
      void vscode.window.showInformationMessage(`Shared Notes: left "${peer.space.name}". Its data is kept in ${basename(movedTo)}.`);
    }),
    register('sharedNotes.syncNow', 'Sync Now', () => {
      const peer = controller.requirePeer();
      const n = peer.network.summary().connected;
      peer.network.syncNow();
      vscode.window.setStatusBarMessage(n === 0 ? '$(cloud-offline) No peers connected to sync with' : `$(sync) Syncing with ${n} peer${n === 1 ? '' : 's'}…`, 4000);
    }),
    register('sharedNotes.restart', 'Restart', () => controller.restart()),
    register('sharedNotes.showLog', 'Show Log', () => c.channel.show(true)),
    ...registerCoeditCommands(register, controller, c.live),
    ...registerSearchCommands(register, { controller, filter: c.filter, channel: c.channel }),
  ];
}

function withProgress<T>(title: string, task: () => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Shared Notes: ${title}` }, task);
}
