import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeGossip, encodeGossip, MAX_GOSSIP_CHANGE_BYTES } from '../../src/net/gossip-codec.js';
import { generateIdentity, mdnsServiceTagForSpace, peerIdOf, pnetKeyFromSpaceKey, privateKeyOf, topicForSpace } from '../../src/net/keys.js';
import { MAX_GOSSIP_MESSAGE_BYTES } from '../../src/net/constants.js';

test('topicForSpace is a stable hash that does not reveal the space id', () => {
  const spaceId = 'b7c1e0a2f3d4c5b6a7988796a5b4c3d2';
  const topic = topicForSpace(spaceId);
  assert.match(topic, /^shared-notes\/[0-9a-f]{64}$/);
  assert.ok(!topic.includes(spaceId));
  assert.ok(!topic.includes(spaceId.slice(0, 8)));
  assert.equal(topicForSpace(spaceId), topic);
  assert.notEqual(topicForSpace(`${spaceId}x`), topic);
  assert.ok(!mdnsServiceTagForSpace(spaceId).includes(spaceId.slice(0, 8)));
});

test('pnetKeyFromSpaceKey yields the swarm key file format @libp2p/pnet reads', async () => {
  const key = new Uint8Array(32).fill(1);
  const psk = pnetKeyFromSpaceKey(key);
  const text = new TextDecoder().decode(psk);
  assert.match(text, /^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}$/);
  // Derived, not the raw key (which would be 0101…01 in hex).
  assert.ok(!text.endsWith('01'.repeat(32)));
  assert.deepEqual(pnetKeyFromSpaceKey(new Uint8Array(32).fill(1)), psk);
  assert.notDeepEqual(pnetKeyFromSpaceKey(new Uint8Array(32).fill(2)), psk);
  assert.throws(() => pnetKeyFromSpaceKey(new Uint8Array(16)), { name: 'InvalidNetworkConfigError' });
  const { preSharedKey } = await import('@libp2p/pnet');
  assert.doesNotThrow(() => preSharedKey({ psk })());
});

test('identity bytes round-trip to a stable Ed25519 peer id', async () => {
  const identity = await generateIdentity();
  const id = await peerIdOf(identity);
  assert.match(id, /^12D3KooW/);
  assert.equal(await peerIdOf(Uint8Array.from(identity)), id);
  assert.notEqual(await peerIdOf(await generateIdentity()), id);
  const key = await privateKeyOf(identity);
  assert.equal(key.type, 'Ed25519');
  await assert.rejects(privateKeyOf(new Uint8Array([1, 2, 3])), { name: 'InvalidNetworkConfigError' });
});

test('gossip codec: round trip, and named errors for anything malformed', () => {
  const change = new Uint8Array([0x85, 0x6f, 0x4a, 0x83, 1, 2, 3]);
  const bytes = encodeGossip({ type: 'change', change });
  assert.deepEqual([bytes[0], bytes[1]], [1, 1]);
  assert.deepEqual(decodeGossip(bytes), { type: 'change', change });

  const invalid = { name: 'InvalidGossipMessageError' };
  assert.throws(() => decodeGossip(new Uint8Array([])), invalid);
  assert.throws(() => decodeGossip(new Uint8Array([1, 1])), invalid); // header only
  assert.throws(() => decodeGossip(new Uint8Array([2, 1, 5])), invalid); // unknown version
  // A type this version does not know is a newer peer's, not an attack: a different error.
  assert.throws(() => decodeGossip(new Uint8Array([1, 9, 5])), { name: 'UnsupportedGossipTypeError' });
  assert.throws(() => decodeGossip(new Uint8Array(MAX_GOSSIP_MESSAGE_BYTES + 1).fill(1)), invalid);
  assert.throws(() => encodeGossip({ type: 'change', change: new Uint8Array(MAX_GOSSIP_CHANGE_BYTES + 1) }), invalid);
  assert.throws(() => encodeGossip({ type: 'change', change: new Uint8Array(0) }), invalid);
  // It is an InvalidPeerDataError, so callers that strike peers for bad data catch it too.
  try {
    decodeGossip(new Uint8Array([7]));
  } catch (err) {
    assert.equal(Object.getPrototypeOf(Object.getPrototypeOf(err)).constructor.name, 'InvalidPeerDataError');
  }
});
