import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectedTo, sameHeads, testNodes, testSpace, waitFor, write, type TestNode } from '../helpers/net.js';

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

test('six members who all know only the inviter become a full mesh within seconds', { timeout: 60_000 }, async (t) => {
  const start = testNodes(t);
  const space = testSpace();
  const inviter = await start('A', space);
  await write(inviter, 'genesis');
  const invited: TestNode[] = [];
  for (const name of ['B', 'C', 'D', 'E', 'F']) invited.push(await start(name, space, { bootstrap: inviter.net.addresses() }));
  const all = [inviter, ...invited];
  // 15 s is only the timeout on a loaded machine; `npm run bench -- --mesh` reports the real figure.
  const took = await waitFor('every member connected to the five others', () => all.every((n) => all.every((o) => o === n || connectedTo(n, o))), 15_000);
  t.diagnostic(`full mesh ${Math.round(took)} ms after the last member started`);
  await write(invited[4]!, 'from-f');
  await waitFor('the inviter has F\'s change', () => inviter.replica.doc.t?.['from-f'] === 1, 10_000);
  await inviter.net.stop();
  await write(invited[0]!, 'from-b');
  await waitFor('everyone has B\'s change with the inviter gone', () => invited.every((n) => n.replica.doc.t?.['from-b'] === 1), 10_000);
});
