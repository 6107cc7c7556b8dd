/** A space of many members on loopback, each joined through a random earlier member: for the mesh tests and `npm run bench -- --mesh`. */
import { startNode, testSpace, waitFor, write, type NodeOptions, type TestNode } from '../helpers/net.js';

export interface Mesh {
  space: { spaceId: string; spaceKey: Uint8Array };
  nodes: TestNode[];
}

/**
 * Starts `n` members one after another; each one's only bootstrap address is a random earlier
 * member's (as if invited by it), or with `invitedBy: 'first'` the first member's. The first
 * member writes `t` first so later keys never race to create the map.
 */
export async function startMesh(n: number, options: NodeOptions & { invitedBy?: 'random' | 'first' } = {}): Promise<Mesh> {
  const { invitedBy = 'random', ...nodeOptions } = options;
  const space = testSpace();
  const nodes: TestNode[] = [];
  for (let i = 0; i < n; i++) {
    const inviter = i === 0 ? undefined : nodes[invitedBy === 'first' ? 0 : Math.floor(Math.random() * i)];
    const node = await startNode(`m${i}`, space, { ...nodeOptions, bootstrap: inviter ? inviter.net.addresses() : [] });
    nodes.push(node);
    if (i === 0) await write(node, 'genesis');
  }
  return { space, nodes };
}

/**
 * Who is connected to whom among `nodes`, read once per node (peers() reads every peer's sync
 * state: polled pairwise for 20 members it alone kept the process busy).
 */
function links(nodes: readonly TestNode[]): Map<TestNode, Set<string>> {
  return new Map(nodes.map((n) => [n, new Set(n.net.connectedPeers())]));
}

/** Members each one is connected to, counted among `nodes`. */
export function degrees(nodes: readonly TestNode[]): number[] {
  const l = links(nodes);
  return nodes.map((n) => nodes.filter((o) => o !== n && l.get(n)?.has(o.net.peerId)).length);
}

/** Whether the connections among `nodes` link all of them (one component). */
export function linked(nodes: readonly TestNode[]): boolean {
  if (nodes.length === 0) return true;
  const l = links(nodes);
  const seen = new Set<TestNode>([nodes[0]!]);
  const queue = [nodes[0]!];
  while (queue.length > 0) {
    const n = queue.shift()!;
    for (const o of nodes) {
      if (seen.has(o) || !l.get(n)?.has(o.net.peerId)) continue;
      seen.add(o);
      queue.push(o);
    }
  }
  return seen.size === nodes.length;
}

/** Every member holds `min(target, others)` connections (or more) and the mesh is one piece. */
export async function waitForMesh(nodes: readonly TestNode[], target: number, timeoutMs: number): Promise<number> {
  const want = Math.min(target, nodes.length - 1);
  try {
    return await waitFor(`every member connected to ${want} others`, () => degrees(nodes).every((d) => d >= want) && linked(nodes), timeoutMs);
  } catch (err) {
    const known = nodes.map((n) => n.net.peers().length);
    throw new Error(`${(err as Error).message}; connections per member: ${degrees(nodes).join(' ')}; members known: ${known.join(' ')}`, { cause: err });
  }
}

/** Gossip mesh peers (gossipsub's own mesh for the space topic) per member. */
export function gossipDegrees(nodes: readonly TestNode[]): number[] {
  return nodes.map((n) => n.net.gossipPeers().length);
}

/**
 * Every member's gossip mesh holds at least `min` peers: live changes then travel by gossip to
 * everyone (gossipsub grafts at its 1 s heartbeat, after the connections exist).
 */
export async function waitForGossipMesh(nodes: readonly TestNode[], min: number, timeoutMs: number): Promise<number> {
  try {
    return await waitFor(`every member's gossip mesh to hold ${min} peers`, () => gossipDegrees(nodes).every((d) => d >= min), timeoutMs);
  } catch (err) {
    throw new Error(`${(err as Error).message}; gossip mesh peers per member: ${gossipDegrees(nodes).join(' ')}`, { cause: err });
  }
}

/** Writes `key` at `from` and resolves with the ms until every node in `to` has it. */
export async function spread(from: TestNode, to: readonly TestNode[], key: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  await write(from, key);
  try {
    await waitFor(`"${key}" from ${from.name} at every member`, () => to.every((n) => n.replica.doc.t?.[key] === 1), timeoutMs);
  } catch (err) {
    const missing = to.filter((n) => n.replica.doc.t?.[key] !== 1).map((n) => `${n.name} (gossip peers ${n.net.gossipPeers().length})`);
    throw new Error(`${(err as Error).message}; missing at ${missing.join(', ')}`, { cause: err });
  }
  return performance.now() - started;
}
