/** The Peers view: connected peers with their address and honest per-peer sync state. */
import * as vscode from 'vscode';
import type { SpaceController } from './controller.js';
import { toTreeItem } from './notes-tree.js';
import type { OpenEntries } from './presence.js';
import { peerItem, sortPeers, type PeerRow } from './tree-items.js';

export class PeersTreeProvider implements vscode.TreeDataProvider<PeerRow>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly controller: SpaceController,
    /** What each peer has open (presence); its row says so. */
    private readonly presence?: OpenEntries,
    /** Peer ids of the always-on peers the person added. */
    private readonly alwaysOn: () => ReadonlySet<string> = () => new Set(),
  ) {
    this.subscriptions = [
      controller.onDidChangeState(() => this.changeEmitter.fire(undefined)),
      ...(presence ? [presence.onDidChange(() => this.changeEmitter.fire(undefined))] : []),
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

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changeEmitter.dispose();
  }
}
