/**
 * Entries as editable markdown documents: `shared-notes:/<id>/<title>.md`. Reading formats the
 * entry (note-document.ts); saving parses it back and edits only the changed fields. When an entry
 * changes here or at a peer, open documents get a change event: VS Code reloads an unmodified one,
 * and a modified one gets its usual "file is newer" conflict on save instead of silently losing an edit.
 */
import * as vscode from 'vscode';
import type { Entry } from '../core/entry.js';
import type { EntryId } from '../core/ids.js';
import type { EntriesChange, SpaceController } from './controller.js';
import { changedFields, documentPath, entryIdOfPath, fieldsOf, formatEntryDocument, parseDocument } from './note-document.js';
import { entryTitle } from './tree-items.js';

export const SCHEME = 'shared-notes';

export function entryUri(entry: Entry): vscode.Uri {
  return vscode.Uri.from({ scheme: SCHEME, path: documentPath({ id: entry.id, kind: entry.kind, title: entryTitle(entry) }) });
}

export class EntryFileSystemProvider implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changeEmitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly controller: SpaceController) {
    this.subscription = controller.onDidChangeEntries((ids) => this.announce(ids));
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined); // changes are announced for every open document anyway
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    if (uri.path === '/' || /^\/[0-9a-f]{32}\/?$/.test(uri.path)) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    const entry = this.entryOf(uri);
    return { type: vscode.FileType.File, ctime: entry.createdAt, mtime: entry.updatedAt, size: Buffer.byteLength(formatEntryDocument(entry)) };
  }

  readDirectory(): [string, vscode.FileType][] {
    return []; // documents are opened from the Notes view, not browsed
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  readFile(uri: vscode.Uri): Uint8Array {
    return new TextEncoder().encode(formatEntryDocument(this.entryOf(uri)));
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const entry = this.entryOf(uri);
    const edited = parseDocument(entry.kind, new TextDecoder().decode(content));
    const changed = changedFields(entry.kind, fieldsOf(entry), edited);
    if (Object.keys(changed).length === 0) return;
    await this.controller.mutate((log) => log.edit(entry.id, changed), [entry.id]);
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(`${uri.path}: use "Shared Notes: Delete" to delete an entry`);
  }

  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(`${uri.path}: change the title inside the document to rename an entry`);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }

  private entryOf(uri: vscode.Uri): Entry {
    const id = entryIdOfPath(uri.path) as EntryId | undefined;
    const peer = this.controller.current;
    if (!peer) throw vscode.FileSystemError.Unavailable('the space is not open');
    const read = id !== undefined ? peer.log.get(id) : undefined;
    if (!read || read.status === 'deleted') throw vscode.FileSystemError.FileNotFound(uri);
    if (read.status === 'invalid') throw vscode.FileSystemError.Unavailable(`this entry is invalid: ${read.invalid.reason}`);
    return read.entry;
  }

  /** Tells VS Code which open documents changed (or were deleted). */
  private announce(ids: EntriesChange): void {
    const wanted = ids ? new Set<string>(ids) : undefined;
    const events: vscode.FileChangeEvent[] = [];
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme !== SCHEME) continue;
      const id = entryIdOfPath(doc.uri.path);
      if (id === undefined || (wanted && !wanted.has(id))) continue;
      const read = this.controller.current?.log.get(id as EntryId);
      const gone = !read || read.status !== 'valid';
      events.push({ type: gone ? vscode.FileChangeType.Deleted : vscode.FileChangeType.Changed, uri: doc.uri });
    }
    if (events.length > 0) this.changeEmitter.fire(events);
  }
}
