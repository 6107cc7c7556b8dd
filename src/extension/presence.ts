/**
 * Presence in VS Code: tells the space which shared entry this window shows and where its
 * cursors are, and draws the other members' cursors and selections in every visible editor of
 * the entry they have open. Which member has what open also reaches the Notes and Peers trees
 * (openBy, openTitle), refreshed only when that changes.
 */
import * as vscode from 'vscode';
import type { EntryId } from '../core/ids.js';
import type { LocalPresence } from '../engine/types.js';
import type { SpaceController } from './controller.js';
import { SCHEME } from './fs-provider.js';
import { entryIdOfPath } from './note-document.js';
import { LABEL_TEXT_COLOR, openBy, openKey, peerColor, presenceLabel, selectionRanges, withAlpha, type PresenceView } from './presence-model.js';

/** Trees refresh at most this often for presence (cursor moves do not refresh them at all). */
const TREE_REFRESH_MS = 250;
const MAX_LOCAL_SELECTIONS = 20;

/** What the trees read: who has an entry open, what a peer has open. */
export interface OpenEntries {
  readonly onDidChange: vscode.Event<void>;
  /** Labels of the members that have this entry open. */
  openBy(entryId: string): string[];
  /** The entry a peer has open: its title, or undefined when that entry is not here (yet). */
  openEntryOf(peerId: string): { title: string | undefined } | undefined;
}

interface PeerDecorations {
  readonly label: string;
  readonly cursor: vscode.TextEditorDecorationType;
  readonly selection: vscode.TextEditorDecorationType;
}

