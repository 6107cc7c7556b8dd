/**
 * Live propagation, cold and warm catch-up: our stack, automerge-repo and the physical floor on
 * the same documents, in the same process and run. Each function returns its figures; run.ts
 * prints them side by side.
 */
import * as A from '@automerge/automerge';
import { newEntryId } from '../src/core/ids.js';
import { bucketFor, type SpaceDoc } from '../src/core/layout.js';
import type { SpacePeer } from '../src/engine/space-peer.js';
import * as amrepo from './amrepo.js';
import { noteValue, publishMessage, publishOne } from './fixture.js';
import { benchSpace, endpoint, headsKey, seededFolder, startPeer, viaPort } from './ours.js';
import { median, quantile } from './table.js';
import { countingProxy, loopbackRoundTrips, loopbackTransfer, until } from './wire.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const WARM_UP_OPS = 10;

export interface Latency {
  p50: number;
  p99: number;
}
const latency = (xs: number[]): Latency => ({ p50: quantile(xs, 0.5), p99: quantile(xs, 0.99) });

export interface CatchUp {
  ms: number;
  /** Wire bytes from the peer catching up / to it. */
  up: number;
  down: number;
}

/** Size of one publish change: what live propagation carries. */
export function publishChangeBytes(saved: Uint8Array): number {
  const doc = publishOne(A.load<SpaceDoc>(saved), 1);
  return A.getLastLocalChange(doc)!.byteLength;
}

/** Floor for live propagation: loopback round trip of a frame of the size of one change. */
export async function liveFloor(size: number, ops: number): Promise<Latency> {
  return latency(await loopbackRoundTrips(size, ops));
}

/** Our peers in a line (peer i dials peer i-1): publish on the first until visible on the last. */
export async function oursLive(peerCount: number, ops: number, saved: Uint8Array): Promise<Latency & { connections: number[] }> {
  const space = benchSpace();
  const peers: SpacePeer[] = [];
  try {
    for (let i = 0; i < peerCount; i++) {
      const prev = peers[i - 1];
      const bootstrap = prev ? [viaPort(endpoint(prev).port, prev.network.peerId)] : [];
      // One connection each, so it stays a line (the mesh would connect the ends directly).
      peers.push(await startPeer(await seededFolder(`live${i}`, space, saved), space, bootstrap, `Peer ${i}`, { meshTarget: 1 }));
    }
    const connected = (p: SpacePeer) => p.network.peers().filter((s) => s.connected).length;
    await until('the line to connect', () => peers.every((p, i) => connected(p) >= (i === 0 || i === peerCount - 1 ? 1 : 2)), 60_000, 20);
    await sleep(2_500); // gossipsub builds its mesh on its heartbeat (1 s)
    return { ...(await liveLatency(peers[0]!, peers.at(-1)!, ops)), connections: peers.map(connected) };
  } finally {
    await Promise.allSettled(peers.map((p) => p.close()));
  }
}

/** Publishes on `first` until each note is visible on `last`: p50/p99 after a warm-up. */
export async function liveLatency(first: SpacePeer, last: SpacePeer, ops: number): Promise<Latency> {
  const times: number[] = [];
  for (let i = 0; i < ops + WARM_UP_OPS; i++) {
    const draft = await first.log.createNote({ title: `Live ${i}`, body: 'Propagation probe' });
    const seen = new Promise<number>((resolve) => {
      const off = last.log.events.on('changed', (c) => {
        if (c.ids.includes(draft.id)) {
          off();
          resolve(performance.now());
        }
      });
    });
    const start = performance.now();
    await first.log.publish(draft.id);
    const arrived = await Promise.race([seen, sleep(30_000).then(() => NaN)]);
    if (Number.isNaN(arrived)) throw new Error(`op ${i} did not arrive within 30 s`);
    if (i >= WARM_UP_OPS) times.push(arrived - start);
    await sleep(10);
  }
  return latency(times);
}

