import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { connectedTo, sameHeads, stateOf, testNodes, testSpace, waitFor, write } from '../helpers/net.js';


test('late joiner: B connects after A wrote 500 changes and catches up by sync', async (t) => {
  const start = testNodes(t);
  const space = testSpace();
  const a = await start('A', space);
  for (let i = 0; i < 500; i++) await write(a, `k${i}`, i);
  assert.equal(a.replica.allChanges().length, 501); // genesis + 500

  const b = await start('B', space, { bootstrap: a.net.addresses() });
  const progress: string[] = [];
  b.net.events.on('peer', (p) => {
    if (p.state === 'syncing' && p.progress) progress.push(`${p.progress.changesIn}`);
  });
  const started = performance.now();
  await waitFor('B has all of A', () => sameHeads(a, b), 30_000);
  const elapsed = performance.now() - started;
  await waitFor('both report in-sync', () => stateOf(a, b) === 'in-sync' && stateOf(b, a) === 'in-sync', 10_000);
  assert.equal(b.replica.allChanges().length, 501);
  assert.equal(b.replica.doc.t?.k499, 499);
  assert.deepEqual(b.net.summary(), { connected: 1, inSync: 1, syncing: 0 });
  const last = b.net.peers().find((p) => p.peerId === a.net.peerId);
  assert.ok(last?.lastSyncAt !== undefined);
  assert.ok((last?.progress?.messagesIn ?? 0) > 0 && (last?.progress?.changesIn ?? 0) >= 1);
  t.diagnostic(`500-change catch-up: ${elapsed.toFixed(0)} ms from B's start to identical heads; progress events seen: ${progress.length}`);

  // In sync is honest: a new change makes A's view of B 'behind' until a sync confirms it, and
  // the quick confirming round brings both back to in-sync without anyone calling syncNow().
  const states: string[] = [];
  const off = a.net.events.on('peer', (p) => states.push(p.state));
  await write(a, 'after', 1);
  await waitFor('in-sync again after a local change', () => sameHeads(a, b) && stateOf(a, b) === 'in-sync' && stateOf(b, a) === 'in-sync', 10_000);
  off();
  assert.ok(states.includes('behind') || states.includes('syncing'), `A's view of B left in-sync after the change (${states.join(',')})`);
});

test('offline peer: B stops, A writes, B restarts with the same replica and identity and catches up', async (t) => {
  const start = testNodes(t);
  const space = testSpace();
  const a = await start('A', space);
  const b1 = await start('B', space, { bootstrap: a.net.addresses() });
  await waitFor('connected', () => connectedTo(a, b1) && connectedTo(b1, a));
  await write(b1, 'from-b', 1);
  await waitFor('A has B’s change', () => sameHeads(a, b1));

  const remembered = b1.net.knownPeers();
  assert.deepEqual(remembered.map((p) => p.peerId), [a.net.peerId]);
  await b1.net.stop();
  await b1.net.stop(); // idempotent
  assert.deepEqual(b1.net.summary(), { connected: 0, inSync: 0, syncing: 0 });
  const withoutTimes = (list: typeof remembered) => list.map((p) => ({ peerId: p.peerId, addrs: p.addrs }));
  assert.deepEqual(withoutTimes(b1.net.knownPeers()), withoutTimes(remembered), 'still there to be saved after stop');
  assert.ok((b1.net.knownPeers()[0]?.lastSeen ?? 0) >= (remembered[0]?.lastSeen ?? Infinity), 'last seen when the stop disconnected it');
  await waitFor('A sees B gone', () => !connectedTo(a, b1));
  assert.equal(stateOf(a, b1), 'connecting');

  for (let i = 0; i < 20; i++) await write(a, `offline${i}`, i);
  assert.ok(!sameHeads(a, b1));

  // Same replica and identity (same peer id), a new port, and only what B persisted.
  const b2 = await start('B', space, { replica: b1.replica, identity: b1.identity, knownPeers: remembered });
  assert.equal(b2.net.peerId, b1.net.peerId);
  await waitFor('B caught up after restart', () => sameHeads(a, b2), 15_000);
  assert.equal(b2.replica.doc.t?.offline19, 19);
  await waitFor('in-sync both ways', () => stateOf(a, b2) === 'in-sync' && stateOf(b2, a) === 'in-sync');
});

test('a change too large for gossip reaches the peer by the confirming sync round', async (t) => {
  const start = testNodes(t);
  const space = testSpace();
  const a = await start('A', space);
  const b = await start('B', space, { bootstrap: a.net.addresses() });
  await waitFor('connected and in sync', () => stateOf(a, b) === 'in-sync' && stateOf(b, a) === 'in-sync');
  const blob = new Uint8Array(randomBytes(1_500_000)); // over the 1 MiB gossip limit
  const change = await a.replica.change('big', (d) => {
    d.blob = blob;
  });
  assert.ok(change && change.byteLength > 1024 * 1024);
  await waitFor('B has the big change', () => sameHeads(a, b), 15_000);
  assert.equal(b.replica.doc.blob?.byteLength, blob.byteLength);
  await waitFor('in-sync again', () => stateOf(a, b) === 'in-sync' && stateOf(b, a) === 'in-sync');
});
