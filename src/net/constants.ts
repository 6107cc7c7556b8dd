/** Protocol ids, limits, timeouts and defaults of the network layer, in one place. */

/** The catch-up protocol: length-prefixed Automerge sync messages on one stream. */
export const SYNC_PROTOCOL = '/shared-notes/sync/1.0.0';
/** The catch-up protocol of a sharded space (schema v2): per-shard digests, then only the shards that differ. */
export const SHARD_SYNC_PROTOCOL = '/shared-notes/shards/1.0.0';

/** Default listen address: WebSockets on every interface, any free port. */
export const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/0/ws'];

/** Listen address meaning "be reachable through a relay among our peers" (circuit relay v2). */
export const CIRCUIT_LISTEN = '/p2p-circuit';
/** Reservations an always-on peer's relay holds at once (members behind NAT), by default. */
export const DEFAULT_MAX_RESERVATIONS = 128;
/** A relay request (HOP stream) must complete within this. */
export const RELAY_HOP_TIMEOUT_MS = 15_000;

/** One sync frame (one Automerge sync message). A 10k-change catch-up measured ~154 KB. */
export const MAX_SYNC_FRAME_BYTES = 16 * 1024 * 1024;
/** Read buffer of a sync stream: one full frame plus its length prefix and a little slack. */
export const SYNC_READ_BUFFER_BYTES = MAX_SYNC_FRAME_BYTES + 64 * 1024;
/** Every read of a sync frame must complete within this, or the session ends. */
export const SYNC_IDLE_TIMEOUT_MS = 15_000;
/** A whole sync session ends after this, finished or not (the next round resumes). */
export const SYNC_SESSION_CAP_MS = 5 * 60_000;
/** Frames one session may exchange; the Automerge protocol converges in a handful. */
export const MAX_SYNC_ROUNDS = 1_000;
/** Concurrent inbound sync streams per connection; we run one session per peer anyway. */
export const MAX_INBOUND_SYNC_STREAMS = 2;

/** Largest gossip payload; larger changes reach peers by catch-up sync instead. */
export const MAX_GOSSIP_MESSAGE_BYTES = 1024 * 1024;
/** Ops one gossiped change may decode to (characters, keys…); larger changes go by catch-up sync,
 *  where they are applied in slices. Gossip is applied inside the topic validator, so this bounds
 *  how long one message holds the event loop. Deflated change chunks are refused in gossip. */
export const MAX_GOSSIP_CHANGE_OPS = 20_000;
/** Value bytes (UTF-8 of inserted text) one gossiped change may decode to. */
export const MAX_GOSSIP_CHANGE_VALUE_BYTES = 256 * 1024;
/** Largest gossipsub RPC accepted; an IWANT reply can batch several full-size messages. */
export const MAX_GOSSIP_RPC_BYTES = 4 * MAX_GOSSIP_MESSAGE_BYTES + 64 * 1024;

/** Each side announces its display name on connect (and when it changes): one small frame. */
export const HELLO_PROTOCOL = '/shared-notes/hello/1.0.0';
/** One hello frame: `{"name": …}` of at most 100 characters fits with room to spare. */
export const MAX_HELLO_BYTES = 1024;
/** Opening, writing or reading a hello must complete within this. */
export const HELLO_TIMEOUT_MS = 5_000;
/** Concurrent inbound hello streams per connection (one is normal). */
export const MAX_INBOUND_HELLO_STREAMS = 2;

/** Catch-up with every connected peer this often (configurable per SpaceNetwork). */
export const DEFAULT_ANTI_ENTROPY_MS = 30_000;
/** After a local or remote change, a quick sync round confirms peers have it (debounced). */
export const CHANGE_SYNC_DEBOUNCE_MS = 100;
/** ...but rounds after changes start at most this often (someone typing changes the space every few ms). */
export const CHANGE_SYNC_MIN_GAP_MS = 2_000;

/** Redial of a known peer after a disconnect or failed dial: 1 s doubling up to 60 s. */
export const REDIAL_INITIAL_MS = 1_000;
export const REDIAL_MAX_MS = 60_000;
/** A single dial attempt gives up after this (pnet failures can otherwise take the full timeout). */
export const DIAL_TIMEOUT_MS = 10_000;

/**
 * Inbound connection slots an outsider cannot hold. A socket that never completes the private
 * network + noise + yamux handshake is dropped after INBOUND_UPGRADE_TIMEOUT_MS (libp2p: 10 s),
 * and one address may open at most INBOUND_CONNECTIONS_PER_HOST_PER_S per second (libp2p's rate
 * limiter), so one address holds at most ~threshold × timeout = 25 of the MAX_INBOUND_PENDING
 * handshake slots (libp2p: 10 slots in all, which ten silent sockets filled).
 */
export const INBOUND_UPGRADE_TIMEOUT_MS = 5_000;
export const INBOUND_CONNECTIONS_PER_HOST_PER_S = 5;
export const MAX_INBOUND_PENDING = 128;

