/** The interactive parts of commands: input boxes, quick picks and confirmations. */
import * as vscode from 'vscode';
import type { Entry, EntrySummary } from '../core/entry.js';
import { EntryNotFoundError, InvalidInputError } from '../core/errors.js';
import type { EntryId } from '../core/ids.js';
import type { NoteLog } from '../core/note-log.js';
import { relativeTime } from '../core/text.js';
import { entryIdOfPath } from './note-document.js';
import { SCHEME } from './fs-provider.js';
import { ingredientsFromInput, linesFromInput, validateInvite, validateSpaceName, validateTitle } from './inputs.js';
import { entriesMatching, PICK_MAX } from './entry-picks.js';
import { kindIcon, oneLine, type NotesNode } from './tree-items.js';

/** A command's entry argument: a tree node, an id (internal commands), or a document's URI (editor title menu). */
export function entryIdOfArgument(arg: unknown): EntryId | undefined {
  if (typeof arg === 'string') return arg as EntryId;
  if (arg instanceof vscode.Uri) return arg.scheme === SCHEME ? (entryIdOfPath(arg.path) as EntryId | undefined) : undefined;
  const node = arg as NotesNode | undefined;
  if (node?.type === 'entry') return node.entry.id;
  return undefined;
}

/** A pick among more than PICK_MAX entries: the newest PICK_MAX listed, then those matching what is typed (entry-picks.ts). */
function pickAmongMany<T extends vscode.QuickPickItem>(entries: readonly EntrySummary[], pick: (entry: EntrySummary) => T, placeHolder: string): Promise<T | undefined> {
  const quickPick = vscode.window.createQuickPick<T>();
  quickPick.placeholder = `${placeHolder}: type to find any of ${entries.length.toLocaleString('en')} (the newest ${PICK_MAX} are listed)`;
  quickPick.matchOnDescription = true;
  quickPick.matchOnDetail = true;
  const list = (typed: string) => (quickPick.items = entriesMatching(entries, typed).map(pick));
  list('');
  return new Promise((resolve) => {
    quickPick.onDidChangeValue(list);
    quickPick.onDidAccept(() => {
      resolve(quickPick.selectedItems[0]);
      quickPick.hide();
    });
    quickPick.onDidHide(() => {
      resolve(undefined);
      quickPick.dispose();
    });
    quickPick.show();
  });
}

/** The entry a command is about: its argument, else the active shared note editor, else a pick. */
export async function chooseEntry(log: NoteLog, arg: unknown, placeHolder: string, filter: (e: Entry | EntrySummary) => boolean = () => true): Promise<Entry | undefined> {
  const id = entryIdOfArgument(arg) ?? entryIdOfArgument(vscode.window.activeTextEditor?.document.uri);
  if (id !== undefined) {
    const read = await log.read(id);
    if (read?.status === 'valid' && filter(read.entry)) return read.entry;
    if (arg !== undefined) {
      if (!read || read.status === 'deleted') throw new EntryNotFoundError('that entry no longer exists');
      throw new InvalidInputError(`that entry cannot be used here (${read.status === 'valid' ? `it is ${read.entry.state === 'draft' ? 'a draft' : 'published'}` : 'it is invalid'})`);
    }
  }
  const entries = log.summaries().entries.filter(filter);
  if (entries.length === 0) {
    void vscode.window.showInformationMessage(`Shared Notes: nothing to choose from (${placeHolder.toLowerCase()}).`);
    return undefined;
  }
  const now = Date.now();
  const pick = (entry: EntrySummary) => ({
    label: `$(${kindIcon(entry.kind)}) ${oneLine(entry.title, 80)}`,
    description: `${entry.state === 'draft' ? 'draft' : 'published'} · ${oneLine(entry.author.name, 100)} · ${relativeTime(entry.updatedAt, now)}`,
    detail: entry.id,
    entry,
  });
  const picked = entries.length <= PICK_MAX ? await vscode.window.showQuickPick(entries.map(pick), { placeHolder, matchOnDescription: true }) : await pickAmongMany(entries, pick, placeHolder);
  if (!picked) return undefined;
  const read = await log.read(picked.entry.id);
  if (read?.status !== 'valid') throw new EntryNotFoundError(`"${oneLine(picked.entry.title, 80)}" no longer exists`);
  return read.entry;
}

export function askSpaceName(defaultName: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: 'Create Space',
    prompt: 'A name for the space (people you invite see it)',
    value: defaultName,
    validateInput: validateSpaceName,
    ignoreFocusOut: true,
  });
}

export function askInvite(): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: 'Join Space',
    prompt: 'Paste the invite code someone in the space gave you',
    placeHolder: 'sn1-…',
    validateInput: validateInvite,
    ignoreFocusOut: true,
  });
}

export function askNoteTitle(): Thenable<string | undefined> {
  return vscode.window.showInputBox({ title: 'Create Note', prompt: 'Title of the note', validateInput: (v) => validateTitle(v), ignoreFocusOut: true });
}

/** Three steps; Escape at any step cancels. The document opens afterwards for longer text. */
export async function askRecipe(): Promise<{ name: string; ingredients: string; instructions: string } | undefined> {
  const name = await vscode.window.showInputBox({
    title: 'Create Recipe (1/3)',
    prompt: 'Name of the recipe',
    validateInput: (v) => validateTitle(v, 'name'),
    ignoreFocusOut: true,
  });
  if (name === undefined) return undefined;
  const ingredients = await vscode.window.showInputBox({
    title: 'Create Recipe (2/3)',
    prompt: 'Ingredients, separated by ";" (you can edit them as a list afterwards)',
    placeHolder: '200 g flour; 2 eggs; a pinch of salt',
    ignoreFocusOut: true,
  });
  if (ingredients === undefined) return undefined;
  const instructions = await vscode.window.showInputBox({
    title: 'Create Recipe (3/3)',
    prompt: 'Instructions; separate steps with "|"',
    placeHolder: 'Mix everything | Rest 30 min | Bake at 180 °C for 25 min',
    ignoreFocusOut: true,
  });
  if (instructions === undefined) return undefined;
  return { name: name.trim(), ingredients: ingredientsFromInput(ingredients), instructions: linesFromInput(instructions) };
}

export async function confirm(message: string, detail: string, action: string): Promise<boolean> {
  return (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action;
}

/** The invite in a selected input box: readable and copyable even where the clipboard is not. */
export function showInvite(spaceName: string, invite: string, copied: boolean): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: `Invite to "${spaceName}"${copied ? ' (copied to the clipboard)' : ''}`,
    prompt: 'Anyone with this code can read and change the space: share it only with people you trust.',
    value: invite,
    valueSelection: [0, invite.length],
    ignoreFocusOut: true,
  });
}


/** The address or invite of an always-on peer (Add Always-on Peer). */
export async function askAlwaysOnPeer(validate: (value: string) => string | undefined): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: 'Add Always-on Peer',
    prompt: 'Paste the always-on peer\'s address (/dns4/…/tcp/4001/ws/p2p/12D3KooW…) or its invite (sn1-…), as `shared-notes serve` printed it',
    placeHolder: '/dns4/notes.example.org/tcp/4001/ws/p2p/12D3KooW…',
    validateInput: validate,
    ignoreFocusOut: true,
  });
}