export class EditorPresence implements OpenEntries, vscode.Disposable {
  private readonly openEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.openEmitter.event;
  private readonly subscriptions: vscode.Disposable[];
  private readonly decorations = new Map<string, PeerDecorations>();
  /** What each peer's decorations show in each editor (cursor and selection offsets), as last set. */
  private readonly rendered = new WeakMap<PeerDecorations, WeakMap<vscode.TextEditor, string>>();
  private lastOpenKey = '';
  private treeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly controller: SpaceController) {
    const { window, workspace } = vscode;
    this.subscriptions = [
      window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor.document.uri.scheme === SCHEME) this.sendLocal();
      }),
      window.onDidChangeVisibleTextEditors(() => {
        this.sendLocal();
        this.render();
      }),
      window.onDidChangeActiveTextEditor(() => this.sendLocal()),
      workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme === SCHEME) this.render(); // offsets are clamped to the new length
      }),
      controller.onDidChangePresence(() => {
        this.render();
        this.scheduleTrees();
      }),
      // A (re)started node knows nothing of our editors yet; a stopped one takes its presence along.
      controller.onDidChangeState(() => {
        this.sendLocal();
        this.render();
        this.scheduleTrees();
      }),
      // A draft that was published becomes worth announcing.
      controller.onDidChangeEntries(() => this.sendLocal()),
    ];
    this.sendLocal();
  }

  openBy(entryId: string): string[] {
    return openBy(this.list(), entryId);
  }

  openEntryOf(peerId: string): { title: string | undefined } | undefined {
    const p = this.list().find((x) => x.peerId === peerId);
    if (!p) return undefined;
    return { title: this.controller.current?.log.listed(p.entry as EntryId)?.title };
  }

  dispose(): void {
    clearTimeout(this.treeTimer);
    for (const s of this.subscriptions) s.dispose();
    for (const d of this.decorations.values()) disposeDecorations(d);
    this.decorations.clear();
    this.openEmitter.dispose();
  }

  private list(): PresenceView[] {
    return this.controller.current?.network.presence() ?? [];
  }

  /** Our presence: the active shared entry editor, else the first visible one; none when no such editor is visible. */
  private sendLocal(): void {
    const peer = this.controller.current;
    if (!peer) return;
    peer.network.setPresence(this.localPresence());
  }

  private localPresence(): LocalPresence | undefined {
    const active = vscode.window.activeTextEditor;
    const candidates = [...(active ? [active] : []), ...vscode.window.visibleTextEditors];
    for (const editor of candidates) {
      const entry = entryOf(editor);
      if (entry === undefined) continue;
      // Drafts stay on this device: saying one is open would only send an id nobody else knows.
      if (this.controller.current?.log.listed(entry)?.state !== 'published') continue;
      const doc = editor.document;
      const selections = editor.selections.slice(0, MAX_LOCAL_SELECTIONS).map((s) => ({ anchor: doc.offsetAt(s.anchor), active: doc.offsetAt(s.active) }));
      return { entry, selections };
    }
    return undefined;
  }

  /** Every visible shared editor gets each present peer's decorations (empty where that peer is elsewhere). */
  private render(): void {
    const list = this.list();
    const present = new Set(list.map((p) => p.peerId));
    for (const [peerId, d] of this.decorations) {
      if (present.has(peerId)) continue;
      disposeDecorations(d); // removes them from every editor
      this.decorations.delete(peerId);
    }
    const editors = vscode.window.visibleTextEditors.filter((e) => entryOf(e) !== undefined);
    for (const p of list) {
      const d = this.decorationsOf(p);
      for (const editor of editors) {
        const doc = editor.document;
        const inEntry = entryOf(editor) === p.entry;
        const length = doc.offsetAt(doc.lineAt(doc.lineCount - 1).range.end);
        const { cursors, ranges } = selectionRanges(inEntry ? p.selections : [], length);
        // Renders come with every keystroke and sync message; each setDecorations makes the window
        // redraw the editor, so only a change goes out (the editor itself moves decorations with edits).
        const key = JSON.stringify([cursors, ranges]);
        const rendered = this.rendered.get(d) ?? new WeakMap<vscode.TextEditor, string>();
        this.rendered.set(d, rendered);
        if (rendered.get(editor) === key) continue;
        rendered.set(editor, key);
        const hoverMessage = new vscode.MarkdownString().appendText(`${presenceLabel(p)} is here`);
        editor.setDecorations(d.cursor, cursors.map((offset) => ({ range: new vscode.Range(doc.positionAt(offset), doc.positionAt(offset)), hoverMessage })));
        editor.setDecorations(d.selection, ranges.map(([start, end]) => new vscode.Range(doc.positionAt(start), doc.positionAt(end))));
      }
    }
  }

  /** One pair of decoration types per peer; made again when its label changes (the label is part of the type). */
  private decorationsOf(p: PresenceView): PeerDecorations {
    const label = presenceLabel(p);
    const existing = this.decorations.get(p.peerId);
    if (existing?.label === label) return existing;
    if (existing) disposeDecorations(existing);
    const color = peerColor(p.peerId);
    const made: PeerDecorations = {
      label,
      cursor: vscode.window.createTextEditorDecorationType({
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
        overviewRulerColor: color,
        overviewRulerLane: vscode.OverviewRulerLane.Center,
        // The thin bar is the cursor (an empty box: its left and right borders, 2 px together, taking
        // no room); the name 1 px after it says whose cursor it is.
        before: { contentText: '\u200b', border: `1px solid ${color}`, margin: '0 -2px 0 0' },
        after: { contentText: label, color: LABEL_TEXT_COLOR, backgroundColor: withAlpha(color, 0xcc), fontWeight: 'normal', fontStyle: 'normal', margin: '0 0 0 3px' },
      }),
      selection: vscode.window.createTextEditorDecorationType({
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
        backgroundColor: withAlpha(color, 0x40),
      }),
    };
    this.decorations.set(p.peerId, made);
    return made;
  }

  /** The trees show who has what open: refresh them when that changes, at most every TREE_REFRESH_MS. */
  private scheduleTrees(): void {
    if (this.treeTimer) return;
    this.treeTimer = setTimeout(() => {
      this.treeTimer = undefined;
      const key = openKey(this.list());
      if (key === this.lastOpenKey) return;
      this.lastOpenKey = key;
      this.openEmitter.fire();
    }, TREE_REFRESH_MS);
  }
}

function entryOf(editor: vscode.TextEditor): EntryId | undefined {
  const uri = editor.document.uri;
  return uri.scheme === SCHEME ? (entryIdOfPath(uri.path) as EntryId | undefined) : undefined;
}

function disposeDecorations(d: PeerDecorations): void {
  d.cursor.dispose();
  d.selection.dispose();
}
