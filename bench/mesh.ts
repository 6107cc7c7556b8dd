/**
 * `npm run bench -- --mesh`: a 20-member space on loopback where each member joined through a
 * random earlier member (peer exchange builds the mesh), SpaceNetworks in one process over
 * in-memory stores. Live propagation: a random member writes; the time until each other member
 * has the change. Restart: a member stops, the others write, it starts again on its port; the
 * time until it holds its mesh connections again and has every change. Leave: a member stops for
 * good and another writes at once; the time until every remaining member has the change, and
 * until each holds its mesh connections again. Formation (benchFormation): spaces of several
 * sizes, each member invited by a random earlier one or all by the first; the time from the last
 * member's start until every member holds min(8, others) connections and the mesh is one piece.
 */
import { startNode, stopAll, write, type TestNode } from '../test/helpers/net.js';
import { degrees, linked, startMesh, waitForMesh } from '../test/net/mesh-helpers.js';
import { MESH_TARGET_CONNECTIONS } from '../src/net/constants.js';
import { median, quantile } from './table.js';

export interface MeshBench {
  members: number;
  formedMs: number;
  degrees: number[];
  live: { p50: number; p99: number; max: number; samples: number };
  restartMs: number[];
  /** A member left and another wrote at once: ms until each remaining member had the change. */
  afterLeave: { p50: number; max: number; samples: number };
  /** A member left: ms until every remaining member held its mesh connections again (one piece). */
  repairMs: number;
}

export interface MeshFormation {
  members: number;
  invitedBy: 'random' | 'first';
  /** Undefined when the mesh had not formed within FORMATION_TIMEOUT_MS. */
  formedMs: number | undefined;
  degrees: number[];
}

export const FORMATION_TIMEOUT_MS = 120_000;

/** A space of `members` forms; the time from the last member's start until the mesh is complete. */
export async function benchFormation(members: number, invitedBy: 'random' | 'first'): Promise<MeshFormation> {
  const { nodes } = await startMesh(members, { invitedBy });
  try {
    const formedMs = await waitForMesh(nodes, MESH_TARGET_CONNECTIONS, FORMATION_TIMEOUT_MS).catch(() => undefined);
    return { members, invitedBy, formedMs, degrees: degrees(nodes) };
  } finally {
    await stopAll(nodes);
  }
}

const sameHeads = (a: TestNode, b: TestNode): boolean => {
  const x = a.replica.heads();
  const y = new Set(b.replica.heads());
  return x.length === y.size && x.every((h) => y.has(h));
};

async function until(condition: () => boolean, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return performance.now() - started;
}

export async function benchMesh(members: number, ops: number, restarts: number): Promise<MeshBench> {
  const { space, nodes } = await startMesh(members);
  try {
    const formedMs = await waitForMesh(nodes, MESH_TARGET_CONNECTIONS, FORMATION_TIMEOUT_MS);
    const mesh = degrees(nodes);

    // Live: arrival times come from each replica's remote-changes event, not from polling.
    const arrivals = new Map<string, Map<TestNode, number>>();
    const offs = nodes.map((n) =>
      n.replica.events.on('remote-changes', () => {
        const now = performance.now();
        for (const [key, seen] of arrivals) if (!seen.has(n) && n.replica.doc.t?.[key] === 1) seen.set(n, now);
      }),
    );
    const latencies: number[] = [];
    for (let i = 0; i < ops; i++) {
      const from = nodes[Math.floor(Math.random() * nodes.length)]!;
      const key = `live-${i}`;
      const seen = new Map<TestNode, number>([[from, 0]]);
      arrivals.set(key, seen);
      const at = performance.now();
      await write(from, key);
      await until(() => seen.size === nodes.length, 30_000);
      for (const [n, t] of seen) if (n !== from) latencies.push(t - at);
      arrivals.delete(key);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const off of offs) off();

    // Restart: stop a member, write elsewhere, start it again on its port with its identity and store.
    const restartMs: number[] = [];
    for (let r = 0; r < restarts; r++) {
      const i = 1 + Math.floor(Math.random() * (nodes.length - 1));
      const old = nodes[i]!;
      const port = /\/tcp\/(\d+)\//.exec(old.net.addresses()[0] ?? '')?.[1];
      await old.net.stop();
      await write(nodes[0]!, `while-away-${r}`);
      const t0 = performance.now();
      const back = await startNode(old.name, space, { identity: old.identity, replica: old.replica, store: old.store, listen: [`/ip4/127.0.0.1/tcp/${port}/ws`], knownPeers: old.net.knownPeers() });
      nodes[i] = back;
      const others = nodes.filter((n) => n !== back);
      await until(() => back.net.connectedPeers().length >= Math.min(MESH_TARGET_CONNECTIONS, others.length) && others.every((n) => sameHeads(n, back)), 60_000);
      restartMs.push(performance.now() - t0);
    }

    // Leave: a member stops for good; another writes at once. Arrivals from remote-changes events.
    const leaver = nodes.splice(1 + Math.floor(Math.random() * (nodes.length - 1)), 1)[0]!;
    await leaver.net.stop();
    const writer = nodes[Math.floor(Math.random() * nodes.length)]!;
    const arrived = new Map<TestNode, number>([[writer, 0]]);
    const leaveOffs = nodes.map((n) =>
      n.replica.events.on('remote-changes', () => {
        if (!arrived.has(n) && n.replica.doc.t?.['after-leave'] === 1) arrived.set(n, performance.now());
      }),
    );
    const left = performance.now();
    await write(writer, 'after-leave');
    await until(() => arrived.size === nodes.length, 30_000);
    for (const off of leaveOffs) off();
    const afterLeave = [...arrived].filter(([n]) => n !== writer).map(([, t]) => t - left);
    const want = Math.min(MESH_TARGET_CONNECTIONS, nodes.length - 1);
    await until(() => degrees(nodes).every((d) => d >= want) && linked(nodes), 60_000);
    const repairMs = performance.now() - left;
    return {
      members,
      formedMs,
      degrees: mesh,
      live: { p50: median(latencies), p99: quantile(latencies, 0.99), max: Math.max(...latencies), samples: latencies.length },
      restartMs,
      afterLeave: { p50: median(afterLeave), max: Math.max(...afterLeave), samples: afterLeave.length },
      repairMs,
    };
  } finally {
    await stopAll(nodes);
  }
}
