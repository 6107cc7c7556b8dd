/**
 * Entries as editable markdown documents: `shared-notes:/<id>/<title>.md`, and past versions as
 * read-only ones: `shared-notes:/<id>/<title>.md?version=<change hash>`. Reading formats the entry
 * (note-document.ts) and tells LiveDocuments which version the text is; saving goes through
 * LiveDocuments, which writes only the difference from that version (never undoing others' edits).
 * Open documents are kept up to date by LiveDocuments with small edits, not by reloads: no change
 * events are fired for them, and a document's mtime is its entry's creation time, so VS Code never
 * offers to overwrite ("the content of the file is newer") someone else's words.
 */
import * as vscode from 'vscode';
import type { Entry } from '../core/entry.js';
import type { EntryId } from '../core/ids.js';
import type { SpaceController } from './controller.js';
import { SCHEME, type LiveDocuments } from './live-documents.js';
import { documentPath, entryIdOfPath, formatDocument, formatEntryDocument } from './note-document.js';
import { titleOf } from '../core/entry.js';

export { SCHEME };

export function entryUri(entry: Entry): vscode.Uri {
  return vscode.Uri.from({ scheme: SCHEME, path: documentPath({ id: entry.id, kind: entry.kind, title: titleOf(entry) }) });
}

/** A read-only document of the entry as it was right after one step of its history. */
export function versionUri(entry: Entry, hash: string, label: string): vscode.Uri {
  const name = documentPath({ id: entry.id, kind: entry.kind, title: `${titleOf(entry)} (${label})` });
  return vscode.Uri.from({ scheme: SCHEME, path: name, query: `version=${hash}` });
}

const versionOf = (uri: vscode.Uri): string | undefined => /^version=([0-9a-f]{64})$/.exec(uri.query)?.[1];

export class EntryFileSystemProvider implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changeEmitter.event;

  constructor(
    private readonly controller: SpaceController,
    private readonly live: LiveDocuments,
  ) {
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined); // changes are announced for every open document anyway
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    if (uri.path === '/' || /^\/[0-9a-f]{32}\/?$/.test(uri.path)) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    if (versionOf(uri) !== undefined) {
      const text = await this.versionText(uri);
      return { type: vscode.FileType.File, ctime: 0, mtime: 0, size: Buffer.byteLength(text), permissions: vscode.FilePermission.Readonly };
    }
    const entry = await this.entryOf(uri);
    // mtime stays the creation time: open documents are updated by LiveDocuments, never reloaded.
    return { type: vscode.FileType.File, ctime: entry.createdAt, mtime: entry.createdAt, size: Buffer.byteLength(formatEntryDocument(entry)) };
  }

  readDirectory(): [string, vscode.FileType][] {
    return []; // documents are opened from the Notes view, not browsed
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    if (versionOf(uri) !== undefined) return new TextEncoder().encode(await this.versionText(uri));
    const entry = await this.entryOf(uri);
    const text = formatEntryDocument(entry);
    this.live.recordRead(uri, text, this.controller.requirePeer().log.version(entry.id).heads);
    return new TextEncoder().encode(text);
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    if (versionOf(uri) !== undefined) throw vscode.FileSystemError.NoPermissions('a past version is read-only: use "Restore This Version" to write it back');
    await this.entryOf(uri); // a clear error when the entry is gone
    await this.live.save(uri, new TextDecoder().decode(content));
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(`${uri.path}: use "Shared Notes: Delete" to delete an entry`);
  }

  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(`${uri.path}: change the title inside the document to rename an entry`);
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }

  private async entryOf(uri: vscode.Uri): Promise<Entry> {
    const id = entryIdOfPath(uri.path) as EntryId | undefined;
    const peer = this.controller.current;
    if (!peer) throw vscode.FileSystemError.Unavailable('the space is not open');
    const read = id !== undefined ? await peer.log.read(id) : undefined;
    if (!read || read.status === 'deleted') throw vscode.FileSystemError.FileNotFound(uri);
    if (read.status === 'invalid') throw vscode.FileSystemError.Unavailable(`this entry is invalid: ${read.invalid.reason}`);
    return read.entry;
  }

  private async versionText(uri: vscode.Uri): Promise<string> {
    const id = entryIdOfPath(uri.path) as EntryId | undefined;
    const hash = versionOf(uri);
    if (id === undefined || hash === undefined) throw vscode.FileSystemError.FileNotFound(uri);
    const log = this.controller.requirePeer().log;
    await log.load([id]);
    const version = log.versionAt(id, hash);
    return formatDocument(version.kind, version.fields);
  }
}
