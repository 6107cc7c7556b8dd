/** The Peers view: connected peers with their address and honest per-peer sync state. */
import * as vscode from 'vscode';
import type { SpaceController } from './controller.js';
import { toTreeItem } from './notes-tree.js';
import type { OpenEntries } from './presence.js';
import { peerItem, sortPeers, type PeerRow } from './tree-items.js';

const TOOLTIP_REFRESH_MS = 30_000;

export class PeersTreeProvider implements vscode.TreeDataProvider<PeerRow>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly subscriptions: vscode.Disposable[];
  /** What the rows showed at the last refresh (labels, descriptions, icons; not the tooltips' relative times). */
  private shown = '';
  /** Tooltips say "synced 2 min ago": refreshed now and then even when nothing else changes. */
  private readonly clock = setInterval(() => this.changeEmitter.fire(undefined), TOOLTIP_REFRESH_MS);

  constructor(
    private readonly controller: SpaceController,
    /** What each peer has open (presence); its row says so. */
    private readonly presence?: OpenEntries,
    /** Peer ids of the always-on peers the person added. */
    private readonly alwaysOn: () => ReadonlySet<string> = () => new Set(),
  ) {
    this.subscriptions = [
      // State events come with every sync message's progress; the view is redrawn (and shows its
      // progress bar) only when a row would look different.
      controller.onDidChangeState(() => this.refreshIfChanged()),
      ...(presence ? [presence.onDidChange(() => this.refreshIfChanged())] : []),
    ];
  }

  getTreeItem(peer: PeerRow): vscode.TreeItem {
    return toTreeItem(peerItem(peer, Date.now(), this.presence?.openEntryOf(peer.peerId)));
  }

  getChildren(peer?: PeerRow): PeerRow[] {
    if (peer) return [];
    const alwaysOn = this.alwaysOn();
    return sortPeers(this.controller.snapshot.peers).map((p) => (alwaysOn.has(p.peerId) ? { ...p, alwaysOn: true } : p));
  }

  private refreshIfChanged(): void {
    const now = Date.now();
    const rows = this.getChildren().map((p) => {
      const { tooltip: _tooltip, ...shown } = peerItem(p, now, this.presence?.openEntryOf(p.peerId));
      return shown;
    });
    const key = JSON.stringify(rows);
    if (key === this.shown) return;
    this.shown = key;
    this.changeEmitter.fire(undefined);
  }

  dispose(): void {
    clearInterval(this.clock);
    for (const s of this.subscriptions) s.dispose();
    this.changeEmitter.dispose();
  }
}
