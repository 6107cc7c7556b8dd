/** The Peers view: connected peers with their address and honest per-peer sync state. */
import * as vscode from 'vscode';
import type { SpaceController } from './controller.js';
import { toTreeItem } from './notes-tree.js';
import { peerItem, sortPeers, type PeerView } from './tree-items.js';

export class PeersTreeProvider implements vscode.TreeDataProvider<PeerView>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly controller: SpaceController) {
    this.subscription = controller.onDidChangeState(() => this.changeEmitter.fire(undefined));
  }

  getTreeItem(peer: PeerView): vscode.TreeItem {
    return toTreeItem(peerItem(peer));
  }

  getChildren(peer?: PeerView): PeerView[] {
    if (peer) return [];
    return sortPeers(this.controller.snapshot.peers);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }
}
