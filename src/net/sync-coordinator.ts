import type { Stream } from '@libp2p/interface';
import { InvalidPeerDataError } from '../core/errors.js';
import type { Logger } from '../core/ports.js';
import type { Replica } from '../core/replica.js';
import { SyncSession, type SyncProgress } from '../core/sync-session.js';
import { CHANGE_SYNC_MIN_GAP_MS, CONNECT_SYNC_FALLBACK_MS, DEFAULT_ANTI_ENTROPY_MS, MAX_INBOUND_SYNC_STREAMS, SYNC_PROTOCOL } from './constants.js';
import { SyncMessageTooLargeError } from './errors.js';
import type { ProtocolRegistrar } from './registrar.js';
import { runSyncConversation } from './sync-protocol.js';

export type SyncDirection = 'inbound' | 'outbound';

/** What the network shows about syncing with one peer. */
export interface PeerSyncView {
  running: boolean;
  /** The last finished session, if any since the peer connected; `inSync()` is live. */
  last: LiveSync | undefined;
  lastSyncAt: number | undefined;
  progress: SyncProgress | undefined;
}

/** A finished catch-up session: whether the peer's state, as it last told it, equals ours now. */
export interface LiveSync {
  inSync(): boolean;
}

export interface ConversationOptions {
  initiator: boolean;
  idleTimeoutMs?: number;
  sessionCapMs?: number;
  signal: AbortSignal;
  onProgress: (progress: SyncProgress) => void;
}

/** How a space catches up with one peer: its protocol id and one conversation on a stream. */
export interface CatchUpEngine {
  readonly protocol: string;
  /** What the session ended on (`summary`: for the log); rejects as the protocol runners do. */
  converse(peerId: string, stream: Stream, options: ConversationOptions): { session: LiveSync; outcome: Promise<{ inSync: boolean; progress: SyncProgress; summary: string }> };
}

/** A v1 space: the Automerge sync protocol on its one replica (SYNC_PROTOCOL). */
export function replicaCatchUp(replica: Replica<unknown>): CatchUpEngine {
  return {
    protocol: SYNC_PROTOCOL,
    converse(peerId, stream, options) {
      const session = new SyncSession(replica, peerId);
      const outcome = runSyncConversation(stream, session, options).then((o) => ({ ...o, summary: `${o.rounds} rounds, ${o.progress.changesIn} changes in` }));
      return { session, outcome };
    },
  };
}

export interface SyncCoordinatorComponents {
  catchUp: CatchUpEngine;
  logger: Logger;
  /** Opens an outbound sync stream to a connected peer. */
  openStream(peerId: string, signal: AbortSignal): Promise<Stream>;
  /** The peer sent malformed data. */
  strike(peerId: string, err: InvalidPeerDataError): void;
  /** Something about this peer's sync changed (started, progressed, finished). */
  changed(peerId: string): void;
  /** Peers connected right now. */
  connectedPeers(): string[];
  /** Where start() registers the catch-up protocol. */
  registrar: ProtocolRegistrar;
}

export interface SyncCoordinatorInit {
  /** Our own peer id: on connect, the lower id opens the first session. */
  selfId: string;
  antiEntropyMs?: number;
  idleTimeoutMs?: number;
  sessionCapMs?: number;
  clock?: () => number;
}

interface PeerSyncs {
  inbound: Promise<void> | undefined;
  outbound: Promise<void> | undefined;
  /** Someone asked for a round while one was running: run again after it unless in sync. */
  rerun: boolean;
  waiters: (() => void)[];
  last: LiveSync | undefined;
  lastSyncAt: number | undefined;
  progress: SyncProgress | undefined;
}

/**
 * Schedules catch-up sessions per peer: at most one outbound and one inbound session with a peer
 * at a time, each with its own SyncSession (so no sync state is ever shared by two streams).
 * A request while a session runs marks a rerun instead of starting another; the rerun happens
 * only if the peer is still not in sync afterwards, so rounds always come to rest.
 *
 * When rounds happen: once per new connection (the lower peer id opens it; the other side opens
 * one itself only if none came), shortly after a change (debounced, only with peers not known to
 * be in sync), and every anti-entropy interval (skipping peers synced in the last half of it).
 */
