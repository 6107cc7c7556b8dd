import type { Stream } from '@libp2p/interface';
import type { Logger } from '../core/ports.js';
import { isDialable, splitPeer } from './addresses.js';
import {
  MAX_INBOUND_PEER_EXCHANGE_STREAMS,
  MAX_PEER_EXCHANGE_BYTES,
  PEER_EXCHANGE_BURST,
  PEER_EXCHANGE_DEBOUNCE_MS,
  PEER_EXCHANGE_MIN_INTERVAL_MS,
  PEER_EXCHANGE_PROTOCOL,
  PEER_EXCHANGE_RATE_PER_S,
  PEER_EXCHANGE_TIMEOUT_MS,
} from './constants.js';
import { InvalidPeerExchangeError, PeerExchangeStreamError } from './errors.js';
import { decodePeerList, encodePeerList, type ExchangedPeer } from './peer-exchange-codec.js';
import { readSmallFrame, writeSmallFrame, encodeSmallFrame, type SmallFrameErrors } from './small-frame.js';
import type { ProtocolRegistrar } from './registrar.js';
import type { Stack } from './stack.js';

export type { ExchangedPeer } from './peer-exchange-codec.js';

export interface PeerExchangeComponents {
  logger: Logger;
  stack: Stack;
  selfId: string;
  /** Opens a peer-exchange stream on an open connection to the peer (never dials). */
  openStream(peerId: string, signal: AbortSignal): Promise<Stream>;
  /** Who we tell: connected members that sent us a well-formed hello. */
  recipients(): string[];
  /** What we tell: the members we are connected to and their dialable addresses (without /p2p). */
  connectedMembers(): ExchangedPeer[];
  /** A member told us where these peers are (ids and addresses checked, never ourselves). */
  learned(from: string, peers: ExchangedPeer[]): void;
  /** Where start() registers PEER_EXCHANGE_PROTOCOL. */
  registrar: ProtocolRegistrar;
}

const ERRORS: SmallFrameErrors = {
  invalid: (message, cause) => new InvalidPeerExchangeError(message, { cause }),
  failed: (message, cause) => new PeerExchangeStreamError(`peer list: ${message}`, { cause }),
};

/**
 * Peer exchange (PEER_EXCHANGE_PROTOCOL): each member tells the members it is connected to where
 * the others can be reached, when a member greets us and whenever our connections or a member's
 * addresses change (coalesced, at most once a PEER_EXCHANGE_MIN_INTERVAL_MS). The sender opens a
 * stream, writes one small frame and closes it. It runs only over the space's private network and
 * only to peers whose hello arrived, so addresses never reach anyone without the space key.
 * Inbound lists are bounded in size, time, count and rate (a token bucket per peer); a bad one is
 * logged and ignored (addresses are hints: a wrong one only fails to dial, noise checks the id).
 */
export class SpacePeerExchange {
  private readonly stopping = new AbortController();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastBroadcastAt = -Infinity;

  constructor(private readonly components: PeerExchangeComponents) {}

  /** Serves PEER_EXCHANGE_PROTOCOL. */
  async start(): Promise<void> {
    await this.components.registrar.handle(PEER_EXCHANGE_PROTOCOL, (peerId, stream) => this.handleInbound(peerId, stream), {
      maxInboundStreams: MAX_INBOUND_PEER_EXCHANGE_STREAMS,
    });
  }

  /** A member greeted us: tell it at once whom we know. */
  greeted(peerId: string): void {
    void this.send(peerId);
  }

