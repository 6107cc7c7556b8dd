import type { KnownPeer } from '../core/known-peer.js';
import type { Logger } from '../core/ports.js';
import type { Replica } from '../core/replica.js';
import type { ShardedSpace } from '../core/shards/sharded-space.js';
import type { PeerPresence } from './presence.js';
import type { PeerStatus, SpaceSummary } from './status.js';
import type { TrafficMeter } from './traffic.js';

/** What a SpaceNetwork is built from (components), how it is set up (init), and what it tells (events). */

export interface SpaceNetworkComponents {
  /** The space's data: one replica (format v1) or a sharded space (v2); exactly one of them. */
  replica?: Replica<unknown>;
  sharded?: ShardedSpace;
  logger: Logger;
}

export interface SpaceNetworkInit {
  spaceId: string;
  /** The 32-byte space key of the invite; the private network's key is derived from it. */
  spaceKey: Uint8Array;
  /** Private key protobuf bytes (keys.ts generateIdentity); the engine stores them. */
  identity: Uint8Array;
  /** Default ['/ip4/0.0.0.0/tcp/0/ws']. */
  listen?: string[];
  /**
   * Addresses peers are told to reach us at (identify, invites) instead of the listening ones:
   * a port forward or a public address in front of this node. Default: the listening addresses.
   */
  announce?: string[];
  /** Multiaddrs to dial at start (an invite's addresses); kept and redialed like known peers. */
  bootstrap?: string[];
  /** LAN multicast: mDNS discovery and UPnP port mapping; default true (tests pass false: both multicast on real interfaces). */
  mdns?: boolean;
  /** Peers remembered from earlier runs (see knownPeers()); dialed at start. */
  knownPeers?: KnownPeer[];
  /** Catch-up with each connected peer this often; default 30 s. */
  antiEntropyMs?: number;
  /** Delay of the confirming sync round after a local change; default 100 ms. */
  changeSyncDelayMs?: number;
  /** Malformed messages tolerated from a peer before hanging up on it; default 3. */
  strikesBeforeDisconnect?: number;
  /** Per-read timeout of a sync session; default 15 s. */
  syncIdleTimeoutMs?: number;
  /** Our display name, announced to every peer (hello protocol); see setDisplayName(). */
  displayName?: string;
  /** Connections kept to other members (the mesh); default MESH_TARGET_CONNECTIONS. */
  meshTarget?: number;
  /** Run a circuit relay v2 server for the members (an always-on peer); see node.ts. */
  relayServer?: { maxReservations: number };
  /** Counts traffic per protocol (for `serve --metrics`). */
  traffic?: TrafficMeter;
  /** Our device id (the author id on our entries), announced with the name. */
  deviceId?: string;
}

export interface SpaceNetworkEvents {
  /** A peer connected, disconnected, changed state or made sync progress. */
  peer: PeerStatus;
  /** The counts changed. */
  summary: SpaceSummary;
  /** Who has which entry open, or their selections, changed (the whole list, as presence() returns it). */
  presence: PeerPresence[];
}