export class SyncCoordinator {
  private readonly peers = new Map<string, PeerSyncs>();
  /** Peers told about once: they run the other space format. */
  private readonly incompatible = new Set<string>();
  private readonly stopping = new AbortController();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private antiEntropy: ReturnType<typeof setInterval> | undefined;
  private readonly logger: Logger;
  private readonly now: () => number;
  /** When the last round after a change started (the next one waits CHANGE_SYNC_MIN_GAP_MS). */
  private lastChangeRoundAt: number | undefined;

  constructor(
    private readonly components: SyncCoordinatorComponents,
    private readonly init: SyncCoordinatorInit,
  ) {
    this.logger = components.logger;
    this.now = init.clock ?? Date.now;
  }

  /** Serves SYNC_PROTOCOL and starts the anti-entropy timer. */
  async start(): Promise<void> {
    await this.components.registrar.handle(this.components.catchUp.protocol, (peerId, stream) => this.handleInbound(peerId, stream), { maxInboundStreams: MAX_INBOUND_SYNC_STREAMS });
    const interval = this.init.antiEntropyMs ?? DEFAULT_ANTI_ENTROPY_MS;
    this.antiEntropy = setInterval(() => {
      const now = this.now();
      for (const peerId of this.components.connectedPeers()) {
        const view = this.view(peerId);
        // Either side may have started that recent round; one is enough.
        if (!view.running && now - (view.lastSyncAt ?? -Infinity) >= interval / 2) void this.request(peerId);
      }
    }, interval);
    this.antiEntropy.unref?.();
  }

  /** A new connection: one catch-up session, opened by the lower peer id. */
  connected(peerId: string): void {
    if (this.init.selfId < peerId) {
      void this.request(peerId);
      return;
    }
    this.setTimer(`connect:${peerId}`, CONNECT_SYNC_FALLBACK_MS, () => {
      const view = this.view(peerId);
      if (this.components.connectedPeers().includes(peerId) && !view.running && !view.last) void this.request(peerId);
    });
  }

  /** The peer disconnected: its sessions end with the connection; forget what it had. */
  disconnected(peerId: string): void {
    this.clearTimer(`connect:${peerId}`);
    const p = this.peers.get(peerId);
    if (!p) return;
    p.last = undefined;
    p.progress = undefined;
    p.rerun = false;
    if (!p.inbound && !p.outbound) this.release(p);
  }

  /**
   * Our heads changed: after `delayMs`, a round with every peer not known to be in sync — but at
   * most one such round every CHANGE_SYNC_MIN_GAP_MS. Gossip carries each change live; the round
   * only confirms it, so someone typing starts one round every two seconds, not one per key.
   */
  afterChange(delayMs: number): void {
    if (this.timers.has('change')) return; // the pending round covers this change too
    const earliest = (this.lastChangeRoundAt ?? -Infinity) + CHANGE_SYNC_MIN_GAP_MS;
    this.setTimer('change', Math.max(delayMs, earliest - this.now()), () => {
      for (const peerId of this.components.connectedPeers()) {
        const view = this.view(peerId);
        // A running round gets a rerun mark; an idle peer already in sync needs nothing.
        if (view.running || !(view.last?.inSync() ?? false)) {
          this.lastChangeRoundAt = this.now();
          void this.request(peerId);
        }
      }
    });
  }

  view(peerId: string): PeerSyncView {
    const p = this.peers.get(peerId);
    return {
      running: p !== undefined && (p.inbound !== undefined || p.outbound !== undefined),
      last: p?.last,
      lastSyncAt: p?.lastSyncAt,
      progress: p?.progress,
    };
  }

  /**
   * Runs a round with a connected peer now, or after the running one (then only if still needed).
   * Resolves when that round is over, whatever its outcome.
   */
  request(peerId: string): Promise<void> {
    if (this.stopping.signal.aborted) return Promise.resolve();
    const p = this.entry(peerId);
    return new Promise<void>((resolve) => {
      p.waiters.push(resolve);
      if (p.inbound || p.outbound) p.rerun = true;
      else this.startOutbound(peerId, p);
    });
  }

  /** Answers a session the peer opened; a second concurrent one from the same peer is refused. */
  handleInbound(peerId: string, stream: Stream): void {
    const p = this.entry(peerId);
    if (this.stopping.signal.aborted || p.inbound) {
      stream.abort(new Error('a sync session with this peer is already running'));
      return;
    }
    p.inbound = this.run(peerId, p, stream, false).finally(() => {
      p.inbound = undefined;
      this.settled(peerId, p);
    });
    this.components.changed(peerId);
  }

