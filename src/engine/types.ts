/**
 * The types the front ends show, re-exported from the layers below: src/cli and src/extension
 * import src/engine only (never src/net or src/storage; lint enforces it), and this module is
 * types only, so importing it loads nothing.
 */
export type { ConnectionKind, KnownPeer, LocalPresence, PeerPresence, PeerState, PeerStatus, Selection, SpaceSummary } from '../net/space-network.js';
export type { TrafficMeter } from '../net/traffic.js';
