/**
 * A sharded space's gossip: real gossipsub between three libp2p nodes on loopback in a line
 * (A – B – C), and the topic validator's verdicts and strikes for crafted messages (stub pubsub,
 * as gossip-validator.test.ts does for a v1 space).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { GossipSub, Message, TopicValidatorFn } from '@libp2p/gossipsub';
import type { PeerId } from '@libp2p/interface';
import type { InvalidPeerDataError } from '../../src/core/errors.js';
import type { DeviceId, EntryId } from '../../src/core/ids.js';
import { memoryLogger } from '../../src/core/logger.js';
import { MemoryIndexStore, MemoryShardStore } from '../../src/core/shards/memory-stores.js';
import { ShardedSpace } from '../../src/core/shards/sharded-space.js';
import { shardOf, type ShardDoc, type ShardId } from '../../src/core/shards/shard-layout.js';
import { writeFields, writePublished } from '../../src/core/shards/shard-ops.js';
import { encodeShardGossip } from '../../src/net/gossip-codec.js';
import { generateIdentity, pnetKeyFromSpaceKey, privateKeyOf, shardTopicForSpace } from '../../src/net/keys.js';
import { createSpaceNode, type SpaceLibp2p } from '../../src/net/node.js';
import { ShardGossip } from '../../src/net/shard-gossip.js';
import { loadStack } from '../../src/net/stack.js';
import { LOOPBACK } from '../helpers/net.js';
import { waitFor } from '../helpers/wait.js';

const author = { name: 'Ann', device: 'dev-ann' as DeviceId };
const idIn = (shard: string, n: number) => `${shard}${String(n).padStart(29, '0')}` as EntryId;
const publish = (id: EntryId, title: string) => (d: ShardDoc) => writePublished(d, { id, kind: 'note', author, createdAt: 1, updatedAt: 1, fields: { title, body: `body of ${title}` } });
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function openSpace(actor: string): Promise<ShardedSpace> {
  return ShardedSpace.open({ shards: new MemoryShardStore(), index: new MemoryIndexStore(), logger: memoryLogger() }, { actor });
}

const topic = shardTopicForSpace('shard-gossip-test');

async function member(actor: string): Promise<{ space: ShardedSpace; node: SpaceLibp2p; gossip: ShardGossip; strikes: string[] }> {
  const space = await openSpace(actor);
  const node = await createSpaceNode({ privateKey: await privateKeyOf(await generateIdentity()), listen: LOOPBACK, psk: pnetKeyFromSpaceKey(new Uint8Array(32).fill(9)), topic, mdnsServiceTag: undefined, gater: {} });
  await node.start();
  const strikes: string[] = [];
  const gossip = new ShardGossip({ pubsub: node.services.pubsub, space, logger: memoryLogger(), stack: await loadStack(), strike: (p) => strikes.push(p), isBlocked: () => false }, topic);
  gossip.start();
  stops.push(async () => {
    await gossip.stop();
    await node.stop();
  });
  return { space, node, gossip, strikes };
}

describe('sharded gossip', () => {
  it('carries each change with its shard along a line of three members; the far one indexes them without loading a shard', async () => {
    const [a, b, c] = [await member('aa'.repeat(16)), await member('bb'.repeat(16)), await member('cc'.repeat(16))];
    await a.node.dial(b.node.getMultiaddrs()[0]!);
    await c.node.dial(b.node.getMultiaddrs()[0]!);
    await waitFor('a gossip mesh A–B–C', () => b.gossip.meshPeers().length === 2 && a.gossip.meshPeers().length === 1 && c.gossip.meshPeers().length === 1, 15_000);
    const ids = [idIn('0a1', 1), idIn('7f2', 1), idIn('7f2', 2)];
    for (const [k, id] of ids.entries()) {
      const made = await a.space.change(id, 'publish', publish(id, `note ${k}`));
      await made.durable;
      await a.gossip.publish(shardOf(id), made.change!);
    }
    const edit = await a.space.change(ids[1]!, 'edit', (d) => writeFields(d, ids[1]!, { title: 'renamed' }, 99));
    await a.gossip.publish(shardOf(ids[1]!), edit.change!);
    const titles = (s: ShardedSpace) => [...s.rows()].map((r) => r.title).sort().join(',');
    await waitFor('C lists what A wrote', () => titles(c.space) === titles(a.space), 10_000);
    assert.equal(titles(c.space), 'note 0,note 2,renamed');
    assert.equal(c.space.loadedShards, 0, 'C took every change from its decoded ops, no shard loaded');
    assert.deepEqual(c.space.headsDigest().root, a.space.headsDigest().root);
    assert.deepEqual([b.strikes, c.strikes], [[], []]);
  });
});

const peer = (id: string): PeerId => ({ toString: () => id }) as unknown as PeerId; // the validator only calls toString()
const signed = (by: string, data: Uint8Array): Message => ({ type: 'signed', from: peer(by), data, topic }) as unknown as Message; // the fields the validator reads

describe('sharded gossip verdicts', () => {
  async function validatorFor(space: ShardedSpace) {
    const stack = await loadStack();
    const validators = new Map<string, TopicValidatorFn>();
    const pubsub = { topicValidators: validators, subscribe: () => undefined, getSubscribers: () => [], publish: async () => ({ recipients: [] }) } as unknown as GossipSub; // a stub: what start/stop touch
    const strikes: { peerId: string; err: InvalidPeerDataError }[] = [];
    const missing: ShardId[] = [];
    const gossip = new ShardGossip({ pubsub, space, logger: memoryLogger(), stack, strike: (peerId, err) => strikes.push({ peerId, err }), isBlocked: () => false, onMissing: (_a, shard) => missing.push(shard) }, topic);
    gossip.start();
    stops.push(() => gossip.stop());
    const validate = validators.get(topic)!;
    return { validate: (from: string, m: Message) => validate(peer(from), m), strikes, missing, V: stack.TopicValidatorResult };
  }

  it('Accept a new change, Ignore it again; Ignore (and ask for sync) one that waits; Reject and strike one written outside its shard or a bad envelope', async () => {
    const ann = await openSpace('aa'.repeat(16));
    const here = await openSpace('bb'.repeat(16));
    const { validate, strikes, missing, V } = await validatorFor(here);
    const id = idIn('123', 1);
    const first = await ann.change(id, 'p', publish(id, 'first'));
    const second = await ann.change(id, 'e', (d) => writeFields(d, id, { title: 'second' }, 5));
    const msg = (shard: ShardId, change: Uint8Array) => signed('ann', encodeShardGossip({ shard, change }));

    assert.equal(await validate('bob', msg('123' as ShardId, second.change!)), V.Ignore);
    assert.deepEqual(missing, ['123']);
    assert.equal(await validate('ann', msg('123' as ShardId, first.change!)), V.Accept);
    assert.equal(await validate('bob', msg('123' as ShardId, first.change!)), V.Ignore, 'a duplicate is not relayed again');
    assert.equal(strikes.length, 0);

    // Ann's new entry of shard 123, announced as a change to shard 456: refused, Ann struck (a relay is only ignored).
    assert.equal(await validate('ann', msg('456' as ShardId, first.change!)), V.Reject);
    assert.equal(await validate('bob', msg('456' as ShardId, first.change!)), V.Ignore);
    assert.deepEqual(strikes.map((s) => s.peerId), ['ann', 'ann']);
    // A truncated envelope: the sender is struck.
    assert.equal(await validate('bob', signed('ann', new Uint8Array([2, 1, 0x0f]))), V.Reject);
    assert.equal(strikes.at(-1)?.peerId, 'bob');
    assert.deepEqual([...here.rows()].map((r) => r.title), ['first']);
  });
});
