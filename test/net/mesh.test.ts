import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectedTo, sameHeads, testNodes, testSpace, waitFor, write } from '../helpers/net.js';

test('a member invited by B connects to A, and A and C sync with B gone', async (t) => {
  const start = testNodes(t);
  const space = testSpace();
  const a = await start('A', space);
  const b = await start('B', space, { bootstrap: a.net.addresses() });
  await waitFor('B connected to A', () => connectedTo(b, a));
  const c = await start('C', space, { bootstrap: b.net.addresses() });
  const took = await waitFor('C connected to A (peer exchange through B)', () => connectedTo(c, a) && connectedTo(a, c), 10_000);
  t.diagnostic(`C reached A ${Math.round(took)} ms after it started`);
  await b.net.stop();
  await waitFor('A and C see B gone', () => !connectedTo(a, b) && !connectedTo(c, b));
  await write(a, 'from-a');
  await waitFor('C has A\'s change', () => c.replica.doc.t?.['from-a'] === 1, 10_000);
  await write(c, 'from-c');
  await waitFor('A has C\'s change', () => sameHeads(a, c) && a.replica.doc.t?.['from-c'] === 1, 10_000);
  assert.ok(connectedTo(a, c), 'still connected');
});
