import './polyfills.js';
import { Emitter, type Unsubscribe } from '../core/emitter.js';
import { describeError, type InvalidPeerDataError } from '../core/errors.js';
import type { Logger } from '../core/ports.js';
import { checkListenAddrs, isDialable, parseAddrs, splitPeer, withPeer } from './addresses.js';
import { SpaceConnections } from './connections.js';
import {
  CHANGE_SYNC_DEBOUNCE_MS,
  DEFAULT_LISTEN,
  HELLO_PROTOCOL,
  PEER_EXCHANGE_PROTOCOL,
  REMOTE_CHANGE_SYNC_DEBOUNCE_MS,
  STRIKES_BEFORE_DISCONNECT,
} from './constants.js';
import { NetworkNotRunningError } from './errors.js';
import { SpaceGossip, type TopicGossip } from './gossip.js';
import { ShardGossip } from './shard-gossip.js';
import { shardCatchUp } from './shard-sync-protocol.js';
import { SpaceHello } from './hello.js';
import { mdnsServiceTagForSpace, pnetKeyFromSpaceKey, presenceTopicForSpace, privateKeyOf, shardTopicForSpace, topicForSpace } from './keys.js';
import { SpaceMembership } from './membership.js';
import { createSpaceNode, type SpaceLibp2p } from './node.js';
import type { KnownPeer } from '../core/known-peer.js';
import { PeerBook } from './peer-book.js';
import { SpacePresence, type LocalPresence, type PeerPresence } from './presence.js';
import { loadStack, type Stack } from './stack.js';
import { SpaceProtocols } from './registrar.js';
import { SpaceStatus, type PeerFacts, type PeerStatus, type SpaceSummary } from './status.js';
import { replicaCatchUp, SyncCoordinator } from './sync-coordinator.js';
import type { SpaceNetworkComponents, SpaceNetworkEvents, SpaceNetworkInit } from './space-network-options.js';

export type { ConnectionKind } from './addresses.js';
export type { KnownPeer } from '../core/known-peer.js';
export type { PeerState, PeerStatus, SpaceSummary } from './status.js';
export type { LocalPresence, PeerPresence, Selection } from './presence.js';
export type { SpaceNetworkComponents, SpaceNetworkEvents, SpaceNetworkInit } from './space-network-options.js';

type Phase = 'new' | 'starting' | 'running' | 'stopped';

/**
 * One space on the network: a libp2p node in a private network keyed by the space key, gossip of
 * local changes on the space's topic, and catch-up sessions with every connected peer (on
 * connect, after changes, every anti-entropy interval, on syncNow()). Composed like a js-libp2p
 * service: `components` are what it uses, `init` the options; defaults live in constants.ts.
 * One instance runs once: start(), then stop(); create a new one to go online again.
 */
export class SpaceNetwork {
  readonly events = new Emitter<SpaceNetworkEvents>();
  private phase: Phase = 'new';
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private tornDown = false;
  private node: SpaceLibp2p | undefined;
  private stack: Stack | undefined;
  private gossip: TopicGossip | undefined;
  private connections: SpaceConnections | undefined;
  private selfId: string | undefined;
  private readonly logger: Logger;
  private readonly book: PeerBook;
  private sync: SyncCoordinator | undefined;
  private hello: SpaceHello | undefined;
  private members: SpaceMembership | undefined;
  private disconnectedSince: number | undefined;
  private presenceOf: SpacePresence | undefined;
  private localPresence: LocalPresence | undefined;
  private readonly strikeLimit: number;
  private readonly changeDelayMs: number;
  private readonly unsubscribe: Unsubscribe[] = [];
  /** Strikes given since start, by where the bad data came from (a gossip strike is a rejection). */
  readonly strikeCounts = { gossip: 0, sync: 0 };
  private readonly status = new SpaceStatus(
    {
      peerIds: () => this.book.ids().filter((id) => id !== this.selfId),
      knows: (peerId) => peerId !== this.selfId && this.book.has(peerId),
      facts: (peerId) => this.factsOf(peerId),
    },
    { peer: (s) => this.events.emit('peer', s), summary: (s) => this.events.emit('summary', s) },
  );
  /** Services register their protocols here in their start() and open their streams through it. */
  private readonly protocols: SpaceProtocols;

