import assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'shared-notes.shared-notes';

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface CreatedEntry {
  id: string;
  title: string;
}

let noteId = '';

export const tests: Array<[string, () => Promise<void>]> = [
  [
    'activates on startup and registers every contributed command',
    async () => {
      const ext = await waitFor('the extension', () => vscode.extensions.getExtension(EXTENSION_ID));
      await ext.activate();
      assert.equal(ext.isActive, true);
      const contributed = (ext.packageJSON.contributes.commands as Array<{ command: string }>).map((c) => c.command);
      const registered = new Set(await vscode.commands.getCommands(true));
      assert.deepEqual(contributed.filter((c) => !registered.has(c)), []);
    },
  ],
  [
    'creates a space and a note, which opens as a markdown document',
    async () => {
      const space = await vscode.commands.executeCommand<{ name: string } | undefined>('sharedNotes.createSpace', 'Extension host test');
      assert.equal(space?.name, 'Extension host test');
      const entry = await vscode.commands.executeCommand<CreatedEntry | undefined>('sharedNotes.createNote', { title: 'Hello', body: 'World' });
      assert.ok(entry, 'createNote returned the entry');
      noteId = entry.id;
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(`shared-notes:/${noteId}/Hello.md`));
      assert.equal(doc.languageId, 'markdown');
      assert.equal(doc.getText(), '# Hello\n\nWorld\n');
    },
  ],
  [
    'saving the document edits the entry; a malformed document is refused',
    async () => {
      const uri = vscode.Uri.parse(`shared-notes:/${noteId}/Hello.md`);
      const doc = await vscode.workspace.openTextDocument(uri);
      const edit = new vscode.WorkspaceEdit();
      edit.replace(uri, new vscode.Range(0, 0, doc.lineCount, 0), '# Hello again\n\nWorld, edited\n');
      assert.equal(await vscode.workspace.applyEdit(edit), true);
      assert.equal(await doc.save(), true);
      const stored = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      assert.equal(stored, '# Hello again\n\nWorld, edited\n');
      await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('no title line'))));
    },
  ],
  [
    'publishes the draft (same id) and keeps it readable',
    async () => {
      await vscode.commands.executeCommand('sharedNotes.publish', noteId);
      const stat = await vscode.workspace.fs.stat(vscode.Uri.parse(`shared-notes:/${noteId}/Hello.md`));
      assert.equal(stat.type, vscode.FileType.File);
      await vscode.commands.executeCommand('sharedNotes.syncNow');
    },
  ],
  [
    'an unknown entry is not found',
    async () => {
      await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(vscode.Uri.parse('shared-notes:/00000000000000000000000000000000/x.md'))), /not ?found/i);
    },
  ],
];
