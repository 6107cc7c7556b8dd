import type { SyncProgress } from '../core/sync-session.js';
import type { ConnectionKind } from './addresses.js';
import type { PeerSyncView } from './sync-coordinator.js';

export type PeerState = 'connecting' | 'syncing' | 'in-sync' | 'behind';

/** One peer as the front ends show it (`peer` lines in the CLI, the tree in VS Code). */
export interface PeerStatus {
  peerId: string;
  /** The display name the peer announced (hello protocol), cleaned; before it does in this run, the
   *  name it announced last time (peers.json); absent when it never did. */
  name?: string;
  /** The device id it announced: the author id on its entries (`show`, `history`). */
  device?: string;
  addrs: string[];
  connected: boolean;
  /** How we are connected (the best of our open connections to it); absent while not connected. */
  via?: ConnectionKind;
  /**
   * connecting: not connected (redial pending), or connected and no sync finished yet;
   * syncing: a catch-up session runs; in-sync: the peer's last announced heads equal ours;
   * behind: connected, last sync finished, but the heads differ (e.g. changes since).
   */
  state: PeerState;
  progress?: SyncProgress;
  lastSyncAt?: number;
  /** Malformed messages received from this peer (present when > 0). */
  strikes?: number;
  /** Set while the peer is blocked for sending bad data: no dials, no connections. */
  blockedUntil?: number;
}

export interface SpaceSummary {
  connected: number;
  inSync: number;
  syncing: number;
}

export interface PeerFacts {
  peerId: string;
  name: string | undefined;
  device?: string | undefined;
  addrs: string[];
  connected: boolean;
  via: ConnectionKind | undefined;
  strikes: number;
  blockedUntil: number | undefined;
  sync: PeerSyncView;
}

/** The status is a pure projection of what the peer book and the sync coordinator know. */
export function peerStatus(f: PeerFacts): PeerStatus {
  let state: PeerState = 'connecting';
  if (f.connected) {
    if (f.sync.running) state = 'syncing';
    else if (f.sync.last) state = f.sync.last.inSync() ? 'in-sync' : 'behind';
  }
  const status: PeerStatus = { peerId: f.peerId, addrs: f.addrs, connected: f.connected, state };
  if (f.name !== undefined) status.name = f.name;
  if (f.connected && f.via !== undefined) status.via = f.via;
  if (f.device !== undefined) status.device = f.device;
  if (f.sync.progress) status.progress = f.sync.progress;
  if (f.sync.lastSyncAt !== undefined) status.lastSyncAt = f.sync.lastSyncAt;
  if (f.strikes > 0) status.strikes = f.strikes;
  if (f.blockedUntil !== undefined) status.blockedUntil = f.blockedUntil;
  return status;
}

export function summarize(peers: readonly PeerStatus[]): SpaceSummary {
  let connected = 0;
  let inSync = 0;
  let syncing = 0;
  for (const p of peers) {
    if (!p.connected) continue;
    connected++;
    if (p.state === 'in-sync') inSync++;
    if (p.state === 'syncing') syncing++;
  }
  return { connected, inSync, syncing };
}

/** What changes a peer's line: used to emit `peer` events only when something is new. */
export function statusKey(s: PeerStatus): string {
  const p = s.progress;
  const progress = s.state === 'syncing' && p ? `${p.messagesIn}/${p.messagesOut}/${p.bytesIn}/${p.bytesOut}` : '';
  return `${JSON.stringify(s.name ?? '')}|${s.device ?? ''}|${s.connected}|${s.via ?? ''}|${s.state}|${s.addrs.join(',')}|${s.strikes ?? 0}|${s.blockedUntil ?? ''}|${progress}`;
}

/** Passes on a peer's status only when its line changed, and the summary only when the counts did. */
export class StatusChanges {
  private readonly lastKeys = new Map<string, string>();
  private lastSummary = '';

  constructor(private readonly out: { peer(status: PeerStatus): void; summary(summary: SpaceSummary): void }) {}

  peer(status: PeerStatus): void {
    const key = statusKey(status);
    if (this.lastKeys.get(status.peerId) === key) return;
    this.lastKeys.set(status.peerId, key);
    this.out.peer(status);
  }

  summary(summary: SpaceSummary): void {
    const key = `${summary.connected}/${summary.inSync}/${summary.syncing}`;
    if (key === this.lastSummary) return;
    this.lastSummary = key;
    this.out.summary(summary);
  }
}

/** What the space's status is read from: the peer book, hello, connections and sync coordinator. */
export interface StatusSources {
  /** The peers the book knows, ourselves left out. */
  peerIds(): string[];
  /** Whether the book knows this peer (and it is not ourselves). */
  knows(peerId: string): boolean;
  /** What is known of one peer right now. */
  facts(peerId: string): PeerFacts;
}

/**
 * The space's status as a projection of its sources: `peers()` and `summary()` read them;
 * `changed(peerId)` and `refreshAll()` pass `peer` and `summary` on only when a peer's line or the
 * counts changed (StatusChanges).
 */
export class SpaceStatus {
  private readonly changes: StatusChanges;

  constructor(
    private readonly sources: StatusSources,
    out: { peer(status: PeerStatus): void; summary(summary: SpaceSummary): void },
  ) {
    this.changes = new StatusChanges(out);
  }

  statusOf(peerId: string): PeerStatus {
    return peerStatus(this.sources.facts(peerId));
  }

  peers(): PeerStatus[] {
    return this.sources.peerIds().map((id) => this.statusOf(id));
  }

  summary(): SpaceSummary {
    return summarize(this.peers());
  }

  /** Something about this peer changed: its line if it is new, then the counts if they are. */
  changed(peerId: string): void {
    if (this.sources.knows(peerId)) this.changes.peer(this.statusOf(peerId));
    this.changes.summary(this.summary());
  }

  /** Our heads changed (on every change): every peer's in-sync verdict may have changed; one summary. */
  refreshAll(): void {
    const all = this.peers();
    for (const status of all) this.changes.peer(status);
    this.changes.summary(summarize(all));
  }
}