  constructor(
    private readonly components: SpaceNetworkComponents,
    private readonly init: SpaceNetworkInit,
  ) {
    if ((components.replica === undefined) === (components.sharded === undefined)) throw new TypeError('a SpaceNetwork runs over a replica or a sharded space, exactly one');
    this.logger = components.logger;
    this.strikeLimit = init.strikesBeforeDisconnect ?? STRIKES_BEFORE_DISCONNECT;
    this.changeDelayMs = init.changeSyncDelayMs ?? CHANGE_SYNC_DEBOUNCE_MS;
    // Redials go through the mesh, so a peer is never dialed twice at once (a redial and a mesh dial).
    this.book = new PeerBook((peerId) => this.members?.dial(peerId), { strikesBeforeBlock: this.strikeLimit });
    this.protocols = new SpaceProtocols({
      logger: this.logger,
      // A stopped network opens no streams (its node is being stopped).
      node: () => (this.phase === 'stopped' ? undefined : this.node),
      stack: () => this.stack,
      accepting: (peerId) => this.phase === 'running' && !this.book.isBlocked(peerId),
    });
  }

  /** This node's peer id; available once start() has resolved. */
  get peerId(): string {
    if (!this.selfId) throw new NetworkNotRunningError('the network has not started');
    return this.selfId;
  }

  /** Brings the node up and dials known peers; a failed start cleans up after itself. */
  async start(): Promise<void> {
    if (this.phase === 'stopped') throw new NetworkNotRunningError('a stopped SpaceNetwork does not restart; create a new one');
    this.starting ??= (async () => {
      this.phase = 'starting';
      try {
        await this.bringUp();
      } catch (err) {
        await this.tearDown();
        throw err;
      }
    })();
    return this.starting;
  }