  /** Our connections or a member's addresses changed: tell every member (coalesced). */
  changed(): void {
    if (this.timer || this.stopping.signal.aborted) return;
    const wait = Math.max(PEER_EXCHANGE_DEBOUNCE_MS, this.lastBroadcastAt + PEER_EXCHANGE_MIN_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastBroadcastAt = Date.now();
      for (const peerId of this.components.recipients()) void this.send(peerId);
    }, wait);
    this.timer.unref?.();
  }

  /** A member opened a peer-exchange stream. */
  handleInbound(peerId: string, stream: Stream): void {
    if (this.stopping.signal.aborted || !this.take(peerId)) {
      this.components.logger.debug(`refusing a peer list from ${peerId} (more than ${PEER_EXCHANGE_BURST} at once or ${PEER_EXCHANGE_RATE_PER_S}/s)`);
      stream.abort(new Error('too many peer lists'));
      return;
    }
    void this.receive(peerId, stream);
  }

  /** The peer left: forget its rate bucket. */
  disconnected(peerId: string): void {
    this.buckets.delete(peerId);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopping.abort(new Error('network stopping'));
    await this.components.registrar.unhandle(PEER_EXCHANGE_PROTOCOL);
  }

  private async send(peerId: string): Promise<void> {
    const { logger } = this.components;
    if (this.stopping.signal.aborted) return;
    const peers = this.components.connectedMembers().filter((p) => p.id !== peerId);
    if (peers.length === 0) return;
    try {
      const stream = await this.components.openStream(peerId, AbortSignal.any([this.stopping.signal, AbortSignal.timeout(PEER_EXCHANGE_TIMEOUT_MS)]));
      await writeSmallFrame(stream, encodeSmallFrame(encodePeerList(peers)), { timeoutMs: PEER_EXCHANGE_TIMEOUT_MS, signal: this.stopping.signal }, ERRORS);
    } catch (err) {
      if (!this.stopping.signal.aborted) logger.debug(`could not tell ${peerId} about our peers: ${String(err)}`);
    }
  }

  private async receive(from: string, stream: Stream): Promise<void> {
    const { logger, selfId } = this.components;
    let listed: ExchangedPeer[];
    try {
      const payload = await readSmallFrame(stream, {
        maxBytes: MAX_PEER_EXCHANGE_BYTES,
        what: 'peer list',
        errors: ERRORS,
        timeoutMs: PEER_EXCHANGE_TIMEOUT_MS,
        signal: this.stopping.signal,
      });
      listed = decodePeerList(payload);
    } catch (err) {
      if (this.stopping.signal.aborted) return;
      const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      if (err instanceof InvalidPeerExchangeError) logger.warn(`ignoring a bad peer list from ${from}: ${text}`);
      else logger.debug(`no peer list from ${from}: ${text}`);
      return;
    }
    const peers: ExchangedPeer[] = [];
    for (const p of listed) {
      if (p.id === selfId || p.id === from) continue;
      const checked = this.check(p);
      if (checked) peers.push(checked);
      else logger.debug(`ignoring peer ${p.id.slice(0, 64)} in ${from}'s list: no valid id or dialable address`);
    }
    if (peers.length > 0) this.components.learned(from, peers);
  }

  /** The peer with its id parsed and only the addresses we can dial, or undefined. */
  private check(p: ExchangedPeer): ExchangedPeer | undefined {
    const { stack } = this.components;
    try {
      stack.peerIdFromString(p.id);
    } catch {
      return undefined;
    }
    const addrs: string[] = [];
    for (const text of p.addrs) {
      try {
        const ma = stack.multiaddr(text);
        const parsed = splitPeer(ma);
        if (isDialable(ma) && (parsed.peerId === undefined || parsed.peerId === p.id)) addrs.push(parsed.addr);
      } catch {
        // not a multiaddr: skipped like any other address we cannot dial
      }
    }
    return addrs.length > 0 ? { id: p.id, addrs } : undefined;
  }

  /** Token bucket per peer: PEER_EXCHANGE_BURST lists, refilled at PEER_EXCHANGE_RATE_PER_S. */
  private take(peerId: string): boolean {
    const now = Date.now();
    const bucket = this.buckets.get(peerId) ?? { tokens: PEER_EXCHANGE_BURST, at: now };
    bucket.tokens = Math.min(PEER_EXCHANGE_BURST, bucket.tokens + ((now - bucket.at) / 1000) * PEER_EXCHANGE_RATE_PER_S);
    bucket.at = now;
    this.buckets.set(peerId, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