/** automerge-repo peers in a line (each a WebSocket client of the previous one's server). */
export async function repoLive(peerCount: number, ops: number, saved: Uint8Array): Promise<Latency> {
  const m = await amrepo.load();
  const peers: amrepo.RepoPeer[] = [];
  try {
    const handles: amrepo.DocHandle[] = [];
    for (let i = 0; i < peerCount; i++) {
      const prev = peers[i - 1];
      const peer = await amrepo.repoPeer(`live${i}`, { serve: i < peerCount - 1, connectTo: prev ? [prev.port!] : [] });
      peers.push(peer);
      // Every peer starts from the same document, as ours do (a find() through a relay can stall).
      handles.push(i === 0 ? peer.repo.import<SpaceDoc>(saved) : peer.repo.import<SpaceDoc>(saved, { docId: handles[0]!.documentId }));
    }
    const first = handles[0]!;
    const last = handles.at(-1)!;
    await until('the line to sync', () => headsKey(last.heads()) === headsKey(first.heads()), 120_000, 20);
    const imm = (s: string) => new m.am.ImmutableString(s);
    const times: number[] = [];
    for (let i = 0; i < ops + WARM_UP_OPS; i++) {
      const id = newEntryId();
      const at = Date.now();
      const seen = new Promise<number>((resolve) => {
        const onChange = ({ doc }: { doc: unknown }) => {
          if (bucketFor(doc as SpaceDoc, id)?.[id]) {
            last.off('change', onChange);
            resolve(performance.now());
          }
        };
        last.on('change', onChange);
      });
      const start = performance.now();
      first.change((d) => {
        bucketFor(d, id)![id] = noteValue(i, at, imm);
      }, { message: publishMessage(id, at), time: Math.floor(at / 1000) });
      const arrived = await Promise.race([seen, sleep(30_000).then(() => NaN)]);
      if (Number.isNaN(arrived)) throw new Error(`automerge-repo: op ${i} did not reach the last of ${peerCount} peers within 30 s`);
      if (i >= WARM_UP_OPS) times.push(arrived - start);
      await sleep(10);
    }
    return latency(times);
  } finally {
    for (const p of peers.reverse()) await p.close().catch(() => undefined);
  }
}

/** Our catch-up: a running peer holding `have` (or nothing) dials one holding `full`, through the counting proxy. */
export async function oursCatchUp(full: Uint8Array, have?: Uint8Array): Promise<CatchUp> {
  const space = benchSpace();
  const a = await startPeer(await seededFolder('catchup-a', space, full), space, [], 'Full');
  const b = await startPeer(await seededFolder('catchup-b', space, have), space, [], 'Behind');
  const proxy = await countingProxy(endpoint(a).port);
  try {
    const target = headsKey(a.log.shared.heads());
    const start = performance.now();
    await b.network.dial(viaPort(proxy.port, a.network.peerId));
    await until('our catch-up', () => headsKey(b.log.shared.heads()) === target);
    return { ms: performance.now() - start, up: proxy.up, down: proxy.down };
  } finally {
    await Promise.allSettled([a.close(), b.close()]);
    await proxy.close();
  }
}

/** automerge-repo's catch-up: a running repo (with `have`, or nothing) connects to a server repo holding `full`. */
export async function repoCatchUp(full: Uint8Array, have?: Uint8Array): Promise<CatchUp> {
  const server = await amrepo.repoPeer('catchup-a', { serve: true });
  const client = await amrepo.repoPeer('catchup-b');
  const proxy = await countingProxy(server.port!);
  try {
    const handle = server.repo.import<SpaceDoc>(full);
    await server.repo.flush();
    if (have) {
      client.repo.import<SpaceDoc>(have, { docId: handle.documentId });
      await client.repo.flush();
    }
    const target = headsKey(handle.heads());
    const start = performance.now();
    await amrepo.connectRepo(client, proxy.port);
    const found = await client.repo.find<SpaceDoc>(handle.url);
    await until('automerge-repo catch-up', () => headsKey(found.heads()) === target);
    return { ms: performance.now() - start, up: proxy.up, down: proxy.down };
  } finally {
    await client.close().catch(() => undefined);
    await server.close().catch(() => undefined);
    await proxy.close();
  }
}

/** Floor of a cold catch-up: Automerge.save size, its loopback transfer and Automerge.load time (medians of 3). */
export async function coldFloor(full: Uint8Array): Promise<CatchUp & { transferMs: number; loadMs: number }> {
  const transfers: number[] = [];
  const loads: number[] = [];
  for (let i = 0; i < 3; i++) {
    transfers.push(await loopbackTransfer(full));
    const start = performance.now();
    A.load(full);
    loads.push(performance.now() - start);
  }
  const transferMs = median(transfers);
  const loadMs = median(loads);
  return { ms: transferMs + loadMs, transferMs, loadMs, up: 0, down: full.byteLength };
}

/** Floor of a warm catch-up: the missing changes' bytes, their transfer and applying them (median of 3). */
export async function warmFloor(full: Uint8Array, have: Uint8Array): Promise<CatchUp> {
  const behind = A.load<SpaceDoc>(have);
  const missing = A.getChangesSince(A.load<SpaceDoc>(full), A.getHeads(behind));
  const bytes = missing.reduce((n, c) => n + c.byteLength, 0);
  const joined = new Uint8Array(bytes);
  missing.reduce((offset, c) => (joined.set(c, offset), offset + c.byteLength), 0);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const transferMs = await loopbackTransfer(joined);
    const start = performance.now();
    A.applyChanges(A.clone(behind), missing);
    times.push(transferMs + performance.now() - start);
  }
  return { ms: median(times), up: 0, down: bytes };
}
