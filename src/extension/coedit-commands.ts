/**
 * The co-editing commands: Resolve Conflict, Restore (a deleted entry), Show History with what
 * each step changed, Open/Compare/Restore a past version, and Reload a document that could not be
 * kept up to date. Registered by commands.ts through its error-reporting wrapper.
 */
import * as vscode from 'vscode';
import type { DeletedSummary, Entry } from '../core/entry.js';
import { EntryNotFoundError, InvalidInputError } from '../core/errors.js';
import type { HistoryStep } from '../core/history-steps.js';
import type { EntryId } from '../core/ids.js';
import type { NoteLog } from '../core/note-log.js';
import { relativeTime, shortId } from '../core/text.js';
import { textDelta } from '../core/versions.js';
import type { SpaceController } from './controller.js';
import { entryUri, versionUri } from './fs-provider.js';
import { validateTitle } from './inputs.js';
import type { LiveDocuments } from './live-documents.js';
import { chooseEntry, entryIdOfArgument } from './prompts.js';
import { oneLine, type NotesNode } from './tree-items.js';
import { titleOf } from '../core/entry.js';

type Register = (id: string, what: string, handler: (...args: unknown[]) => unknown) => vscode.Disposable;

const OP_ICON: Record<HistoryStep['op'], string> = { create: 'add', edit: 'edit', publish: 'cloud-upload', delete: 'trash', restore: 'discard' };

export function registerCoeditCommands(register: Register, controller: SpaceController, live: LiveDocuments): vscode.Disposable[] {
  const log = () => controller.requirePeer().log;

  const resolveConflict = async (arg: unknown) => {
    const entry = await chooseEntry(log(), arg, 'Choose an entry whose conflict to resolve', (e) => (e.conflicts?.length ?? 0) > 0);
    if (!entry) return undefined;
    await log().historyReady();
    const conflicts = log().conflictsOf(entry.id);
    if (conflicts.length === 0) {
      void vscode.window.showInformationMessage(`Shared Notes: "${oneLine(titleOf(entry), 80)}" has no conflict any more.`);
      return undefined;
    }
    for (const conflict of conflicts) {
      const NEW = '$(edit) Write a new value…';
      const picked = await vscode.window.showQuickPick(
        [
          ...conflict.values.map((v) => ({ label: oneLine(v.value, 200), description: `by ${v.by ? oneLine(v.by.name, 100) : 'someone'}${v.shown ? ' · shown now' : ''}`, value: v.value })),
          { label: NEW, description: '', value: undefined as string | undefined },
        ],
        { title: `Resolve the ${conflict.field} of "${oneLine(titleOf(entry), 50)}"`, placeHolder: `${conflict.values.length} values were written at the same time: pick the one to keep` },
      );
      if (!picked) return undefined;
      const value =
        picked.value ??
        (await vscode.window.showInputBox({ title: `New ${conflict.field}`, value: conflict.values[0]?.value ?? '', validateInput: validateTitle, ignoreFocusOut: true }));
      if (value === undefined) return undefined;
      await controller.mutate((l) => l.resolveConflict(entry.id, conflict.field, value));
    }
    vscode.window.setStatusBarMessage(`$(check) Conflict resolved in "${titleOf(entry)}"`, 4000);
    return entry.id;
  };

  const restore = async (arg: unknown) => {
    const tombstone = await chooseDeleted(log(), arg);
    if (!tombstone) return undefined;
    const entry = await controller.mutate((l) => l.restore(tombstone.id));
    vscode.window.setStatusBarMessage(`$(discard) Restored "${titleOf(entry)}" for everyone`, 4000);
    return entry.id;
  };

  const showHistory = async (arg: unknown) => {
    const entry = await chooseEntry(log(), arg, 'Choose an entry to see its history');
    if (!entry) return;
    await log().historyReady();
    const steps = log().historyDetails(entry.id);
    const now = Date.now();
    const picked = await vscode.window.showQuickPick(
      [...steps].reverse().map((s) => ({
        label: `$(${OP_ICON[s.op]}) ${s.step}. ${s.op}${s.fields ? ` ${oneLine(s.fields.join(', '), 100)}` : ''}${s.restoredFrom ? ' (restored a version)' : ''}`,
        description: `${oneLine(s.by.name, 100)} · ${relativeTime(s.at, now)}${s.scope === 'local' ? ' · draft' : ''}`,
        detail: describeChanges(s) || `${new Date(s.at).toLocaleString()} · device ${oneLine(s.by.device, 100)}`,
        step: s,
      })),
      { title: `History of "${oneLine(titleOf(entry), 60)}"`, placeHolder: `${steps.length} step${steps.length === 1 ? '' : 's'}, newest first: pick one to open, compare or restore it`, matchOnDetail: true },
    );
    if (!picked || (picked.step.op !== 'create' && picked.step.op !== 'edit')) return;
    const action = await vscode.window.showQuickPick(['Open This Version', 'Compare with Current', 'Restore This Version'], {
      title: `Step ${picked.step.step}: ${picked.step.op} by ${oneLine(picked.step.by.name, 100)}`,
    });
    if (action === 'Open This Version') await openVersion(entry, picked.step);
    else if (action === 'Compare with Current') await compareVersion(entry, picked.step);
    else if (action === 'Restore This Version') await restoreVersion(entry.id, picked.step.hash);
  };

  const restoreVersion = async (id: EntryId, hash: string) => {
    const entry = await controller.mutate((l) => l.restoreVersion(id, hash));
    vscode.window.setStatusBarMessage(`$(discard) "${titleOf(entry)}" is back to that version (a new edit, for everyone)`, 4000);
    return entry.id;
  };

  return [
    register('sharedNotes.resolveConflict', 'Resolve Conflict', resolveConflict),
    register('sharedNotes.restore', 'Restore', restore),
    register('sharedNotes.showHistory', 'Show History', showHistory),
    register('sharedNotes.restoreVersion', 'Restore This Version', async (id, hash) => {
      if (typeof id !== 'string' || typeof hash !== 'string') throw new InvalidInputError('Restore This Version needs an entry and a version: use Show History');
      return restoreVersion(id as EntryId, hash);
    }),
    register('sharedNotes.reloadDocument', 'Reload Document', async (arg) => {
      const uri = arg instanceof vscode.Uri ? arg.toString() : (live.held()[0]?.uri ?? vscode.window.activeTextEditor?.document.uri.toString());
      const held = live.held().find((h) => h.uri === uri);
      if (!uri || !held) {
        void vscode.window.showInformationMessage('Shared Notes: every open note is up to date.');
        return;
      }
      const ok = await vscode.window.showWarningMessage(
        `Reload "${held.title}" from what is stored?`,
        { modal: true, detail: `It is not up to date: ${held.reason}. Text in it that is not stored is replaced; copy it first if you need it.` },
        'Reload',
      );
      if (ok === 'Reload') await live.reload(uri);
    }),
  ];
}

