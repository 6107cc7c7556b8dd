import type { Connection, ConnectionGater, IdentifyResult, PeerId, PeerInfo } from '@libp2p/interface';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/ports.js';
import { connectionKind, isDialable, isRelayed, parseAddr, splitPeer, withPeer, type ConnectionKind } from './addresses.js';
import { DIAL_TIMEOUT_MS, DISCOVERY_RETRY_MS } from './constants.js';
import { DialFailedError, NetworkNotRunningError } from './errors.js';
import type { SpaceLibp2p } from './node.js';
import type { PeerBook } from './peer-book.js';
import type { Stack } from './stack.js';

export interface SpaceConnectionsComponents {
  book: PeerBook;
  logger: Logger;
  stack: Stack;
  selfId: string;
  /** A peer's first connection opened. */
  connected(peerId: string): void;
  /** A peer's last connection closed. */
  disconnected(peerId: string): void;
  /** Something shown about the peer changed (addresses, a failed dial, a connection opened). */
  changed(peerId: string): void;
  /** The peer told us (identify) new addresses to reach it at. */
  addressesChanged?(peerId: string): void;
}

const KIND_ORDER: readonly ConnectionKind[] = ['loopback', 'lan', 'direct', 'relayed'];

/**
 * Who we are connected to and how to reach them again: follows libp2p's connection events,
 * records addresses (identify, our own outbound dials) in the peer book, dials known peers and
 * redials them with backoff, dials peers found by mDNS, and refuses blocked peers (the gater).
 */
export class SpaceConnections {
  private node: SpaceLibp2p | undefined;
  private running = false;
  private readonly discoveryTried = new Map<string, number>();
  /** What each connected peer announced about itself (identify): the addresses peer lists pass on. */
  private readonly announcedAddrs = new Map<string, string[]>();
  /** Peers we reached through a relay whose public address we are dialing now (see upgradeRelayed). */
  private readonly upgrading = new Set<string>();

  constructor(private readonly components: SpaceConnectionsComponents) {}

  /** The connection gater to build the node with: blocked peers neither dial nor connect. */
  gater(): ConnectionGater {
    const blocked = (peer: PeerId) => this.components.book.isBlocked(peer.toString());
    return { denyDialPeer: blocked, denyInboundEncryptedConnection: blocked, denyOutboundEncryptedConnection: blocked };
  }

  /** Follows the node's events; call before node.start() so no connection is missed. */
  attach(node: SpaceLibp2p): void {
    this.node = node;
    this.running = true;
    const guard =
      <T>(what: string, fn: (detail: T) => void) =>
      (evt: CustomEvent<T>) => {
        if (!this.running) return;
        try {
          fn(evt.detail);
        } catch (err) {
          this.components.logger.warn(`${what} handler failed: ${String(err)}`);
        }
      };
    node.addEventListener('peer:connect', guard<PeerId>('peer:connect', (peer) => this.onConnect(peer.toString())));
    node.addEventListener('peer:disconnect', guard<PeerId>('peer:disconnect', (peer) => this.onDisconnect(peer.toString())));
    node.addEventListener('peer:identify', guard<IdentifyResult>('peer:identify', (result) => this.onIdentify(result)));
    node.addEventListener('connection:open', guard<Connection>('connection:open', (conn) => this.onConnectionOpen(conn)));
    node.addEventListener('peer:discovery', guard<PeerInfo>('peer:discovery', (info) => this.onDiscovery(info)));
  }

  /** Stops following events and cancels redials (the node itself is stopped by its owner). */
  detach(): void {
    this.running = false;
    this.components.book.stop();
  }

