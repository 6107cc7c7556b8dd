import { randomBytes } from 'node:crypto';
import { memoryLogger } from '../../src/core/logger.js';
import { MemoryLogStore } from '../../src/core/memory-store.js';
import { Replica } from '../../src/core/replica.js';
import { generateIdentity, pnetKeyFromSpaceKey, privateKeyOf, shardTopicForSpace, topicForSpace } from '../../src/net/keys.js';
import { createSpaceNode, type SpaceLibp2p } from '../../src/net/node.js';
import { SpaceNetwork, type SpaceNetworkInit } from '../../src/net/space-network.js';
import { setKey, type TestDoc } from './core.js';

export const LOOPBACK = ['/ip4/127.0.0.1/tcp/0/ws'];

export type { TestDoc } from './core.js';

export interface TestNode {
  name: string;
  net: SpaceNetwork;
  replica: Replica<TestDoc>;
  store: MemoryLogStore;
  identity: Uint8Array;
  logger: ReturnType<typeof memoryLogger>;
}

export interface NodeOptions extends Partial<SpaceNetworkInit> {
  replica?: Replica<TestDoc>;
  store?: MemoryLogStore;
}

/** A space every test node joins unless told otherwise. */
export function testSpace(): { spaceId: string; spaceKey: Uint8Array } {
  return { spaceId: `space-${randomBytes(4).toString('hex')}`, spaceKey: new Uint8Array(randomBytes(32)) };
}

/** A started SpaceNetwork on loopback, mDNS off, over a real Replica on a MemoryLogStore. */
export async function startNode(name: string, space: { spaceId: string; spaceKey: Uint8Array }, options: NodeOptions = {}): Promise<TestNode> {
  const logger = memoryLogger('debug');
  const store = options.store ?? new MemoryLogStore();
  const replica = options.replica ?? (await Replica.open<TestDoc>(store, { name: `${name}-shared`, logger })).replica;
  const identity = options.identity ?? (await generateIdentity());
  const net = new SpaceNetwork(
    { replica: replica as Replica<unknown>, logger: logger.child(name) },
    { listen: LOOPBACK, mdns: false, ...space, ...options, identity },
  );
  await net.start();
  return { name, net, replica, store, identity, logger };
}

/** Starts nodes for one test and stops them when that test ends (pass or fail). */
export function testNodes(t: { after(fn: () => Promise<void>): void }) {
  const started: TestNode[] = [];
  t.after(() => stopAll(started));
  return async (name: string, space: { spaceId: string; spaceKey: Uint8Array }, options: NodeOptions = {}): Promise<TestNode> => {
    const node = await startNode(name, space, options);
    started.push(node);
    return node;
  };
}

export async function stopAll(nodes: Iterable<TestNode | undefined>): Promise<void> {
  await Promise.allSettled([...nodes].map((n) => n?.net.stop()));
}

export { waitFor } from './wait.js';

/** Two ends of an in-memory libp2p stream (no node, no socket): for protocol codecs and services. */
export async function streamPair() {
  const { streamPair: pair } = await import('@libp2p/utils');
  return pair();
}

/** One small change: sets t[key] = value. */
export async function write(node: TestNode, key: string, value = 1): Promise<Uint8Array | undefined> {
  return setKey(node.replica, key, value);
}

export function sameHeads(a: TestNode, b: TestNode): boolean {
  const x = a.replica.heads();
  const y = new Set(b.replica.heads());
  return x.length === y.size && x.every((h) => y.has(h));
}

export function connectedTo(node: TestNode, other: TestNode): boolean {
  return node.net.peers().some((p) => p.peerId === other.net.peerId && p.connected);
}

export function stateOf(node: TestNode, other: TestNode): string | undefined {
  return node.net.peers().find((p) => p.peerId === other.net.peerId)?.state;
}

/**
 * A started bare libp2p node of the space's stack holding `spaceKey`, subscribed to `spaceId`'s
 * topic, with none of our rules: what a hostile member (the right key) or an outsider (another key)
 * runs. The caller stops it.
 */
/** A bare libp2p node of the space (its key, no data), on the v1 topic or a sharded space's. */
/** `dialOnly`: the node listens nowhere, so only the peers it dials itself are connected to it. */
export async function startRawNode(spaceId: string, spaceKey: Uint8Array, options: { sharded?: boolean; dialOnly?: boolean } = {}): Promise<{ node: SpaceLibp2p; topic: string }> {
  const topic = options.sharded ? shardTopicForSpace(spaceId) : topicForSpace(spaceId);
  const node = await createSpaceNode({
    privateKey: await privateKeyOf(await generateIdentity()),
    listen: options.dialOnly ? [] : LOOPBACK,
    psk: pnetKeyFromSpaceKey(spaceKey),
    topic,
    mdnsServiceTag: undefined,
    gater: {},
  });
  await node.start();
  node.services.pubsub.subscribe(topic);
  return { node, topic };
}
