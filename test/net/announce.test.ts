import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { test } from 'node:test';
import { connectedTo, testNodes, testSpace, waitFor } from '../helpers/net.js';

/** A port nobody answers on for as long as the test runs (a listener that drops every connection). */
async function deadPort(t: { after(fn: () => Promise<void>): void }): Promise<number> {
  const server: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as { port: number }).port;
}

test('a node with announce addresses tells peers only those, never its listening address', async (t) => {
  const start = testNodes(t);
  const space = testSpace();
  const announced = `/ip4/127.0.0.1/tcp/${await deadPort(t)}/ws`;
  const a = await start('A', space, { announce: [announced] });
  assert.deepEqual(a.net.addresses(), [`${announced}/p2p/${a.net.peerId}`], 'its own view (and so its invite) holds only the announced address');

  const b = await start('B', space);
  // A dials B, so B has no address of A but what A's identify tells it.
  await a.net.dial(b.net.addresses()[0] ?? '');
  await waitFor('B knows an address of A', () => connectedTo(b, a) && (b.net.knownPeers().find((p) => p.peerId === a.net.peerId)?.addrs.length ?? 0) > 0);
  const learned = b.net.knownPeers().find((p) => p.peerId === a.net.peerId)?.addrs ?? [];
  assert.deepEqual(learned, [announced]);
});
