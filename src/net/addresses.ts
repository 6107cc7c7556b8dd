import type { Multiaddr } from '@multiformats/multiaddr';
import { InvalidNetworkConfigError } from './errors.js';
import { loadStack } from './stack.js';

/** Multiaddr code of the /p2p/<peer id> component. */
const P2P = 421;

/** A parsed address: the peer id it names (if any) and the address without it. */
export interface ParsedAddr {
  peerId: string | undefined;
  /** Without a trailing /p2p/<id>; this is what the peer book stores. */
  addr: string;
}

export async function parseAddr(text: string): Promise<ParsedAddr> {
  const { multiaddr } = await loadStack();
  let ma: Multiaddr;
  try {
    ma = multiaddr(text);
  } catch (err) {
    throw new InvalidNetworkConfigError(`not a multiaddr: ${text}`, { cause: err });
  }
  return splitPeer(ma);
}

/**
 * Checks listen addresses before the node starts: each must parse and be a WebSocket address
 * (the one transport this node runs), so a wrong one is a clear error instead of libp2p's.
 */
export async function checkListenAddrs(list: readonly string[]): Promise<void> {
  for (const text of list) {
    const { addr } = await parseAddr(text).catch((err: unknown) => {
      throw new InvalidNetworkConfigError(`cannot listen on "${text}": not a multiaddr (e.g. /ip4/0.0.0.0/tcp/4001/ws)`, { cause: err });
    });
    const { multiaddr } = await loadStack();
    if (!isDialable(multiaddr(addr))) {
      throw new InvalidNetworkConfigError(`cannot listen on "${text}": only WebSocket addresses are supported, ending in /ws (e.g. ${addr.replace(/\/ws$/, '')}/ws)`);
    }
  }
}

/** Parses a list, skipping (and reporting) entries that are not multiaddrs. */
export async function parseAddrs(list: readonly string[], onInvalid: (err: unknown) => void): Promise<ParsedAddr[]> {
  const parsed: ParsedAddr[] = [];
  for (const text of list) {
    try {
      parsed.push(await parseAddr(text));
    } catch (err) {
      onInvalid(err);
    }
  }
  return parsed;
}

export function splitPeer(ma: Multiaddr): ParsedAddr {
  const p2p = ma.getComponents().findLast((c) => c.code === P2P);
  return { peerId: p2p?.value, addr: p2p ? ma.decapsulateCode(P2P).toString() : ma.toString() };
}

/** Only what our transport dials directly: WebSockets, not relayed, not a bare /p2p. */
export function isDialable(ma: Multiaddr): boolean {
  const names = ma.getComponents().map((c) => c.name);
  return (names.includes('ws') || names.includes('wss')) && !names.includes('p2p-circuit');
}

/** An address with /p2p/<peerId> appended exactly once. */
export function withPeer(addr: string, peerId: string): string {
  return addr.endsWith(`/p2p/${peerId}`) ? addr : `${addr}/p2p/${peerId}`;
}
