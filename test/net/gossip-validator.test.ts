/**
 * SpaceGossip's topic validator on its own, with a stub pubsub (as js-libp2p's protocol tests do):
 * every verdict it can give (Accept, Ignore, Reject), and whom it strikes, for crafted messages.
 * The replica and the stack are the real ones; the loopback suites cover gossip between nodes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GossipSub, Message, TopicValidatorFn } from '@libp2p/gossipsub';
import type { PeerId } from '@libp2p/interface';
import { StoreWriteError, type InvalidPeerDataError } from '../../src/core/errors.js';
import { memoryLogger } from '../../src/core/logger.js';
import { Replica } from '../../src/core/replica.js';
import { encodeGossip, GOSSIP_VERSION } from '../../src/net/gossip-codec.js';
import { SpaceGossip } from '../../src/net/gossip.js';
import { loadStack } from '../../src/net/stack.js';
import { memoryReplica, setKey, type TestDoc } from '../helpers/core.js';

const TOPIC = 'test-topic';

const replica = (name: string) => memoryReplica(name);

async function change(r: Replica<TestDoc>, key: string): Promise<Uint8Array> {
  const bytes = await setKey(r, key);
  assert.ok(bytes);
  return bytes;
}

/** A peer id as the validator uses it: only its string form matters. */
const peer = (id: string): PeerId => ({ toString: () => id }) as unknown as PeerId; // a stub: the validator only calls toString()

/** A signed gossip message: `author` signed it (StrictSign), whoever relays it. */
const signed = (author: string, data: Uint8Array): Message => ({ type: 'signed', from: peer(author), data, topic: TOPIC }) as unknown as Message; // the fields the validator reads

/** The validator SpaceGossip registers, over a stub pubsub that only keeps validators and subscriptions. */
async function validatorFor(r: Replica<unknown>, blocked: ReadonlySet<string> = new Set()) {
  const stack = await loadStack();
  const validators = new Map<string, TopicValidatorFn>();
  const pubsub = {
    topicValidators: validators,
    subscribe: () => undefined,
    getSubscribers: () => [],
    publish: async () => ({ recipients: [] }),
  } as unknown as GossipSub; // a stub: only what SpaceGossip.start/stop touch
  const strikes: Array<{ peerId: string; err: InvalidPeerDataError }> = [];
  const gossip = new SpaceGossip(
    { pubsub, replica: r, logger: memoryLogger(), stack, strike: (peerId, err) => strikes.push({ peerId, err }), isBlocked: (id) => blocked.has(id) },
    TOPIC,
  );
  gossip.start();
  const validate = validators.get(TOPIC);
  assert.ok(validate, 'start() registers the topic validator');
  return { validate: (from: string, message: Message) => validate(peer(from), message), strikes, stop: () => gossip.stop(), V: stack.TopicValidatorResult };
}

describe('gossip validator verdicts', () => {
  it('Accept: a new change whose dependencies are here is applied and relayed; Ignore: the same change again', async () => {
    const here = await replica('here');
    const ann = await replica('ann');
    const c = await change(ann, 'x');
    const { validate, strikes, stop, V } = await validatorFor(here as Replica<unknown>);
    assert.equal(await validate('ann', signed('ann', encodeGossip({ type: 'change', change: c }))), V.Accept);
    assert.equal(here.doc.t?.x, 1, 'applied');
    assert.equal(await validate('bob', signed('ann', encodeGossip({ type: 'change', change: c }))), V.Ignore, 'a duplicate is not relayed again');
    assert.deepEqual(strikes, []);
    await stop();
  });

  it('Ignore without a strike: a change that waits for one we lack (sync brings both)', async () => {
    const here = await replica('here');
    const ann = await replica('ann');
    await change(ann, 'first');
    const second = await change(ann, 'second');
    const { validate, strikes, stop, V } = await validatorFor(here as Replica<unknown>);
    assert.equal(await validate('ann', signed('ann', encodeGossip({ type: 'change', change: second }))), V.Ignore);
    assert.equal(here.doc.t, undefined, 'not applied, not queued');
    assert.deepEqual(strikes, []);
    await stop();
  });

  it('Ignore without a strike: anything from a blocked sender or by a blocked author', async () => {
    const here = await replica('here');
    const ann = await replica('ann');
    const c = await change(ann, 'x');
    const { validate, strikes, stop, V } = await validatorFor(here as Replica<unknown>, new Set(['mallory']));
    assert.equal(await validate('mallory', signed('ann', encodeGossip({ type: 'change', change: c }))), V.Ignore);
    assert.equal(await validate('bob', signed('mallory', Uint8Array.of(9, 9, 9))), V.Ignore);
    assert.equal(here.doc.t, undefined);
    assert.deepEqual(strikes, []);
    await stop();
  });

  it('Reject and a strike against the sender: a malformed envelope (any relay would have refused it)', async () => {
    const here = await replica('here');
    const { validate, strikes, stop, V } = await validatorFor(here as Replica<unknown>);
    assert.equal(await validate('bob', signed('ann', Uint8Array.of(GOSSIP_VERSION + 1, 1, 0, 0))), V.Reject, 'unknown version');
    assert.equal(await validate('bob', signed('ann', Uint8Array.of(GOSSIP_VERSION))), V.Reject, 'truncated');
    assert.deepEqual(strikes.map((s) => [s.peerId, s.err.name]), [['bob', 'InvalidGossipMessageError'], ['bob', 'InvalidGossipMessageError']]);
    await stop();
  });

  it('a change that is not a change: Reject when the sender wrote it, Ignore when relayed; the author is struck either way', async () => {
    const here = await replica('here');
    const { validate, strikes, stop, V } = await validatorFor(here as Replica<unknown>);
    const garbage = encodeGossip({ type: 'change', change: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) });
    assert.equal(await validate('ann', signed('ann', garbage)), V.Reject);
    assert.equal(await validate('bob', signed('ann', garbage)), V.Ignore, 'a relay is not penalised by gossipsub');
    assert.deepEqual(strikes.map((s) => [s.peerId, s.err.name]), [['ann', 'DecodedSizeError'], ['ann', 'DecodedSizeError']]);
    await stop();
  });

  it('Ignore without a strike: a message type this version does not know', async () => {
    const here = await replica('here');
    const { validate, strikes, stop, V } = await validatorFor(here as Replica<unknown>);
    assert.equal(await validate('ann', signed('ann', Uint8Array.of(GOSSIP_VERSION, 99, 1, 2))), V.Ignore);
    assert.deepEqual(strikes, []);
    await stop();
  });

  it('Ignore without a strike: a failure that is not the peer\'s fault (the replica cannot take it)', async () => {
    const here = await replica('here');
    const ann = await replica('ann');
    const c = await change(ann, 'x');
    // The real replica, whose acceptRemoteChanges fails as a full disk would make it.
    const failing = Object.create(here, {
      acceptRemoteChanges: {
        value: () => {
          throw new StoreWriteError('no space left on device');
        },
      },
    }) as Replica<unknown>;
    const { validate, strikes, stop, V } = await validatorFor(failing);
    assert.equal(await validate('ann', signed('ann', encodeGossip({ type: 'change', change: c }))), V.Ignore);
    assert.deepEqual(strikes, []);
    await stop();
  });
});
