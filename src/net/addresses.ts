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

/** How a peer is connected, as the Peers view and `peers` show it. */
export type ConnectionKind = 'loopback' | 'lan' | 'direct' | 'relayed';

/**
 * The kind of a connection from its remote address: through a relay (a `/p2p-circuit` address,
 * or limits the relay applies), on this machine, on a private network (RFC 1918, link-local,
 * IPv6 ULA), or direct over the internet.
 */
export function connectionKind(remoteAddr: Multiaddr, limited: boolean): ConnectionKind {
  const components = remoteAddr.getComponents();
  if (limited || components.some((c) => c.name === 'p2p-circuit')) return 'relayed';
  const ip = components.find((c) => c.name === 'ip4' || c.name === 'ip6');
  if (!ip?.value) return 'direct';
  return ip.name === 'ip4' ? ip4Kind(ip.value) : ip6Kind(ip.value.toLowerCase());
}

function ip4Kind(ip: string): ConnectionKind {
  const [a = 0, b = 0] = ip.split('.').map(Number);
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)) return 'lan';
  return 'direct';
}

function ip6Kind(ip: string): ConnectionKind {
  if (ip === '::1') return 'loopback';
  if (ip.startsWith('::ffff:')) return ip4Kind(ip.slice(7));
  if (/^f[cd]/.test(ip) || /^fe[89ab]/.test(ip)) return 'lan';
  return 'direct';
}