  /** Stops serving SYNC_PROTOCOL, aborts every session and waits for them to wind down. */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('network stopping'));
    await this.components.registrar.unhandle(this.components.catchUp.protocol);
    clearInterval(this.antiEntropy);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    const running: Promise<void>[] = [];
    for (const p of this.peers.values()) {
      if (p.inbound) running.push(p.inbound);
      if (p.outbound) running.push(p.outbound);
    }
    await Promise.allSettled(running);
    for (const p of this.peers.values()) this.release(p);
  }

  private startOutbound(peerId: string, p: PeerSyncs): void {
    p.rerun = false;
    const waiters = p.waiters.splice(0);
    p.outbound = (async () => {
      let stream: Stream;
      try {
        stream = await this.components.openStream(peerId, this.stopping.signal);
      } catch (err) {
        if (err instanceof Error && err.name === 'UnsupportedProtocolError' && !this.incompatible.has(peerId)) {
          // The same space key, another format: a v1 (one document) and a v2 (sharded) peer never sync.
          this.incompatible.add(peerId);
          this.logger.warn(`peer ${peerId} does not speak ${this.components.catchUp.protocol}: it runs another version of Shared Notes, whose space format does not sync with this one. Upgrade the older one.`);
        } else this.logger.debug(`could not open a sync stream to ${peerId}: ${String(err)}`);
        return;
      }
      await this.run(peerId, p, stream, true);
    })().finally(() => {
      p.outbound = undefined;
      for (const resolve of waiters) resolve();
      this.settled(peerId, p);
    });
    this.components.changed(peerId);
  }

  /** One conversation; never rejects. */
  private async run(peerId: string, p: PeerSyncs, stream: Stream, initiator: boolean): Promise<void> {
    const direction: SyncDirection = initiator ? 'outbound' : 'inbound';
    const started = this.now();
    try {
      const { session, outcome: running } = this.components.catchUp.converse(peerId, stream, {
        initiator,
        idleTimeoutMs: this.init.idleTimeoutMs,
        sessionCapMs: this.init.sessionCapMs,
        signal: this.stopping.signal,
        onProgress: (progress) => {
          p.progress = progress;
          this.components.changed(peerId);
        },
      });
      const outcome = await running;
      p.last = session;
      p.lastSyncAt = this.now();
      p.progress = outcome.progress;
      this.logger.debug(
        `sync ${direction} with ${peerId}: ${outcome.summary}, ` +
          `${outcome.progress.bytesIn} B in / ${outcome.progress.bytesOut} B out, ${this.now() - started} ms, in sync: ${outcome.inSync}`,
      );
    } catch (err) {
      if (err instanceof InvalidPeerDataError) {
        this.components.strike(peerId, err);
      } else if (err instanceof SyncMessageTooLargeError) {
        this.logger.error(`cannot sync with ${peerId}: ${err.message}`);
      } else if (!this.stopping.signal.aborted) {
        this.logger.info(`sync ${direction} with ${peerId} ended early: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
      }
    }
  }

  private settled(peerId: string, p: PeerSyncs): void {
    if (this.stopping.signal.aborted) {
      this.release(p);
      return;
    }
    if (!p.inbound && !p.outbound) {
      if (p.rerun && !(p.last?.inSync() ?? false)) this.startOutbound(peerId, p);
      else this.release(p);
    }
    this.components.changed(peerId);
  }

  /** Resolves pending requests that no session is going to serve. */
  private release(p: PeerSyncs): void {
    p.rerun = false;
    for (const resolve of p.waiters.splice(0)) resolve();
  }

  private setTimer(name: string, delayMs: number, fn: () => void): void {
    this.clearTimer(name);
    const timer = setTimeout(() => {
      this.timers.delete(name);
      if (this.stopping.signal.aborted) return;
      try {
        fn();
      } catch (err) {
        this.logger.warn(`${name} timer failed: ${String(err)}`);
      }
    }, delayMs);
    timer.unref?.();
    this.timers.set(name, timer);
  }

  private clearTimer(name: string): void {
    clearTimeout(this.timers.get(name));
    this.timers.delete(name);
  }

  private entry(peerId: string): PeerSyncs {
    let p = this.peers.get(peerId);
    if (!p) {
      p = { inbound: undefined, outbound: undefined, rerun: false, waiters: [], last: undefined, lastSyncAt: undefined, progress: undefined };
      this.peers.set(peerId, p);
    }
    return p;
  }
}
