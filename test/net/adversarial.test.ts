import assert from 'node:assert/strict';
import * as Automerge from '@automerge/automerge';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { memoryLogger } from '../../src/core/logger.js';
import { MemoryLogStore } from '../../src/core/memory-store.js';
import { Replica } from '../../src/core/replica.js';
import { SYNC_PROTOCOL } from '../../src/net/constants.js';
import { encodeGossip } from '../../src/net/gossip-codec.js';
import { connectedTo, startRawNode, sameHeads, testNodes, testSpace, waitFor, write, type TestDoc } from '../helpers/net.js';


test('a node with another space key cannot connect and receives nothing', async (t) => {
  const start = testNodes(t);
  const space = testSpace();
  const a = await start('A', space);
  const outsider = await start('W', { spaceId: space.spaceId, spaceKey: new Uint8Array(randomBytes(32)) });
  await write(a, 'secret', 42);

  // Either direction fails: fast when the garbled handshake ends in EOF, after libp2p's 6 s
  // per-address timeout when the garbled noise length prefix leaves both sides waiting.
  await Promise.all([
    assert.rejects(outsider.net.dial(a.net.addresses()[0] ?? ''), { name: 'DialFailedError' }),
    assert.rejects(a.net.dial(outsider.net.addresses()[0] ?? ''), { name: 'DialFailedError' }),
  ]);
  assert.equal(outsider.replica.doc.t?.secret, undefined);
  assert.equal(outsider.net.summary().connected, 0);
  assert.ok(!a.net.peers().some((p) => p.peerId === outsider.net.peerId && p.connected));
  assert.ok(!outsider.net.peers().some((p) => p.connected));
});

test('a hostile peer with the key: bad gossip and bad sync frames are refused, it gets cut off', async (t) => {
  const start = testNodes(t);
  const space = testSpace();
  const strikeLimit = 5; // one per attack below; the last one disconnects
  const a = await start('A', space, { strikesBeforeDisconnect: strikeLimit });
  const b = await start('B', space, { bootstrap: a.net.addresses() });
  await waitFor('A–B connected and in sync', () => connectedTo(a, b) && sameHeads(a, b));

  // The hostile node: the same libp2p stack and the right key, but it speaks garbage.
  const { lpStream } = await import('@libp2p/utils');
  const { multiaddr } = await import('@multiformats/multiaddr');
  const { node: h, topic } = await startRawNode(space.spaceId, space.spaceKey);
  t.after(() => h.stop());
  const aAddr = multiaddr(a.net.addresses()[0] ?? '');
  await h.dial(aAddr);
  const hId = h.peerId.toString();
  // Only H's connections to A count: B may dial H too, having heard of it from A (peer exchange).
  const { peerIdFromString } = await import('@libp2p/peer-id');
  const toA = () => h.getConnections(peerIdFromString(a.net.peerId)).length;
  await waitFor('H sees A on the topic', () => h.services.pubsub.getSubscribers(topic).some((p) => p.toString() === a.net.peerId));

  const strikes = () => a.net.peers().find((p) => p.peerId === hId)?.strikes ?? 0;
  const expectStrike = (n: number, what: string) => waitFor(`strike ${n} (${what})`, () => strikes() === n, 5_000);

  // A real change from a replica of the same space, to truncate and to send once intact.
  const { replica: forge } = await Replica.open<TestDoc>(new MemoryLogStore(), { name: 'forge', logger: memoryLogger() });
  const real = (await forge.change('valid', (d) => void (d.t = { fromHostile: 7 }))) as Uint8Array;
  const changesBefore = a.replica.allChanges().length;

  await h.services.pubsub.publish(topic, new Uint8Array(randomBytes(48)));
  await expectStrike(1, 'random bytes');
  await h.services.pubsub.publish(topic, encodeGossip({ type: 'change', change: real.slice(0, Math.floor(real.length / 2)) }));
  await expectStrike(2, 'truncated change');
  await h.services.pubsub.publish(topic, Uint8Array.from([9, 1, ...real]));
  await expectStrike(3, 'bad version');

  // A valid change from the same peer is still accepted: strikes are for bad data, not for peers.
  await h.services.pubsub.publish(topic, encodeGossip({ type: 'change', change: real }));
  await waitFor('valid change from H applied on A', () => a.replica.doc.t?.fromHostile === 7);

  const garbage = lpStream(await h.dialProtocol(aAddr, SYNC_PROTOCOL));
  await garbage.write(new Uint8Array(64).fill(0xff));
  await expectStrike(4, 'garbage sync frame');
  const oversized = await h.dialProtocol(aAddr, SYNC_PROTOCOL);
  oversized.send(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x04])); // a 1 GiB frame
  await expectStrike(5, 'oversized length prefix');

  await waitFor('A hung up on H', () => toA() === 0 && a.net.peers().find((p) => p.peerId === hId)?.connected === false);
  const status = a.net.peers().find((p) => p.peerId === hId);
  assert.ok(status?.blockedUntil !== undefined && status.blockedUntil > Date.now());
  // A refuses H once the handshake names it. H's own dial may still resolve first (noise
  // negotiates the muxer inside its handshake), but the connection dies at once.
  const redial = await h.dial(aAddr).then(
    () => 'resolved',
    () => 'rejected',
  );
  await waitFor(`H holds no connection to A (redial ${redial})`, () => toA() === 0);
  assert.equal(a.net.peers().find((p) => p.peerId === hId)?.connected, false);
  assert.ok(!a.net.knownPeers().some((p) => p.peerId === hId), 'a blocked peer is not remembered');

  // A's document holds exactly the one valid change from H, and A keeps working with B.
  assert.equal(a.replica.allChanges().length, changesBefore + 1);
  await write(b, 'from-b', 1);
  await write(a, 'from-a', 2);
  await waitFor('honest peers converge after the attack', () => sameHeads(a, b) && b.replica.doc.t?.fromHostile === 7, 10_000);
  assert.equal(a.replica.doc.t?.['from-b'], 1);
  assert.ok(a.logger.lines.some((l) => l.startsWith('warn') && l.includes(hId)), 'strikes are logged with the peer id');
});

