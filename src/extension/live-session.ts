/**
 * One open entry document kept in step with its stored entry, both ways (see live-documents.ts for
 * the whole picture): the *shadow* is what the document and the log last agreed on, typing is
 * written as the difference from it, and what arrived is brought in as small range edits.
 */
import * as vscode from 'vscode';
import type { NoteLog } from '../core/note-log.js';
import { EntryDeletedError, SharedNotesError } from '../core/errors.js';
import type { Entry } from '../core/entry.js';
import type { EntryId } from '../core/ids.js';
import type { Logger } from '../core/ports.js';
import type { Heads } from '../core/replica.js';
import { diffEdits } from '../core/text-diff.js';
import type { SpaceController } from './controller.js';
import { fieldsOf, formatEntryDocument, parseDocument } from './note-document.js';
import { oneLine } from './tree-items.js';
import { titleOf } from '../core/entry.js';

/** Typing is written and sent at once after a pause, then at most once per this many ms while it goes on. */
export const LIVE_BATCH_MS = 50;
/** A document that stays behind the stored entry this long, without typing to explain it, is held. */
const HELD_AFTER_MS = 3_000;

/** What readFile returned for a document, and the version it was. */
export interface ReadVersion {
  readonly text: string;
  readonly heads: Heads;
}

/** What a session asks of the LiveDocuments that holds it. */
export interface SessionOwner {
  readVersion(uri: string): ReadVersion | undefined;
  healthChanged(): void;
}

/** One open entry document kept in step with the stored entry, both ways. */
export class LiveSession {
  readonly uri: string;
  heldReason: string | undefined;
  title: string;
  /** The log's version when the shadow was agreed (undefined until known, or after a round
   *  whose update of the document was refused: the shadow then matches no version). */
  private base: Heads | undefined;
  /** The fields the document and the log last agreed on; what typing is measured from. */
  private shadow: Readonly<Record<string, string>> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private behindSince: number | undefined;
  private lastRunAt = 0;
  private notifiedDeleted = false;
  private disposed = false;
  /** The note log this session holds its entry in (a sharded space keeps its shard loaded). */
  private heldIn: NoteLog | undefined;
  private release: (() => void) | undefined;

  constructor(
    private readonly owner: SessionOwner,
    private readonly controller: SpaceController,
    private readonly logger: Logger,
    private readonly doc: vscode.TextDocument,
    readonly id: EntryId,
    base: Heads | undefined,
  ) {
    this.uri = doc.uri.toString();
    this.base = base;
    this.shadow = undefined;
    this.title = oneLine(decodeURIComponent(doc.uri.path.split('/').pop() ?? '').replace(/\.md$/, ''), 200);
  }

  /** The person typed: write it now after a pause, else when the batch is due (the timer is never pushed back).
   *  Our own updates come through here too; the round they cause finds nothing to do. */
  typed(): void {
    this.schedule(Math.max(0, this.lastRunAt + LIVE_BATCH_MS - Date.now()));
  }

  schedule(delayMs: number): void {
    if (this.disposed) return;
    if (this.timer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
      this.timer = undefined; // (it was left set here: every later batch and check then waited for an entries event)
    }
    if (this.running) {
      this.again = true; // the round in progress runs once more when it ends
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, delayMs);
  }

  /** Save: reconcile now and wait until what the document holds is durable. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.run();
    if (this.heldReason !== undefined) throw new SharedNotesError(`not saved: ${this.heldReason}`);
  }

  /** Periodic honesty check: a document that differs from the stored entry with nothing pending is reconciled, then held. */
  check(): void {
    if (this.running || this.timer !== undefined || this.disposed) return;
    const entry = this.entry();
    if (!entry) return;
    if (this.textFor(entry) !== this.doc.getText()) this.schedule(0);
  }

  async reload(): Promise<void> {
    await this.controller.current?.log.load([this.id]);
    const entry = this.entry();
    if (!entry) throw new SharedNotesError(this.heldReason ?? 'the entry is not available');
    const peer = this.controller.requirePeer();
    const heads = peer.log.version(this.id).heads;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(this.doc.uri, new vscode.Range(this.doc.positionAt(0), this.doc.positionAt(this.doc.getText().length)), this.textFor(entry));
    if (!(await vscode.workspace.applyEdit(edit))) throw new SharedNotesError('the editor refused the reload; try again');
    this.base = heads;
    this.shadow = fieldsOf(entry);
    this.setHeld(undefined);
    if (this.doc.isDirty) this.saveQuietly();
  }

  private saveQuietly(): void {
    this.doc.save().then(
      (saved) => {
        if (!saved) this.logger.debug(`"${this.title}" was not saved (the editor declined)`);
      },
      (err: unknown) => this.logger.warn(`saving "${this.title}" failed: ${String(err)}`),
    );
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.release?.();
    this.release = undefined;
  }

