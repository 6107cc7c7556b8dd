import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { PeerBook } from '../../src/net/peer-book.js';

test('redials back off 1 s, 2 s, 4 s … up to 60 s, and reset after a connection', (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const times: number[] = [];
  let clock = 0;
  const book = new PeerBook(() => {
    times.push(clock);
    book.dialFailed('q');
  });
  book.learn('q', ['/ip4/127.0.0.1/tcp/2/ws']);
  book.disconnected('q');
  // Every redial fails at once and asks for the next one.
  while (clock < 200_000) {
    clock += 500;
    mock.timers.tick(500);
  }
  const intervals = times.map((at, i) => at - (i === 0 ? 0 : (times[i - 1] ?? 0)));
  assert.deepEqual(intervals.slice(0, 8), [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
  book.connected('q');
  book.disconnected('q');
  const before = times.length;
  clock += 1_000;
  mock.timers.tick(1_000);
  assert.equal(times.length, before + 1, 'after a connection the backoff starts again at 1 s');
  book.stop();
});

test('strikes block a peer for a while; blocked peers are not redialed or remembered', (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  let now = 1_000;
  const dials: string[] = [];
  const book = new PeerBook((id) => dials.push(id), { strikesBeforeBlock: 3, blockDurationMs: 10_000, clock: () => now });
  book.learn('bad', ['/ip4/127.0.0.1/tcp/3/ws']);
  book.connected('bad');
  assert.equal(book.strike('bad'), false);
  assert.equal(book.strike('bad'), false);
  assert.equal(book.strike('bad'), true, 'the third strike blocks');
  assert.equal(book.isBlocked('bad'), true);
  assert.equal(book.blockedUntil('bad'), 11_000);
  assert.deepEqual(book.known(), []);
  book.disconnected('bad');
  mock.timers.tick(120_000);
  assert.deepEqual(dials, [], 'no redial while blocked');
  now = 11_000;
  assert.equal(book.isBlocked('bad'), false);
  assert.equal(book.strikes('bad'), 0, 'a clean slate after the block');
  assert.deepEqual(book.known(), [{ peerId: 'bad', addrs: ['/ip4/127.0.0.1/tcp/3/ws'], lastSeen: 1_000 }], 'last seen when it disconnected');
  book.stop();
});

test('a flood of strangers (fresh keys that only signed bad changes) cannot grow the book past its cap', () => {
  let now = 0;
  const book = new PeerBook(() => undefined, { maxPeers: 50, strikesBeforeBlock: 3, blockDurationMs: 60_000, clock: () => now });
  book.learn('friend', ['/ip4/127.0.0.1/tcp/1/ws']);
  book.connected('friend');
  book.disconnected('friend');
  book.learn('known', ['/ip4/127.0.0.1/tcp/2/ws']); // from an invite or peers.json, never connected yet
  for (let i = 0; i < 10_000; i++) book.strike(`stranger-${i}`);
  assert.ok(book.ids().length <= 50, `${book.ids().length} entries`);
  assert.ok(book.has('friend') && book.has('known'), 'peers with addresses stay; strangers go first');
  assert.deepEqual(book.known().map((p) => p.peerId).sort(), ['friend', 'known']);

  // A stranger that used up its strikes stays blocked for the block's duration, then is forgotten.
  for (let i = 0; i < 3; i++) book.strike('repeat');
  assert.ok(book.isBlocked('repeat'));
  now += 60_001;
  assert.equal(book.isBlocked('repeat'), false);
  assert.equal(book.has('repeat'), false, 'a stranger is forgotten when its block runs out');
  book.stop();
});

test('when only real peers are left, the oldest disconnected one makes room; connected peers never do', () => {
  const book = new PeerBook(() => undefined, { maxPeers: 3 });
  for (const id of ['a', 'b', 'c']) {
    book.learn(id, [`/ip4/127.0.0.1/tcp/${id.charCodeAt(0)}/ws`]);
    book.connected(id);
  }
  book.disconnected('b');
  book.learn('d', ['/ip4/127.0.0.1/tcp/9/ws']);
  assert.deepEqual(book.ids().sort(), ['a', 'c', 'd']);
  book.stop();
});

test('the book remembers when a peer was last connected, across restarts too', () => {
  let now = 5_000;
  const book = new PeerBook(() => undefined, { clock: () => now });
  book.learn('p', ['/ip4/127.0.0.1/tcp/4/ws'], 2_000);
  assert.equal(book.known()[0]?.lastSeen, 2_000, 'from the saved peers');
  book.learn('p', [], 1_000);
  assert.equal(book.known()[0]?.lastSeen, 2_000, 'an older time does not win');
  book.connected('p');
  now = 9_000;
  book.disconnected('p');
  assert.equal(book.known()[0]?.lastSeen, 9_000);
  assert.equal(book.isRedialPending('p'), true, 'a redial is scheduled after the disconnect');
  book.stop();
  assert.equal(book.isRedialPending('p'), false);
});

test('word that a peer is up cuts its redial wait short, at most once per gap, keeping the backoff step', () => {
  let now = 0;
  const book = new PeerBook(() => undefined, { clock: () => now });
  book.learn('p', ['/ip4/127.0.0.1/tcp/5/ws']);
  assert.equal(book.hurry('p', 30_000), false, 'nothing is waiting');
  book.dialFailed('p');
  assert.equal(book.isRedialPending('p'), true);
  assert.equal(book.hurry('p', 30_000), true);
  assert.equal(book.isRedialPending('p'), false, 'the mesh may dial it now');
  book.dialFailed('p');
  assert.equal(book.hurry('p', 30_000), false, 'not again within the gap');
  now = 30_000;
  assert.equal(book.hurry('p', 30_000), true);
  book.connected('p');
  assert.equal(book.hurry('p', 30_000), false, 'a connected peer needs nothing');
  book.stop();
});
