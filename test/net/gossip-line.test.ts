import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectedTo, sameHeads, stateOf, testNodes, testSpace, waitFor, write, type TestNode } from '../helpers/net.js';


test('a change made on A reaches C through B by gossip (line A–B–C, C knows only B)', async (t) => {
  const start = testNodes(t);
  const space = testSpace();
  // No catch-up shortcut: change rounds and anti-entropy are pushed beyond the test's horizon,
  // so the change can only travel by gossip.
  // One connection each: the mesh would otherwise connect A and C directly (peer exchange).
  const quiet = { antiEntropyMs: 600_000, changeSyncDelayMs: 600_000, meshTarget: 1 };
  const b = await start('B', space, quiet);
  const a = await start('A', space, { ...quiet, bootstrap: b.net.addresses() });
  const c = await start('C', space, { ...quiet, knownPeers: [{ peerId: b.net.peerId, addrs: b.net.addresses() }] });

  await waitFor('A–B and B–C connected', () => connectedTo(a, b) && connectedTo(b, c) && connectedTo(c, b));
  assert.ok(!connectedTo(a, c), 'A and C are not directly connected');
  // The catch-up on connect brings everyone to the same (genesis) heads and states to in-sync.
  await waitFor('initial sync', () => stateOf(a, b) === 'in-sync' && stateOf(c, b) === 'in-sync' && stateOf(b, c) === 'in-sync');
  // Gossip only flows once subscriptions have propagated and B has grafted both into its mesh.
  const mesh = (n: TestNode) => n.net.gossipPeers();
  await waitFor('gossip mesh A–B–C', () => {
    const bMesh = mesh(b);
    return mesh(a).includes(b.net.peerId) && mesh(c).includes(b.net.peerId) && bMesh.includes(a.net.peerId) && bMesh.includes(c.net.peerId);
  });

  const latencies: number[] = [];
  for (let i = 0; i < 5; i++) {
    const arrived = new Promise<number>((resolve) => {
      const off = c.replica.events.on('remote-changes', () => {
        off();
        resolve(performance.now());
      });
    });
    const started = performance.now();
    await write(a, `k${i}`, i);
    latencies.push((await withTimeout(arrived, 10_000, `change ${i} on C`)) - started);
    assert.equal(c.replica.doc.t?.[`k${i}`], i);
  }
  assert.ok(sameHeads(a, c));
  latencies.sort((x, y) => x - y);
  t.diagnostic(`gossip A→B→C latency (write + publish + relay + apply), ms: ${latencies.map((l) => l.toFixed(1)).join(', ')}`);
});

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    }),
  ]);
}