  /** Keeps the entry at hand in `log` while the document is open (its shard stays loaded). */
  private async holdIn(log: NoteLog): Promise<void> {
    if (this.heldIn === log) return;
    this.release?.();
    this.release = undefined;
    this.heldIn = log;
    const release = await log.hold(this.id);
    if (this.disposed || this.heldIn !== log) release();
    else this.release = release;
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          this.lastRunAt = Date.now();
          await this.reconcile();
        } while (this.again && !this.disposed);
      } catch (err) {
        this.logger.error(`keeping "${this.title}" up to date failed: ${String(err)}`);
        this.setHeld(err instanceof Error ? err.message : String(err));
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** One round: our typing into the log (at our version), then the log's text into the document. */
  private async reconcile(): Promise<void> {
    if (this.disposed || this.doc.isClosed) return;
    const peer = this.controller.current;
    if (!peer) return; // the space is (re)starting; the next entries event brings us back
    await this.holdIn(peer.log);
    if (this.disposed || this.doc.isClosed) return;
    const read = peer.log.get(this.id);
    if (!read || read.status !== 'valid') {
      const by = read?.status === 'deleted' ? oneLine(read.tombstone.deletedBy.name, 100) : '';
      this.setHeld(read?.status === 'deleted' ? `deleted by ${by}` : read ? `the entry is invalid (${oneLine(read.invalid.reason, 200)})` : 'the entry no longer exists');
      if (read?.status === 'deleted') this.offerRestore(by);
      return;
    }
    this.notifiedDeleted = false;
    const typed = this.doc.getText();
    if (this.shadow === undefined) {
      // The document's text came from readFile: its version is the base the shadow starts from.
      const adopted = this.owner.readVersion(this.uri);
      const then = adopted && adopted.text === typed ? peer.log.fieldsAt(this.id, adopted.heads) : undefined;
      if (then) {
        this.base = adopted?.heads;
        this.shadow = then.fields;
      }
    }

    // 1. What the person typed since the shadow, merged with what arrived since, at the heads.
    let fields: Readonly<Record<string, string>>;
    try {
      fields = parseDocument(read.entry.kind, typed);
    } catch (err) {
      this.setHeld(`${err instanceof Error ? err.message : String(err)}; it is kept here but not shared until it has that shape again`);
      return;
    }
    let durable: Promise<void> = Promise.resolve();
    let own: Heads | undefined;
    if (this.shadow !== undefined) {
      try {
        const made = peer.log.editNow(this.id, fields, { shadow: this.shadow, base: this.base });
        durable = made.durable;
        own = made.own;
      } catch (err) {
        if (err instanceof EntryDeletedError) return this.reconcile();
        throw err;
      }
    }
    // 2. What the log holds now (ours and everyone's), brought into the document as small edits.
    const entry = this.entry();
    if (!entry) return;
    this.title = titleOf(entry);
    const heads = peer.log.version(this.id).heads;
    const wanted = this.textFor(entry);
    if (wanted !== typed) {
      const version = this.doc.version;
      const edits = diffEdits(typed, wanted);
      const edit = new vscode.WorkspaceEdit();
      for (const e of edits) edit.replace(this.doc.uri, new vscode.Range(this.doc.positionAt(e.start), this.doc.positionAt(e.end)), e.text);
      let applied = false;
      try {
        // Refused when the person typed meanwhile (the edit was computed on older text): retried.
        // Accepted means VS Code applied it to exactly `typed`: the document showed `wanted` then,
        // whatever has been typed since.
        applied = this.doc.version === version && (await vscode.workspace.applyEdit(edit));
      } catch (err) {
        this.logger.debug(`an update of "${this.title}" was refused (${String(err)}); retrying`);
      }

      if (!applied) {
        // The log holds this round's typing now: the next round measures typing from it, and
        // brings in the rest (the document never showed the log at any single version).
        // base: a version whose titles are the ones this document shows — what this round wrote
        // (at our base when a title raced), else the one before. Never simply the heads: a title
        // that arrived meanwhile, which this document never showed, would count as seen and the
        // next title typed here would overwrite it instead of competing with it (a conflict).
        this.shadow = fields;
        this.base = peer.log.baseWithTitles(this.id, fields, [own, this.base]);
        this.behindSince ??= Date.now();
        if (Date.now() - this.behindSince > HELD_AFTER_MS) this.setHeld('peers’ edits could not be brought into this document; reload it to see them');
        this.schedule(LIVE_BATCH_MS);
        await durable;
        return;
      }
    }
    this.base = heads;
    this.shadow = fieldsOf(entry);
    this.behindSince = undefined;
    this.setHeld(undefined);
    await durable;
    // Everything the document shows is stored: it is saved, so "unsaved" means "typed, not yet
    // shared". Not awaited: the save comes back through writeFile to this session's queue.
    // (Saving only after a pause in typing would spare the window a save per batch, but a first
    // try left documents dirty for good in the racing-saves e2e; see docs/BENCHMARKS.md.)
    if (this.doc.isDirty && this.doc.getText() === wanted && !this.disposed) this.saveQuietly();
  }

  private entry(): Entry | undefined {
    const read = this.controller.current?.log.peek(this.id);
    return read?.status === 'valid' ? read.entry : undefined;
  }

  /** The stored entry as this document shows it (in the document's line endings). */
  private textFor(entry: Entry): string {
    const text = formatEntryDocument(entry);
    return this.doc.eol === vscode.EndOfLine.CRLF ? text.replace(/\n/g, '\r\n') : text;
  }

  private setHeld(reason: string | undefined): void {
    if (reason === this.heldReason) return;
    if (reason !== undefined) this.logger.warn(`"${this.title}" is not up to date: ${reason}`);
    else if (this.heldReason !== undefined) this.logger.info(`"${this.title}" is up to date again`);
    this.heldReason = reason;
    this.owner.healthChanged();
  }

  private offerRestore(by: string): void {
    if (this.notifiedDeleted) return;
    this.notifiedDeleted = true;
    void vscode.window
      .showWarningMessage(`"${this.title}" was deleted by ${by} while you had it open. Your text stays in this editor; restore the entry to keep working on it with everyone.`, 'Restore')
      .then(async (choice) => {
        if (choice !== 'Restore') return;
        try {
          await this.controller.mutate((log) => log.restore(this.id));
        } catch (err) {
          this.logger.error(`could not restore "${this.title}": ${String(err)}`);
          void vscode.window.showErrorMessage(`Shared Notes: could not restore "${this.title}": ${err instanceof Error ? err.message : String(err)}`);
        }
      });
  }
}
