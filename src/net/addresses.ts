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

/**
 * What our transports dial: WebSockets, directly or through a relay reached over WebSockets
 * (`…/ws/p2p/<relay>/p2p-circuit`, an always-on peer's reservation); not a bare /p2p.
 */
export function isDialable(ma: Multiaddr): boolean {
  const names = ma.getComponents().map((c) => c.name);
  return names.includes('ws') || names.includes('wss');
}

/** A relayed address (`…/p2p-circuit…`). */
export function isRelayed(ma: Multiaddr | string): boolean {
  return ma.toString().includes('/p2p-circuit');
}

/** An address with /p2p/<peerId> appended exactly once. */
export function withPeer(addr: string, peerId: string): string {
  return addr.endsWith(`/p2p/${peerId}`) ? addr : `${addr}/p2p/${peerId}`;
}
