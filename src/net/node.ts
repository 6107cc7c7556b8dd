import type { GossipSub } from '@libp2p/gossipsub';
import type { Identify } from '@libp2p/identify';
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2';
import type { ConnectionGater, Metrics, PrivateKey } from '@libp2p/interface';
import type { Ping } from '@libp2p/ping';
import type { Libp2p, Libp2pOptions } from 'libp2p';
import {
  CIRCUIT_LISTEN,
  DIAL_TIMEOUT_MS,
  INBOUND_CONNECTIONS_PER_HOST_PER_S,
  INBOUND_UPGRADE_TIMEOUT_MS,
  MAX_GOSSIP_RPC_BYTES,
  MAX_INBOUND_PENDING,
  RELAY_HOP_TIMEOUT_MS,
} from './constants.js';
import { loadStack } from './stack.js';

export type SpaceServices = { identify: Identify; ping: Ping; pubsub: GossipSub; dcutr: unknown; relay?: CircuitRelayService; upnp?: unknown };
export type SpaceLibp2p = Libp2p<SpaceServices>;

export interface SpaceNodeOptions {
  privateKey: PrivateKey;
  listen: string[];
  /** Addresses told to peers instead of the listening ones (port forwards, NAT); none: the listening ones. */
  announce?: string[];
  /** Swarm key file bytes (see keys.ts pnetKeyFromSpaceKey). */
  psk: Uint8Array;
  /** The space's gossip topic (scored: invalid messages lower the sender's gossipsub score). */
  topic: string;
  /** mDNS discovery with this service tag; off when undefined. */
  mdnsServiceTag: string | undefined;
  gater: ConnectionGater;
  /**
   * Run a circuit relay v2 server for the space's members (an always-on peer): at most this many
   * reservations at once. Relayed connections get no data or time limit, so the app's protocols
   * and gossipsub run on them unchanged (the private network already keeps outsiders out).
   */
  relayServer?: { maxReservations: number };
  /**
   * Ask the home router (UPnP IGD / NAT-PMP, found by SSDP multicast on the LAN) to forward our
   * listening port, and give peers the mapped public address. Off with mDNS (tests, servers).
   */
  upnp?: boolean;
  /** Counts traffic per protocol (libp2p's metrics component); none by default. */
  metrics?: Metrics;
}

/** The libp2p stack of a space, created stopped so the caller can attach listeners first. */
export async function createSpaceNode(options: SpaceNodeOptions): Promise<SpaceLibp2p> {
  const s = await loadStack();
  // No bootstrap discovery module: SpaceMesh dials an invite's members itself. The module dialed
  // them a second time about a second later, and on a busy host those extra handshakes hit the
  // remote's per-host rate limit and failed (measured: half the early dials in a 10-member mesh).
  const discovery: NonNullable<Libp2pOptions['peerDiscovery']> = [];
  if (options.mdnsServiceTag) discovery.push(s.mdns({ serviceTag: options.mdnsServiceTag }));
  return s.createLibp2p<SpaceServices>({
    start: false,
    privateKey: options.privateKey,
    addresses: {
      // '/p2p-circuit': hold a reservation on a relay among our peers (an always-on member) and be
      // reachable through it; the relay itself need not listen there.
      listen: options.relayServer ? options.listen : [...options.listen, CIRCUIT_LISTEN],
      ...(options.announce && options.announce.length > 0 ? { announce: options.announce } : {}),
    },
    transports: [s.webSockets(), s.circuitRelayTransport()],
    connectionProtector: s.preSharedKey({ psk: options.psk }),
    connectionEncrypters: [s.noise()],
    streamMuxers: [s.yamux()],
    connectionGater: options.gater,
    connectionManager: {
      dialTimeout: DIAL_TIMEOUT_MS,
      // Silent sockets from one address cannot hold every handshake slot (see constants.ts).
      inboundUpgradeTimeout: INBOUND_UPGRADE_TIMEOUT_MS,
      inboundConnectionThreshold: INBOUND_CONNECTIONS_PER_HOST_PER_S,
      maxIncomingPendingConnections: MAX_INBOUND_PENDING,
    },
    peerDiscovery: discovery,
    ...(options.metrics ? { metrics: () => options.metrics as Metrics } : {}),
    services: {
      // Upgrades a relayed connection to a direct one when either side is reachable.
      dcutr: s.dcutr(),
      // A mapping the router made is trusted at once: AutoNAT, which would verify it, broke relay
      // reservations (STACK.md), and a wrong address only costs a failed dial.
      ...(options.upnp ? { upnp: s.uPnPNAT({ autoConfirmAddress: true, portMappingDescription: 'Shared Notes' }) } : {}),
      ...(options.relayServer
        ? {
            relay: s.circuitRelayServer({
              hopTimeout: RELAY_HOP_TIMEOUT_MS,
              reservations: { maxReservations: options.relayServer.maxReservations, applyDefaultLimit: false },
            }),
          }
        : {}),
      identify: s.identify(),
      ping: s.ping(),
      pubsub: s.gossipsub({
        globalSignaturePolicy: 'StrictSign',
        emitSelf: false,
        // A change nobody hears yet is not an error: peers get it by catch-up sync.
        allowPublishToZeroTopicPeers: true,
        maxInboundDataLength: MAX_GOSSIP_RPC_BYTES,
        doPX: false,
        scoreParams: {
          // Every member holds the space key, and many share an address (one LAN behind one NAT,
          // several peers on one machine): the default penalty for more than 10 peers from one IP
          // made such peers score below zero, and gossipsub pruned all of them from its mesh.
          IPColocationFactorWeight: 0,
          topics: {
            // Only invalid messages count (P4, quadratic): a notes space is quiet, so the
            // delivery-rate terms of the defaults would punish honest peers. Our own strikes
            // (SpaceNetwork) hang up well before this reaches gossipsub's graylist threshold.
            [options.topic]: s.createTopicScoreParams({
              topicWeight: 1,
              timeInMeshWeight: 0,
              firstMessageDeliveriesWeight: 0,
              meshMessageDeliveriesWeight: 0,
              meshFailurePenaltyWeight: 0,
              invalidMessageDeliveriesWeight: -1,
              invalidMessageDeliveriesDecay: 0.9,
            }),
          },
        },
      }),
    },
  });
}