  /** Stops timers, sessions and the node (after a start in progress finishes); idempotent. */
  async stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.starting) await Promise.allSettled([this.starting]);
      await this.tearDown();
    })();
    return this.stopping;
  }

  private async bringUp(): Promise<void> {
    const { init } = this;
    const psk = pnetKeyFromSpaceKey(init.spaceKey);
    const privateKey = await privateKeyOf(init.identity);
    this.stack = await loadStack();
    const selfId = this.stack.peerIdFromPrivateKey(privateKey).toString();
    this.selfId = selfId;
    const bootstrap = (await parseAddrs(init.bootstrap ?? [], (err) => this.logger.warn(`ignoring a bootstrap address: ${String(err)}`)))
      .filter((b) => b.peerId !== selfId);
    const { replica, sharded } = this.components;
    const catchUp = sharded ? shardCatchUp(sharded, this.logger.child('sync')) : replicaCatchUp(replica!);
    const sync = new SyncCoordinator(
      {
        catchUp,
        logger: this.logger.child('sync'),
        openStream: (peerId, signal) => this.protocols.openStream(catchUp.protocol, peerId, signal),
        strike: (peerId, err) => this.strike(peerId, err, 'sync'),
        changed: (peerId) => this.emitStatus(peerId),
        connectedPeers: () => this.connectedIds(),
        registrar: this.protocols,
      },
      { selfId, antiEntropyMs: init.antiEntropyMs, idleTimeoutMs: init.syncIdleTimeoutMs },
    );
    this.sync = sync;
    const hello = new SpaceHello(
      {
        logger: this.logger.child('hello'),
        openStream: (peerId, signal) => this.protocols.openStream(HELLO_PROTOCOL, peerId, signal),
        changed: (peerId) => {
          this.emitStatus(peerId);
          this.presenceOf?.renamed(peerId);
        },
        greeted: (peerId) => this.members?.greeted(peerId),
        connectedPeers: () => this.connectedIds(),
        registrar: this.protocols,
      },
      { name: init.displayName, device: init.deviceId, known: init.knownPeers },
    );
    this.hello = hello;
    const connections = new SpaceConnections({
      book: this.book,
      logger: this.logger,
      stack: this.stack,
      selfId,
      connected: (peerId) => {
        this.disconnectedSince = undefined;
        sync.connected(peerId);
        hello.connected(peerId);
        this.members?.connected();
        this.emitStatus(peerId);
      },
      disconnected: (peerId) => {
        if (this.connectedIds().length === 0) this.disconnectedSince = Date.now();
        sync.disconnected(peerId);
        this.presenceOf?.disconnected(peerId);
        this.members?.disconnected(peerId);
        this.emitStatus(peerId);
      },
      changed: (peerId) => this.emitStatus(peerId),
      addressesChanged: () => this.members?.addressesChanged(),
    });
    this.connections = connections;
    this.members = new SpaceMembership(
      {
        book: this.book,
        logger: this.logger,
        stack: this.stack,
        selfId,
        openStream: (peerId, signal) => this.protocols.openStream(PEER_EXCHANGE_PROTOCOL, peerId, signal),
        connectedPeers: () => this.connectedIds(),
        announcedAddrs: (peerId) => connections.announced(peerId),
        hasGreeted: (peerId) => hello.hasGreeted(peerId),
        dial: (peerId) => connections.dialKnown(peerId),
        changed: (peerId) => this.emitStatus(peerId),
        registrar: this.protocols,
      },
      { meshTarget: init.meshTarget },
    );
    const listen = init.listen ?? DEFAULT_LISTEN;
    await checkListenAddrs(listen);
    const node = await createSpaceNode({
      privateKey,
      listen,
      announce: init.announce,
      psk,
      topic: topicForSpace(init.spaceId),
      mdnsServiceTag: (init.mdns ?? true) ? mdnsServiceTagForSpace(init.spaceId) : undefined,
      // UPnP discovery multicasts on the LAN like mDNS: the same switch turns both off.
      upnp: (init.mdns ?? true) && !init.relayServer,
      gater: connections.gater(),
      relayServer: init.relayServer,
      metrics: init.traffic,
    });
    this.node = node;
    connections.attach(node);
    // Each service registers its own protocol (js-libp2p's pattern), before the node accepts connections.
    await sync.start();
    await hello.start();
    await node.start();

    const topicComponents = {
      pubsub: node.services.pubsub,
      logger: this.logger.child('gossip'),
      stack: this.stack,
      strike: (peerId: string, err: InvalidPeerDataError) => this.strike(peerId, err, 'gossip'),
      isBlocked: (peerId: string) => this.book.isBlocked(peerId),
    };
    const shardGossip = sharded ? new ShardGossip({ ...topicComponents, space: sharded, onMissing: () => sync.afterChange(REMOTE_CHANGE_SYNC_DEBOUNCE_MS) }, shardTopicForSpace(init.spaceId)) : undefined;
    const replicaGossip = replica && !sharded ? new SpaceGossip({ ...topicComponents, replica }, topicForSpace(init.spaceId)) : undefined;
    this.gossip = shardGossip ?? replicaGossip;
    this.gossip?.start();
    this.presenceOf = new SpacePresence(
      {
        pubsub: node.services.pubsub,
        logger: this.logger.child('presence'),
        stack: this.stack,
        selfId,
        isBlocked: (peerId) => this.book.isBlocked(peerId),
        nameOf: (peerId) => this.hello?.nameOf(peerId),
        changed: () => this.events.emit('presence', this.presence()),
      },
      { topic: presenceTopicForSpace(init.spaceId) },
    );
    this.presenceOf.start();
    this.presenceOf.set(this.localPresence);
    const localChange = () => {
      this.status.refreshAll();
      sync.afterChange(this.changeDelayMs);
    };
    const remoteChanges = () => {
      this.status.refreshAll();
      // Jittered, so two receivers of the same change rarely open sessions to each other at once.
      const delay = Math.max(this.changeDelayMs, REMOTE_CHANGE_SYNC_DEBOUNCE_MS);
      sync.afterChange(delay + Math.floor(Math.random() * (delay / 2)));
    };
    if (replicaGossip) {
      this.unsubscribe.push(
        replica!.events.on('local-change', (change) => {
          void replicaGossip.publish(change);
          localChange();
        }),
        replica!.events.on('remote-changes', remoteChanges),
      );
    }
    if (shardGossip) {
      this.unsubscribe.push(
        sharded!.events.on('local-change', ({ shard, change }) => {
          void shardGossip.publish(shard, change);
          localChange();
        }),
        sharded!.events.on('remote-changes', remoteChanges),
      );
    }
    this.phase = 'running';
    this.disconnectedSince = Date.now();

    for (const known of init.knownPeers ?? []) this.book.learn(known.peerId, known.addrs, known.lastSeen);
    for (const b of bootstrap) if (b.peerId) this.book.learn(b.peerId, [b.addr]);
    // The invite's and bootstrap members first; then the mesh picks among the members we know.
    await this.members.start(bootstrap.flatMap((b) => (b.peerId ? [b.peerId] : [])));
    for (const b of bootstrap) if (!b.peerId) void connections.dial(b.addr).catch((err: unknown) => this.logger.warn(describeError(err)));
    this.logger.info(`space network up as ${this.selfId} on ${this.addresses().join(' ')}`);
  }

  /** Dialable addresses of this node, each ending in /p2p/<peerId> (wildcards expanded by libp2p). */
  addresses(): string[] {
    if (!this.node || !this.selfId) return [];
    const self = this.selfId;
    return this.node
      .getMultiaddrs()
      .filter(isDialable)
      .map((ma) => withPeer(splitPeer(ma).addr, self));
  }

  /** Dials an address (an invite's, a user's); resolves with the peer id once connected. */
  async dial(address: string): Promise<string> {
    if (this.phase !== 'running' || !this.connections) throw new NetworkNotRunningError('the network is not running');
    return this.connections.dial(address);
  }

  /**
   * Since when no member has been connected (since start when none ever was); undefined while
   * one is. The front ends say "No member reachable" once this is old enough.
   */
  offlineSince(): number | undefined {
    return this.phase === 'running' ? this.disconnectedSince : undefined;
  }

  /** Peers worth remembering across restarts (not blocked, with addresses), with their names and devices. */
  knownPeers(): KnownPeer[] {
    return this.book
      .known()
      .filter((p) => p.peerId !== this.selfId)
      .map((p) => this.hello?.labelled(p) ?? p);
  }

  /** Ids of the peers we are connected to (cheap: no sync state is read). */
  connectedPeers(): string[] {
    return this.connectedIds();
  }

  peers(): PeerStatus[] {
    return this.status.peers();
  }

  summary(): SpaceSummary {
    return this.status.summary();
  }

  /** Members holding a reservation on our relay (serve), or undefined when we run none. */
  relayReservations(): number | undefined {
    return this.node?.services.relay?.reservations.size;
  }

  /** Peers in our gossip mesh for the space topic (changes we publish or relay reach them directly). */
  gossipPeers(): string[] {
    return this.gossip?.meshPeers() ?? [];
  }

  /** Changes the name peers see for us, and tells the connected ones. */
  setDisplayName(name: string): void {
    this.hello?.setName(name);
  }

  /**
   * The entry we have open and our selections in it (character offsets into its document), or
   * undefined when none is open. Ephemeral: sent to the space's members, never written to a log.
   */
  setPresence(presence: LocalPresence | undefined): void {
    this.localPresence = presence;
    this.presenceOf?.set(presence);
  }

  /** Peers that have an entry open, with their selections; names from their hellos. */
  presence(): PeerPresence[] {
    return this.presenceOf?.list() ?? [];
  }

  /** A catch-up round with every connected peer now; resolves when the rounds are over. */
  async syncNow(): Promise<void> {
    if (this.phase !== 'running') return;
    const sync = this.sync;
    if (sync) await Promise.all(this.connectedIds().map((id) => sync.request(id)));
  }

  private strike(peerId: string, err: InvalidPeerDataError, source: keyof SpaceNetwork['strikeCounts']): void {
    this.strikeCounts[source] += 1;
    const blocked = this.book.strike(peerId);
    this.logger.warn(`peer ${peerId} sent bad data (strike ${this.book.strikes(peerId)}/${this.strikeLimit}): ${err.name}: ${err.message}`);
    if (blocked && this.phase === 'running') {
      this.logger.warn(`hanging up on ${peerId} and refusing it until ${new Date(this.book.blockedUntil(peerId) ?? 0).toISOString()}`);
      this.connections?.hangUp(peerId);
    }
    this.emitStatus(peerId);
  }

  /** What the status projection (status.ts) reads about one peer. */
  private factsOf(peerId: string): PeerFacts {
    return {
      peerId,
      name: this.hello?.nameOf(peerId),
      device: this.hello?.deviceOf(peerId),
      addrs: this.book.addrs(peerId).map((a) => withPeer(a, peerId)),
      connected: this.book.isConnected(peerId),
      via: this.connections?.via(peerId),
      strikes: this.book.strikes(peerId),
      blockedUntil: this.book.blockedUntil(peerId),
      sync: this.sync?.view(peerId) ?? { running: false, last: undefined, lastSyncAt: undefined, progress: undefined },
    };
  }

  /** Emits `peer` when this peer's line changed and `summary` when the counts did. */
  private emitStatus(peerId: string): void {
    this.status.changed(peerId);
  }

  private connectedIds(): string[] {
    return this.book.ids().filter((id) => id !== this.selfId && this.book.isConnected(id));
  }

  private async tearDown(): Promise<void> {
    if (this.tornDown) return;
    this.tornDown = true;
    this.phase = 'stopped';
    for (const off of this.unsubscribe.splice(0)) off();
    this.connections?.detach();
    this.book.stop();
    this.presenceOf?.stop();
    await this.hello?.stop();
    await this.members?.stop();
    await this.sync?.stop();
    await this.gossip?.stop();
    await this.node?.stop();
    // The node's disconnect events are no longer followed: record the disconnects here.
    for (const peerId of this.connectedIds()) {
      this.book.disconnected(peerId); // no redial: the book is stopped
      this.emitStatus(peerId);
    }
    this.logger.info('space network stopped');
  }
}

/** js-libp2p-style factory: `spaceNetwork(init)(components)`. */
export function spaceNetwork(init: SpaceNetworkInit): (components: SpaceNetworkComponents) => SpaceNetwork {
  return (components) => new SpaceNetwork(components, init);
}
