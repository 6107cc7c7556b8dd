import { InvalidPeerExchangeError } from './errors.js';
import { MAX_PEER_EXCHANGE_ADDR_LENGTH, MAX_PEER_EXCHANGE_ADDRS, MAX_PEER_EXCHANGE_BYTES, MAX_PEER_EXCHANGE_PEERS } from './constants.js';

/**
 * The peer-exchange frame: UTF-8 JSON `{"v":1,"peers":[{"id":"12D3Koo…","addrs":["/ip4/…/ws"]}]}`,
 * the members the sender is connected to and where each can be dialed (addresses without the
 * trailing /p2p/<id>). Other fields are ignored, so a later version may say more. Bounds: at
 * most MAX_PEER_EXCHANGE_BYTES, MAX_PEER_EXCHANGE_PEERS peers, MAX_PEER_EXCHANGE_ADDRS addresses
 * of at most MAX_PEER_EXCHANGE_ADDR_LENGTH characters each; anything over is malformed. Peer ids
 * and multiaddrs are checked by the receiver (peer-exchange.ts), which has the libp2p parsers.
 */

export const PEER_EXCHANGE_VERSION = 1;

export interface ExchangedPeer {
  id: string;
  addrs: string[];
}

/** The frame payload for `peers`, cut to the limits (newest addresses kept, later peers dropped). */
export function encodePeerList(peers: readonly ExchangedPeer[]): Uint8Array {
  const list = peers
    .map((p) => ({ id: p.id, addrs: p.addrs.filter((a) => a.length <= MAX_PEER_EXCHANGE_ADDR_LENGTH).slice(-MAX_PEER_EXCHANGE_ADDRS) }))
    .filter((p) => p.addrs.length > 0)
    .slice(0, MAX_PEER_EXCHANGE_PEERS);
  for (;;) {
    const payload = new TextEncoder().encode(JSON.stringify({ v: PEER_EXCHANGE_VERSION, peers: list }));
    if (payload.byteLength <= MAX_PEER_EXCHANGE_BYTES) return payload;
    list.pop(); // only reachable with very long addresses: 32 × 4 × 256 characters is over the cap
  }
}

/** The peers of a frame payload; InvalidPeerExchangeError when it is malformed or over a limit. */
export function decodePeerList(payload: Uint8Array): ExchangedPeer[] {
  if (payload.byteLength > MAX_PEER_EXCHANGE_BYTES) throw new InvalidPeerExchangeError(`a peer list of ${payload.byteLength} bytes is over ${MAX_PEER_EXCHANGE_BYTES}`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (err) {
    throw new InvalidPeerExchangeError(`a peer list that is not UTF-8 JSON: ${String(err)}`, { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidPeerExchangeError('a peer list that is not a JSON object');
  const { v, peers } = value as { v?: unknown; peers?: unknown };
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new InvalidPeerExchangeError('a peer list without a version');
  if (!Array.isArray(peers)) throw new InvalidPeerExchangeError('a peer list without `peers`');
  if (peers.length > MAX_PEER_EXCHANGE_PEERS) throw new InvalidPeerExchangeError(`a peer list naming ${peers.length} peers (at most ${MAX_PEER_EXCHANGE_PEERS})`);
  return peers.map((p: unknown, i) => {
    if (typeof p !== 'object' || p === null) throw new InvalidPeerExchangeError(`peer ${i} is not an object`);
    const { id, addrs } = p as { id?: unknown; addrs?: unknown };
    if (typeof id !== 'string' || id.length === 0 || id.length > 128) throw new InvalidPeerExchangeError(`peer ${i} has no valid id`);
    if (!Array.isArray(addrs) || addrs.length > MAX_PEER_EXCHANGE_ADDRS) throw new InvalidPeerExchangeError(`peer ${i} needs 0 to ${MAX_PEER_EXCHANGE_ADDRS} addresses`);
    for (const a of addrs) {
      if (typeof a !== 'string' || a.length === 0 || a.length > MAX_PEER_EXCHANGE_ADDR_LENGTH) throw new InvalidPeerExchangeError(`peer ${i} has an address that is not a short string`);
    }
    return { id, addrs: addrs as string[] };
  });
}
