import type { Stream } from '@libp2p/interface';
import type { Logger } from '../core/ports.js';
import { MAX_EXCHANGED_BOOK_PEERS, MESH_HURRY_GAP_MS } from './constants.js';
import { SpaceMesh } from './mesh.js';
import type { PeerBook } from './peer-book.js';
import { SpacePeerExchange, type ExchangedPeer } from './peer-exchange.js';
import type { ProtocolRegistrar } from './registrar.js';
import type { Stack } from './stack.js';

export interface SpaceMembershipComponents {
  book: PeerBook;
  logger: Logger;
  stack: Stack;
  selfId: string;
  /** Opens a peer-exchange stream on an open connection (never dials). */
  openStream(peerId: string, signal: AbortSignal): Promise<Stream>;
  /** Members we are connected to. */
  connectedPeers(): string[];
  /** The addresses a connected member announced itself (what peer lists pass on). */
  announcedAddrs(peerId: string): string[];
  /** Whether this peer's hello arrived (only those hear our peer lists). */
  hasGreeted(peerId: string): boolean;
  /** Dials a known peer at the book's addresses. */
  dial(peerId: string): Promise<void>;
  /** Something shown about the peer changed (a new address). */
  changed(peerId: string): void;
  /** Where peer exchange registers its protocol at start(). */
  registrar: ProtocolRegistrar;
}

export interface SpaceMembershipInit {
  meshTarget?: number;
}

/**
 * How the members of a space find each other: peer exchange (who is where) feeding the peer
 * book, and the mesh that dials from it. SpaceNetwork tells it about connections and hellos.
 */
export class SpaceMembership {
  private readonly exchange: SpacePeerExchange;
  private readonly mesh: SpaceMesh;

  constructor(
    private readonly components: SpaceMembershipComponents,
    init: SpaceMembershipInit = {},
  ) {
    const { book, logger, stack, selfId } = components;
    this.exchange = new SpacePeerExchange({
      logger: logger.child('peers'),
      stack,
      selfId,
      openStream: components.openStream,
      recipients: () => components.connectedPeers().filter((id) => components.hasGreeted(id)),
      // A member whose identify has not arrived yet has no address to pass on; the lists that follow its identify name it.
      connectedMembers: () => components.connectedPeers().map((id) => ({ id, addrs: components.announcedAddrs(id) })).filter((p) => p.addrs.length > 0),
      learned: (from, peers) => this.learn(from, peers),
      registrar: components.registrar,
    });
    this.mesh = new SpaceMesh({ book, selfId, logger: logger.child('mesh'), dial: components.dial }, { target: init.meshTarget });
  }

  /** Serves peer exchange, starts the periodic mesh check; dials `first` (an invite's members) now, then others while the mesh has room. */
  async start(first: readonly string[]): Promise<void> {
    await this.exchange.start();
    this.mesh.start();
    for (const peerId of first) this.mesh.dial(peerId);
    this.mesh.topUp();
  }

  async stop(): Promise<void> {
    this.mesh.stop();
    await this.exchange.stop();
  }

  /** Dials a member now (a redial whose backoff ran out), unless it is connected or being dialed. */
  dial(peerId: string): void {
    this.mesh.dial(peerId);
  }

  /** A member's hello arrived: it hears whom we know. */
  greeted(peerId: string): void {
    this.exchange.greeted(peerId);
  }

  connected(): void {
    this.exchange.changed();
  }

  /** A member left: the others hear of it, and the mesh is repaired. */
  disconnected(peerId: string): void {
    this.exchange.disconnected(peerId);
    this.exchange.changed();
    this.mesh.topUp();
  }

  /** A member told us (identify) new addresses: the others hear them. */
  addressesChanged(): void {
    this.exchange.changed();
  }

  /** Members named by a peer list: remembered (the book stays bounded) and dialed while the mesh has room. */
  private learn(from: string, peers: ExchangedPeer[]): void {
    const { book, logger } = this.components;
    let added = 0;
    const heard: string[] = [];
    for (const p of peers) {
      if (book.isBlocked(p.id) || (!book.has(p.id) && book.ids().length >= MAX_EXCHANGED_BOOK_PEERS)) continue;
      heard.push(p.id);
      if (book.learn(p.id, p.addrs)) {
        added++;
        this.components.changed(p.id);
      }
      // A member is connected to it right now: worth a try before its backoff runs out.
      book.hurry(p.id, MESH_HURRY_GAP_MS);
    }
    if (added > 0) logger.debug(`${from} told us ${added} new member address(es)`);
    this.mesh.heard(heard);
    this.mesh.topUp();
  }
}