/** A warning when an entry with competing values is opened: the values, who wrote each, and the way out. */
export function warnIfConflicted(log: NoteLog, entry: Entry): void {
  if (!entry.conflicts?.length) return;
  const text = log
    .conflictsOf(entry.id)
    .map(
      (c) =>
        `its ${c.field} was set at the same time to ${c.values.map((v) => `"${oneLine(v.value, 40)}" (by ${v.by ? oneLine(v.by.name, 100) : 'someone'}${v.shown ? ', shown for now' : ''})`).join(' and ')}`,
    )
    .join('; ');
  void vscode.window
    .showWarningMessage(`"${oneLine(titleOf(entry), 40)}": ${text}. Pick one or write another.`, 'Resolve Conflict')
    .then((choice) => {
      if (choice) void vscode.commands.executeCommand('sharedNotes.resolveConflict', entry.id);
    });
}

/** "body: −"old" +"new"" for each field a step changed. */
export function describeChanges(step: HistoryStep): string {
  return step.changes
    .map((c) => {
      if (c.before === undefined) return `${c.field}: "${oneLine(c.after ?? '', 60)}"`;
      const delta = textDelta(c.before, c.after ?? '');
      const parts = [delta.removed ? `−"${oneLine(delta.removed, 40)}"` : '', delta.added ? `+"${oneLine(delta.added, 40)}"` : ''].filter(Boolean);
      return `${c.field}: ${parts.join(' ') || '(unchanged)'}`;
    })
    .join(' · ');
}

async function openVersion(entry: Entry, step: HistoryStep): Promise<void> {
  await vscode.window.showTextDocument(versionUri(entry, step.hash, `step ${step.step}`), { preview: true });
}

async function compareVersion(entry: Entry, step: HistoryStep): Promise<void> {
  await vscode.commands.executeCommand(
    'vscode.diff',
    versionUri(entry, step.hash, `step ${step.step}`),
    entryUri(entry),
    `${oneLine(titleOf(entry), 40)}: step ${step.step} (${oneLine(step.by.name, 100)}) ↔ now`,
  );
}

async function chooseDeleted(log: NoteLog, arg: unknown): Promise<DeletedSummary | undefined> {
  const node = arg as NotesNode | undefined;
  const id = node?.type === 'deleted' ? node.tombstone.id : entryIdOfArgument(arg);
  const deleted = log.summaries().deleted;
  if (id !== undefined) {
    const found = deleted.find((t) => t.id === id);
    if (!found) throw new EntryNotFoundError('that entry is not deleted');
    return found;
  }
  if (deleted.length === 0) {
    void vscode.window.showInformationMessage('Shared Notes: no deleted entry to restore.');
    return undefined;
  }
  const now = Date.now();
  const picked = await vscode.window.showQuickPick(
    [...deleted]
      .sort((a, b) => b.deletedAt - a.deletedAt)
      .map((t) => ({
        label: oneLine(t.title ?? `${t.kind} ${shortId(t.id)}`, 80),
        description: `deleted by ${oneLine(t.deletedBy.name, 100)} · ${relativeTime(t.deletedAt, now)}`,
        tombstone: t,
      })),
    { placeHolder: 'Choose a deleted entry to restore for everyone' },
  );
  return picked?.tombstone;
}