  /** Dials an address; resolves with the remote peer id once connected. */
  async dial(address: string): Promise<string> {
    const parsed = await parseAddr(address);
    const { book, selfId, stack } = this.components;
    if (parsed.peerId && parsed.peerId !== selfId) book.learn(parsed.peerId, [parsed.addr]);
    try {
      const conn = await this.live().dial(stack.multiaddr(address), { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) });
      return conn.remotePeer.toString();
    } catch (err) {
      if (parsed.peerId) book.dialFailed(parsed.peerId);
      throw new DialFailedError(`could not connect to ${address}: ${describeError(err)}`, { cause: err });
    }
  }

  /** Dials a peer at the addresses the book holds; a failure schedules the next try (backoff). */
  async dialKnown(peerId: string): Promise<void> {
    const { book, stack, logger } = this.components;
    if (!this.running || peerId === this.components.selfId || book.isConnected(peerId) || book.isBlocked(peerId)) return;
    const addrs = book.addrs(peerId).map((a) => stack.multiaddr(withPeer(a, peerId)));
    if (addrs.length === 0) return;
    try {
      await this.live().dial(addrs, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) });
    } catch (err) {
      if (!this.running) return;
      logger.debug(`dial of ${peerId} failed: ${describeError(err)}`);
      book.dialFailed(peerId);
      this.components.changed(peerId);
    }
  }

  /**
   * The dialable addresses a connected peer announced itself (identify), without /p2p. Only these
   * are passed on to other members: an address we dialed (an invite's, a proxy's) may work only
   * from here.
   */
  announced(peerId: string): string[] {
    return this.announcedAddrs.get(peerId) ?? [];
  }

  /** The best of our open connections to the peer: on this machine, the LAN, direct, relayed. */
  via(peerId: string): ConnectionKind | undefined {
    if (!this.node || !this.running || !this.components.book.isConnected(peerId)) return undefined;
    let best: ConnectionKind | undefined;
    for (const c of this.node.getConnections(this.components.stack.peerIdFromString(peerId))) {
      if (c.status !== 'open') continue;
      const kind = connectionKind(c.remoteAddr, c.limits !== undefined);
      if (best === undefined || KIND_ORDER.indexOf(kind) < KIND_ORDER.indexOf(best)) best = kind;
    }
    return best;
  }

  /** Hangs up on a peer (it used up its strikes); the gater keeps it out afterwards. */
  hangUp(peerId: string): void {
    this.live()
      .hangUp(this.components.stack.peerIdFromString(peerId))
      .catch((err: unknown) => this.components.logger.warn(`could not hang up on ${peerId}: ${String(err)}`));
  }

  private onConnect(peerId: string): void {
    this.components.book.connected(peerId);
    this.components.logger.info(`connected to ${peerId}`);
    this.components.connected(peerId);
  }

  private onDisconnect(peerId: string): void {
    this.announcedAddrs.delete(peerId);
    this.components.book.disconnected(peerId); // schedules a redial when we know an address
    this.components.logger.info(`disconnected from ${peerId}`);
    this.components.disconnected(peerId);
  }

  private onIdentify(result: IdentifyResult): void {
    const peerId = result.peerId.toString();
    const addrs = result.listenAddrs.filter(isDialable).map((ma) => splitPeer(ma).addr);
    const before = this.announcedAddrs.get(peerId)?.join(' ');
    if (this.components.book.isConnected(peerId)) this.announcedAddrs.set(peerId, addrs.slice(0, 16));
    const learned = this.components.book.learn(peerId, addrs);
    if (learned) this.components.changed(peerId);
    // What other members hear about this peer changed (its first identify on this connection, or new addresses).
    if (learned || before !== this.announcedAddrs.get(peerId)?.join(' ')) this.components.addressesChanged?.(peerId);
    this.upgradeRelayed(peerId, result.connection, addrs);
  }

  /**
   * We dialed this peer through a relay and it announces a public address: dial that directly and
   * close the relayed connection. libp2p's DCUtR only covers the other side: there the peer the
   * relayed connection reached dials the dialer's public address, or, when the dialer has none,
   * gives up ("A did not have any dialable multiaddrs") without telling the dialer to dial it, so
   * a member behind NAT that reached a reachable member through the relay stayed relayed (test/nat).
   */
  private upgradeRelayed(peerId: string, relayed: Connection, addrs: readonly string[]): void {
    const { stack, logger } = this.components;
    if (!this.node || relayed.direction !== 'outbound' || relayed.status !== 'open' || !(relayed.limits !== undefined || isRelayed(relayed.remoteAddr))) return;
    if (this.upgrading.has(peerId)) return;
    const direct = addrs.filter((a) => !isRelayed(a) && connectionKind(stack.multiaddr(a), false) === 'direct');
    if (direct.length === 0) return;
    const node = this.node;
    const open = node.getConnections(relayed.remotePeer).filter((c) => c.status === 'open');
    if (open.some((c) => c.limits === undefined && !isRelayed(c.remoteAddr))) return; // already direct
    this.upgrading.add(peerId);
    node
      .dial(
        direct.map((a) => stack.multiaddr(withPeer(a, peerId))),
        { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS), force: true },
      )
      .then(async (conn) => {
        if (conn.limits !== undefined || isRelayed(conn.remoteAddr)) return;
        logger.info(`direct connection to ${peerId} at ${conn.remoteAddr.toString()} replaces the relayed one`);
        // Streams on the relayed connection end with it; sync and hello retry on the direct one.
        await relayed.close({ signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) });
      })
      .catch((err: unknown) => logger.debug(`no direct connection to ${peerId} at ${direct.join(' ')}: ${describeError(err)}`))
      .finally(() => this.upgrading.delete(peerId));
  }

  private onConnectionOpen(conn: Connection): void {
    const peerId = conn.remotePeer.toString();
    // Only an address we dialed is worth keeping; an inbound one is the peer's ephemeral port.
    if (conn.direction === 'outbound' && isDialable(conn.remoteAddr)) this.components.book.learn(peerId, [splitPeer(conn.remoteAddr).addr]);
    // A second connection (a direct one next to a relayed one) changes how the peer is reached.
    if (this.components.book.isConnected(peerId)) this.components.changed(peerId);
  }

  private onDiscovery(info: PeerInfo): void {
    const peerId = info.id.toString();
    const { book, logger } = this.components;
    if (peerId === this.components.selfId || book.isConnected(peerId) || book.isBlocked(peerId)) return;
    const now = Date.now();
    if (now - (this.discoveryTried.get(peerId) ?? -Infinity) < DISCOVERY_RETRY_MS) return;
    this.discoveryTried.set(peerId, now);
    const addrs = info.multiaddrs.filter(isDialable);
    if (addrs.length === 0) return;
    // Not put in the book before it proves to be of this space (pnet and identify succeed).
    this.live()
      .dial(addrs, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
      .catch((err: unknown) => logger.debug(`discovered peer ${peerId} did not connect: ${String(err)}`));
  }

  private live(): SpaceLibp2p {
    if (!this.node || !this.running) throw new NetworkNotRunningError('the network is not running');
    return this.node;
  }
}