test('a member\'s changes that do not apply here (orphans, duplicates) are not relayed', async (t) => {
  const start = testNodes(t);
  const space = testSpace();
  const a = await start('A', space);
  const b = await start('B', space, { bootstrap: a.net.addresses() });
  await waitFor('A–B connected', () => connectedTo(a, b) && connectedTo(b, a));

  const { node: h, topic } = await startRawNode(space.spaceId, space.spaceKey);
  t.after(() => h.stop());
  const { multiaddr } = await import('@multiformats/multiaddr');
  await h.dial(multiaddr(a.net.addresses()[0] ?? ''));
  await waitFor('H sees A on the topic', () => h.services.pubsub.getSubscribers(topic).some((p) => p.toString() === a.net.peerId));

  // A fork whose first change stays secret: everything after it waits forever for it.
  const { replica: fork } = await Replica.open<TestDoc>(new MemoryLogStore(), { name: 'fork', logger: memoryLogger() });
  await fork.change('secret', (d) => void (d.t = { secret: 1 }));
  const orphans: Uint8Array[] = [];
  for (let i = 0; i < 3; i++) orphans.push((await fork.change(`orphan ${i}`, (d) => void (d.t!.orphan = i))) as Uint8Array);
  const { replica: forge } = await Replica.open<TestDoc>(new MemoryLogStore(), { name: 'forge', logger: memoryLogger() });
  const real = (await forge.change('valid', (d) => void (d.t = { fromMember: 1 }))) as Uint8Array;

  for (const orphan of orphans) await h.services.pubsub.publish(topic, encodeGossip({ type: 'change', change: orphan }));
  // A valid change published after them arrives at B: had A relayed the orphans, they came first.
  await h.services.pubsub.publish(topic, encodeGossip({ type: 'change', change: real }));
  await waitFor('the valid change reached B through A', () => b.replica.doc.t?.fromMember === 1);
  for (let i = 0; i < 3; i++) await h.services.pubsub.publish(topic, encodeGossip({ type: 'change', change: Uint8Array.from(real) })); // replays
  await new Promise((resolve) => setTimeout(resolve, 500));
  // Nobody holds them (Automerge queues a change whose dependency is missing: save() keeps it).
  for (const node of [a, b]) {
    assert.deepEqual(Automerge.getMissingDeps(node.replica.doc, node.replica.heads()), [], `${node.name} holds no change it cannot apply`);
    assert.equal(Automerge.load<TestDoc>(node.replica.save()).t?.orphan, undefined);
  }
  assert.equal(a.replica.save().byteLength, b.replica.save().byteLength, 'A keeps no hidden queue either');
  assert.equal(a.net.peers().find((p) => p.peerId === h.peerId.toString())?.strikes ?? 0, 0, 'waiting for a dependency is not bad data');
  assert.ok(sameHeads(a, b));
});
