import type { Clock } from '../core/ports.js';
import { BLOCK_DURATION_MS, MAX_PEER_BOOK_ENTRIES, REDIAL_INITIAL_MS, REDIAL_MAX_MS, STRIKES_BEFORE_DISCONNECT } from './constants.js';

import type { KnownPeer } from '../core/known-peer.js';

export type { KnownPeer } from '../core/known-peer.js';

interface PeerEntry {
  readonly peerId: string;
  /** Dialable multiaddrs without the trailing /p2p/<id>, newest last. */
  addrs: Set<string>;
  connected: boolean;
  /** Connected to us at least once since start (else only known from an address or a signature). */
  everConnected: boolean;
  lastSeen: number | undefined;
  strikes: number;
  blockedUntil: number | undefined;
  redialAttempt: number;
  redialTimer: ReturnType<typeof setTimeout> | undefined;
  /** When a waiting redial was last cut short (see hurry). */
  hurriedAt: number;
}

export interface PeerBookInit {
  strikesBeforeBlock?: number;
  blockDurationMs?: number;
  redialInitialMs?: number;
  redialMaxMs?: number;
  /** Most addresses remembered per peer (oldest dropped first). */
  maxAddrsPerPeer?: number;
  /** Most peers held (MAX_PEER_BOOK_ENTRIES); see `evictOne`. */
  maxPeers?: number;
  clock?: Clock;
}

/**
 * Peers of this space we know about: their addresses (for redials and for the engine to
 * persist), their strikes for bad data, blocks, and the redial backoff. Pure bookkeeping plus
 * timers; the dial itself is the caller's `redial` callback.
 */
export class PeerBook {
  private readonly peers = new Map<string, PeerEntry>();
  private readonly strikeLimit: number;
  private readonly blockMs: number;
  private readonly redialInitialMs: number;
  private readonly redialMaxMs: number;
  private readonly maxAddrs: number;
  private readonly maxPeers: number;
  private readonly now: Clock;
  private stopped = false;

  constructor(
    private readonly redial: (peerId: string) => void,
    init: PeerBookInit = {},
  ) {
    this.strikeLimit = init.strikesBeforeBlock ?? STRIKES_BEFORE_DISCONNECT;
    this.blockMs = init.blockDurationMs ?? BLOCK_DURATION_MS;
    this.redialInitialMs = init.redialInitialMs ?? REDIAL_INITIAL_MS;
    this.redialMaxMs = init.redialMaxMs ?? REDIAL_MAX_MS;
    this.maxAddrs = init.maxAddrsPerPeer ?? 16;
    this.maxPeers = init.maxPeers ?? MAX_PEER_BOOK_ENTRIES;
    this.now = init.clock ?? Date.now;
  }

  /** Records addresses for a peer (creating it); returns true when something new was learned. */
  learn(peerId: string, addrs: readonly string[], lastSeen?: number): boolean {
    const entry = this.entry(peerId);
    if (lastSeen !== undefined && (entry.lastSeen ?? 0) < lastSeen) entry.lastSeen = lastSeen;
    let changed = false;
    for (const addr of addrs) {
      if (entry.addrs.has(addr)) continue;
      entry.addrs.add(addr);
      changed = true;
    }
    while (entry.addrs.size > this.maxAddrs) {
      const oldest = entry.addrs.values().next().value;
      if (oldest === undefined) break;
      entry.addrs.delete(oldest);
    }
    return changed;
  }

  has(peerId: string): boolean {
    return this.peers.has(peerId);
  }

  addrs(peerId: string): string[] {
    return [...(this.peers.get(peerId)?.addrs ?? [])];
  }

  isConnected(peerId: string): boolean {
    return this.peers.get(peerId)?.connected ?? false;
  }

  /**
   * Fresh word that the peer is up (a member is connected to it right now): a redial waiting for
   * its backoff is cancelled so it can be dialed at once, at most once per `minGapMs` per peer. The
   * backoff's step is kept, so a peer that still does not answer waits longer next time.
   * Returns true when a waiting redial was cancelled.
   */
  hurry(peerId: string, minGapMs: number): boolean {
    const entry = this.peers.get(peerId);
    if (!entry || entry.connected || !entry.redialTimer || this.now() - entry.hurriedAt < minGapMs) return false;
    entry.hurriedAt = this.now();
    this.cancelRedial(entry);
    return true;
  }

  /** A redial of this peer is scheduled (its backoff is running). */
  isRedialPending(peerId: string): boolean {
    return this.peers.get(peerId)?.redialTimer !== undefined;
  }

