/**
 * `npm run bench -- --relay`: live latency between two members (publish on A until visible on B)
 * when they are connected directly, when their only path is an always-on peer that is a member
 * (it applies and re-gossips each change), and over a circuit relay v2 connection through it.
 * Loopback, so the figures are the software cost of each path, not a network's.
 */
import type { SpacePeer } from '../src/engine/space-peer.js';
import { benchSpace, endpoint, seededFolder, startPeer, viaPort } from './ours.js';
import { liveLatency, type Latency } from './sync.js';
import { until } from './wire.js';

export type RelayPath = 'direct' | 'through the always-on peer' | 'circuit relay';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One path: an always-on peer S (relay server), A and B, connected as `path` says. */
export async function relayedLive(path: RelayPath, ops: number, saved: Uint8Array): Promise<Latency & { bConnections: string[] }> {
  const space = benchSpace();
  const peers: SpacePeer[] = [];
  try {
    const server = await startPeer(await seededFolder('relay-s', space, saved), space, [], 'Server', { relayServer: { maxReservations: 8 } });
    peers.push(server);
    const s = endpoint(server);
    const a = await startPeer(await seededFolder('relay-a', space, saved), space, [viaPort(s.port, s.peerId)], 'A');
    peers.push(a);
    const circuit = `${viaPort(s.port, s.peerId)}/p2p-circuit/p2p/${a.network.peerId}`;
    await until('A to hold a reservation', () => a.network.addresses().some((x) => x.includes('/p2p-circuit/')), 30_000, 20);
    const aDirect = viaPort(endpoint(a).port, a.network.peerId);
    const bBootstrap = path === 'direct' ? [viaPort(s.port, s.peerId), aDirect] : path === 'circuit relay' ? [viaPort(s.port, s.peerId), circuit] : [viaPort(s.port, s.peerId)];
    const b = await startPeer(await seededFolder('relay-b', space, saved), space, bBootstrap, 'B');
    peers.push(b);
    const wanted = path === 'through the always-on peer' ? 1 : 2;
    await until(`B to connect (${path})`, () => b.network.peers().filter((p) => p.connected).length >= wanted, 30_000, 20);
    await sleep(2_500); // gossipsub builds its mesh on its heartbeat (1 s)
    const latency = await liveLatency(a, b, ops);
    return { ...latency, bConnections: b.network.peers().filter((p) => p.connected).map((p) => (p.peerId === s.peerId ? 'server' : 'A')) };
  } finally {
    await Promise.allSettled(peers.map((p) => p.close()));
  }
}