/** Malformed gossip or sync frames tolerated from one peer before we hang up on it. */
export const STRIKES_BEFORE_DISCONNECT = 3;
/** How long a peer that used up its strikes may not connect or be redialed. */
export const BLOCK_DURATION_MS = 10 * 60_000;
/**
 * Most peers a space's peer book holds. A change signed by any fresh key adds an entry for its
 * author (to count strikes); past this, identities that never connected go first.
 */
export const MAX_PEER_BOOK_ENTRIES = 1_000;

/** Domain-separation labels so keys and topics derived from the same inputs never collide. */
export const PSK_LABEL = 'shared-notes/pnet-psk/v1';
export const TOPIC_LABEL = 'shared-notes/gossip-topic/v1';
/** A sharded space's gossip topic (another format: a v1 peer never sees it). */
export const SHARD_TOPIC_LABEL = 'shared-notes/gossip-topic/v2';
export const MDNS_LABEL = 'shared-notes/mdns-tag/v1';
/** Length of the space key an invite carries. */
export const SPACE_KEY_BYTES = 32;
/** The receiver of a change waits longer, so the author's round usually confirms it first. */
export const REMOTE_CHANGE_SYNC_DEBOUNCE_MS = 300;
/** On connect the lower peer id starts the catch-up; the other side starts one if none came. */
export const CONNECT_SYNC_FALLBACK_MS = 3_000;
/** A peer found by mDNS that we could not dial is not tried again for this long. */
export const DISCOVERY_RETRY_MS = 60_000;

/** Presence (who has which entry open, their selections): ephemeral gossip on a second topic of the space. */
export const PRESENCE_VERSION = 1;
/** A presence message is small JSON; anything larger is malformed (checked before it is parsed). */
export const MAX_PRESENCE_BYTES = 4 * 1024;
/** Selections kept from one message (multi-cursor); more are cut off. */
export const MAX_PRESENCE_SELECTIONS = 20;
/** Largest character offset accepted (entries hold at most a few million characters). */
export const MAX_PRESENCE_OFFSET = 16 * 1024 * 1024;
/** A change of our presence is sent at most this often; the last state always goes out. */
export const PRESENCE_THROTTLE_MS = 100;
/** While an entry is open, our presence is repeated this often (nothing else sent meanwhile). */
export const PRESENCE_HEARTBEAT_MS = 2_000;
/** A peer's presence is dropped this long after its last message (three heartbeats missed). */
export const PRESENCE_EXPIRY_MS = 6_000;
/** Presence messages accepted per author: a bucket of this many, refilled at PRESENCE_RATE_PER_S. */
export const PRESENCE_BURST = 30;
export const PRESENCE_RATE_PER_S = 15;
/** Authors whose presence is tracked at once; messages from more are ignored. */
export const MAX_PRESENCE_PEERS = 256;

/** Peer exchange: members tell each other where the members they are connected to can be reached. */
export const PEER_EXCHANGE_PROTOCOL = '/shared-notes/peers/1.0.0';
/** One peer list frame (JSON); 32 peers with 4 addresses each fit with room to spare. */
export const MAX_PEER_EXCHANGE_BYTES = 12 * 1024;
/** Peers one list may name, addresses per peer, and characters per address. */
export const MAX_PEER_EXCHANGE_PEERS = 32;
export const MAX_PEER_EXCHANGE_ADDRS = 4;
export const MAX_PEER_EXCHANGE_ADDR_LENGTH = 256;
/** Opening, writing or reading a peer list must complete within this. */
export const PEER_EXCHANGE_TIMEOUT_MS = 5_000;
/** After our connections or a member's addresses change, the lists go out this much later (coalesced)… */
export const PEER_EXCHANGE_DEBOUNCE_MS = 200;
/** …and at most this often. */
export const PEER_EXCHANGE_MIN_INTERVAL_MS = 1_000;
/** Peer lists accepted from one peer: a bucket of this many, refilled at PEER_EXCHANGE_RATE_PER_S. */
export const PEER_EXCHANGE_BURST = 5;
export const PEER_EXCHANGE_RATE_PER_S = 1;
/** Concurrent inbound peer-exchange streams per connection (one is normal). */
export const MAX_INBOUND_PEER_EXCHANGE_STREAMS = 2;
/** Peers learned from others are not added past this many in the book (addresses of known ones still are). */
export const MAX_EXCHANGED_BOOK_PEERS = 256;
/** The mesh: each member dials others until it holds this many connections (all of them in small spaces). */
export const MESH_TARGET_CONNECTIONS = 8;
/** Mesh dials running at once, and the random delay before each (see SpaceMesh). */
export const MESH_PARALLEL_DIALS = 3;
export const MESH_DIAL_JITTER_MS = 300;
/** Of two members that heard of each other from peer lists, the one with the greater id dials only after this (see SpaceMesh). */
export const MESH_YIELD_MS = 3_000;
/** A peer list naming a member we wait to redial cuts the wait short at most this often per member. */
export const MESH_HURRY_GAP_MS = 30_000;
/** How often the mesh is checked (and topped up) besides on connect, disconnect and new peers. */
export const MESH_CHECK_MS = 5_000;
