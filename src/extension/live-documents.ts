/**
 * Live co-editing of open entry documents. Each open `shared-notes:` document has a LiveSession
 * that remembers the *shadow*: the fields the document and the log last agreed on (and the log's
 * version then). What a person types is written at once (then at most every LIVE_BATCH_MS while
 * typing goes on) as the difference from the shadow, merged three ways with whatever arrived
 * meanwhile (NoteLog.editNow), and reaches peers at once (drafts: the local log only).
 * What peers write is brought into the open document as the smallest range edits (text-diff.ts),
 * so the cursor, selection and undo history of the person typing stay where they are.
 *
 * Save: typing is already shared and stored; a document whose text is all stored is saved
 * automatically so that the unsaved marker only ever means "typed, not yet shared". Ctrl+S
 * shares and stores at once. Neither ever undoes anyone's edit: both write only the difference
 * between the document's version and its text.
 *
 * A document that cannot be brought up to date (its text no longer has the shape of a note, the
 * entry was deleted, edits keep failing) is "held": the status bar says so instead of "In sync",
 * and Reload or Restore is offered.
 */
import * as vscode from 'vscode';
import { SharedNotesError } from '../core/errors.js';
import type { EntryId } from '../core/ids.js';
import type { Logger } from '../core/ports.js';
import type { Heads } from '../core/replica.js';
import type { EntriesChange, SpaceController } from './controller.js';
import { LiveSession, type ReadVersion, type SessionOwner } from './live-session.js';
import { entryIdOfPath, parseDocument } from './note-document.js';

export const SCHEME = 'shared-notes';
/** How often open documents are checked against the stored entry (the "In sync" promise). */
const CHECK_EVERY_MS = 2_000;

/** An open document that is not up to date with its stored entry, and why. */
export interface HeldDocument {
  readonly uri: string;
  readonly title: string;
  readonly reason: string;
}

export class LiveDocuments implements vscode.Disposable, SessionOwner {
  private readonly sessions = new Map<string, LiveSession>();
  /** What readFile last returned per document, and the version it was: the base of a new session. */
  private readonly reads = new Map<string, ReadVersion>();
  private readonly healthEmitter = new vscode.EventEmitter<readonly HeldDocument[]>();
  /** The set of held documents changed. */
  readonly onDidChangeHealth = this.healthEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly checkTimer: ReturnType<typeof setInterval>;
  private lastHealth = '';

  constructor(
    private readonly controller: SpaceController,
    private readonly logger: Logger,
  ) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((doc) => this.track(doc)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.untrack(doc)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.sessions.get(e.document.uri.toString())?.typed();
      }),
      controller.onDidChangeEntriesNow((ids) => this.entriesChanged(ids)),
      vscode.window.tabGroups.onDidChangeTabs(() => this.healthChanged()),
      this.healthEmitter,
    );
    for (const doc of vscode.workspace.textDocuments) this.track(doc);
    this.checkTimer = setInterval(() => this.check(), CHECK_EVERY_MS);
  }

  /** readFile tells us which version the text it returned is, so a session starts from it. */
  recordRead(uri: vscode.Uri, text: string, heads: Heads): void {
    this.reads.set(uri.toString(), { text, heads });
  }

  readVersion(uri: string): ReadVersion | undefined {
    return this.reads.get(uri);
  }

  /** Save: writes what is not stored yet (as the difference from the document's version) and waits until it is durable. */
  async save(uri: vscode.Uri, content: string): Promise<void> {
    const session = this.sessions.get(uri.toString());
    if (session) {
      await session.flush();
      return;
    }
    // A save without an open session (another extension writing the file): merge from the version it read.
    const peer = this.controller.requirePeer();
    const id = entryIdOfPath(uri.path) as EntryId | undefined;
    const read = id !== undefined ? await peer.log.read(id) : undefined;
    if (!id || read?.status !== 'valid') throw vscode.FileSystemError.FileNotFound(uri);
    await this.controller.mutate((log) => log.edit(id, parseDocument(read.entry.kind, content), this.reads.get(uri.toString())?.heads));
  }

  /** Held documents that are open in a tab (VS Code keeps a closed tab's document for a while). */
  held(): HeldDocument[] {
    const inTabs = new Set<string>();
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) if (tab.input instanceof vscode.TabInputText) inTabs.add(tab.input.uri.toString());
    }
    const out: HeldDocument[] = [];
    for (const session of this.sessions.values()) {
      if (session.heldReason !== undefined && inTabs.has(session.uri)) out.push({ uri: session.uri, title: session.title, reason: session.heldReason });
    }
    return out;
  }

  /** Replaces a held document's text with the stored entry (after the person agreed). */
  async reload(uri: string): Promise<void> {
    const session = this.sessions.get(uri);
    if (!session) throw new SharedNotesError('that document is not open');
    await session.reload();
  }

  /** Called by a session whose health changed. */
  healthChanged(): void {
    const held = this.held();
    const key = JSON.stringify(held);
    if (key === this.lastHealth) return;
    this.lastHealth = key;
    this.healthEmitter.fire(held);
  }

  dispose(): void {
    clearInterval(this.checkTimer);
    for (const session of this.sessions.values()) session.dispose();
    this.sessions.clear();
    for (const d of this.disposables) d.dispose();
  }

  private track(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== SCHEME || doc.uri.query !== '' || this.sessions.has(doc.uri.toString())) return;
    const id = entryIdOfPath(doc.uri.path) as EntryId | undefined;
    if (id === undefined) return;
    const read = this.reads.get(doc.uri.toString());
    // The text VS Code shows came from readFile; without a record of it (should not happen) the
    // first reconcile treats the stored entry as the base, which only brings remote text in.
    const session = new LiveSession(this, this.controller, this.logger, doc, id, read?.text === doc.getText() ? read.heads : undefined);
    this.sessions.set(doc.uri.toString(), session);
    session.schedule(0);
  }

  private untrack(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    this.sessions.get(key)?.dispose();
    this.sessions.delete(key);
    this.reads.delete(key);
    this.healthChanged();
  }

  private entriesChanged(ids: EntriesChange): void {
    const wanted = ids ? new Set<string>(ids) : undefined;
    for (const session of this.sessions.values()) if (!wanted || wanted.has(session.id)) session.schedule(0);
  }

  private check(): void {
    for (const session of this.sessions.values()) session.check();
  }
}