  /** Every peer with at least one address that is not blocked: what the engine should persist. */
  known(): KnownPeer[] {
    return [...this.peers.values()]
      .filter((p) => p.addrs.size > 0 && !this.isBlocked(p.peerId))
      .map((p) => ({ peerId: p.peerId, addrs: [...p.addrs], ...(p.lastSeen !== undefined ? { lastSeen: p.lastSeen } : {}) }));
  }

  ids(): string[] {
    return [...this.peers.keys()];
  }

  connected(peerId: string): void {
    const entry = this.entry(peerId);
    entry.connected = true;
    entry.everConnected = true;
    entry.lastSeen = this.now();
    entry.redialAttempt = 0;
    this.cancelRedial(entry);
  }

  /** After a disconnect or a failed dial: redial later, 1 s doubling up to the maximum. */
  disconnected(peerId: string): void {
    const entry = this.peers.get(peerId);
    if (!entry) return;
    if (entry.connected) entry.lastSeen = this.now();
    entry.connected = false;
    this.scheduleRedial(entry);
  }

  dialFailed(peerId: string): void {
    const entry = this.peers.get(peerId);
    if (!entry || entry.connected) return;
    this.scheduleRedial(entry);
  }

  /** Counts one piece of bad data; returns true when the peer just used up its strikes. */
  strike(peerId: string): boolean {
    const entry = this.entry(peerId);
    if (this.isBlocked(peerId)) return false;
    entry.strikes++;
    if (entry.strikes < this.strikeLimit) return false;
    entry.blockedUntil = this.now() + this.blockMs;
    this.cancelRedial(entry);
    return true;
  }

  strikes(peerId: string): number {
    return this.peers.get(peerId)?.strikes ?? 0;
  }

  blockedUntil(peerId: string): number | undefined {
    return this.isBlocked(peerId) ? this.peers.get(peerId)?.blockedUntil : undefined;
  }

  isBlocked(peerId: string): boolean {
    const entry = this.peers.get(peerId);
    if (entry?.blockedUntil === undefined) return false;
    if (this.now() < entry.blockedUntil) return true;
    // The block ran out: a clean slate, and the peer may be dialed again. A stranger (an identity
    // known only from what it signed) is forgotten altogether.
    entry.blockedUntil = undefined;
    entry.strikes = 0;
    if (isStranger(entry)) this.forget(entry);
    return false;
  }

  /** Cancels every pending redial; the book keeps its contents. */
  stop(): void {
    this.stopped = true;
    for (const entry of this.peers.values()) this.cancelRedial(entry);
  }

  private scheduleRedial(entry: PeerEntry): void {
    if (this.stopped || entry.addrs.size === 0 || entry.redialTimer || this.isBlocked(entry.peerId)) return;
    const delay = Math.min(this.redialInitialMs * 2 ** entry.redialAttempt, this.redialMaxMs);
    entry.redialAttempt = Math.min(entry.redialAttempt + 1, 30);
    entry.redialTimer = setTimeout(() => {
      entry.redialTimer = undefined;
      if (!this.stopped && !entry.connected && !this.isBlocked(entry.peerId)) this.redial(entry.peerId);
    }, delay);
    entry.redialTimer.unref?.();
  }

  private cancelRedial(entry: PeerEntry): void {
    clearTimeout(entry.redialTimer);
    entry.redialTimer = undefined;
  }

  private entry(peerId: string): PeerEntry {
    let entry = this.peers.get(peerId);
    if (!entry) {
      entry = { peerId, addrs: new Set(), connected: false, everConnected: false, lastSeen: undefined, strikes: 0, blockedUntil: undefined, redialAttempt: 0, redialTimer: undefined, hurriedAt: -Infinity };
      this.peers.set(peerId, entry);
      if (this.peers.size > this.maxPeers) this.evictOne(entry);
    }
    return entry;
  }

  /**
   * Makes room, oldest first: a stranger (never connected, no address: an identity that only
   * signed something), else a peer that never connected, else any disconnected one. Never
   * `keep` (the entry being added) or a connected peer.
   */
  private evictOne(keep: PeerEntry): void {
    const candidates = [...this.peers.values()].filter((p) => p !== keep && !p.connected);
    const victim = candidates.find(isStranger) ?? candidates.find((p) => !p.everConnected) ?? candidates[0];
    if (victim) this.forget(victim);
  }

  private forget(entry: PeerEntry): void {
    this.cancelRedial(entry);
    this.peers.delete(entry.peerId);
  }
}

const isStranger = (p: PeerEntry): boolean => !p.connected && !p.everConnected && p.addrs.size === 0;
