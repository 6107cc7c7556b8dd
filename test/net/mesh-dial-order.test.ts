import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryLogger } from '../../src/core/logger.js';
import { SpaceMesh } from '../../src/net/mesh.js';
import { PeerBook } from '../../src/net/peer-book.js';
import { waitFor } from '../helpers/net.js';

/** SpaceMesh's choices over a real PeerBook; the dial records whom it was asked to dial and connects it. */
function meshOf(selfId: string, yieldMs: number) {
  const book = new PeerBook(() => undefined);
  const dialed: Array<{ id: string; at: number }> = [];
  const started = performance.now();
  const mesh = new SpaceMesh(
    {
      book,
      selfId,
      logger: memoryLogger('debug'),
      dial: async (peerId) => {
        dialed.push({ id: peerId, at: performance.now() - started });
        book.connected(peerId);
      },
    },
    { checkMs: 60_000, yieldMs },
  );
  return { book, mesh, dialed };
}

test('of two members named by a peer list, the one with the smaller id dials at once; the other waits, then dials if still unconnected', async (t) => {
  const { book, mesh, dialed } = meshOf('m5', 400);
  mesh.start();
  t.after(() => {
    mesh.stop();
    book.stop();
  });
  for (const id of ['m1', 'm9']) book.learn(id, [`/ip4/127.0.0.1/tcp/1${id.slice(1)}/ws`]);
  mesh.heard(['m1', 'm9']);
  mesh.topUp();
  await waitFor('m9 dialed', () => dialed.some((d) => d.id === 'm9'), 2_000);
  assert.ok(!dialed.some((d) => d.id === 'm1'), 'm1 (smaller id) is left to dial us');
  await waitFor('m1 dialed once its time ran out', () => dialed.some((d) => d.id === 'm1'), 3_000);
  const m1 = dialed.find((d) => d.id === 'm1')!;
  assert.ok(m1.at >= 400, `dialed after the ${400} ms yield, at ${Math.round(m1.at)} ms`);
});

test('a member heard of that connected meanwhile is not dialed; known peers not named by a list are dialed at once', async (t) => {
  const { book, mesh, dialed } = meshOf('m5', 300);
  mesh.start();
  t.after(() => {
    mesh.stop();
    book.stop();
  });
  book.learn('m1', ['/ip4/127.0.0.1/tcp/11/ws']);
  book.learn('m2', ['/ip4/127.0.0.1/tcp/12/ws']);
  mesh.heard(['m1']);
  mesh.topUp();
  await waitFor('m2 dialed (known, not from a list)', () => dialed.some((d) => d.id === 'm2'), 2_000);
  book.connected('m1'); // m1 dialed us
  await new Promise((r) => setTimeout(r, 600));
  assert.deepEqual(dialed.map((d) => d.id), ['m2']);
});
