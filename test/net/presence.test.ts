/**
 * Presence: the codec and its bounds, then who-has-what-open between real libp2p nodes on loopback:
 * names from hello, updates, close, disconnect, expiry, an outsider, and a member sending garbage.
 */
import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import type { EntryId } from '../../src/core/ids.js';
import { MAX_PRESENCE_BYTES, MAX_PRESENCE_OFFSET, MAX_PRESENCE_SELECTIONS, PRESENCE_EXPIRY_MS } from '../../src/net/constants.js';
import { presenceTopicForSpace } from '../../src/net/keys.js';
import { decodePresence, encodePresence } from '../../src/net/presence-codec.js';
import type { PeerPresence } from '../../src/net/space-network.js';
import { connectedTo, sameHeads, startRawNode, testNodes, testSpace, waitFor, write, type TestNode } from '../helpers/net.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const ENTRY = 'ab'.repeat(16) as EntryId;
const OTHER = 'cd'.repeat(16) as EntryId;

describe('presence messages', () => {
  it('round-trips an open entry with selections, and a close', () => {
    const open = { seq: 7, entry: ENTRY, selections: [{ anchor: 1, active: 5 }, { anchor: 9, active: 9 }] };
    assert.deepEqual(decodePresence(encodePresence(open)), open);
    assert.deepEqual(decodePresence(encodePresence({ seq: 8, selections: [] })), { seq: 8, selections: [] });
    const many = Array.from({ length: 100 }, (_, i) => ({ anchor: i, active: i + 1 }));
    assert.equal(decodePresence(encodePresence({ seq: 1, entry: ENTRY, selections: many })).selections.length, MAX_PRESENCE_SELECTIONS);
    const worst = Array.from({ length: MAX_PRESENCE_SELECTIONS }, () => ({ anchor: MAX_PRESENCE_OFFSET, active: MAX_PRESENCE_OFFSET }));
    assert.ok(encodePresence({ seq: Number.MAX_SAFE_INTEGER, entry: ENTRY, selections: worst }).byteLength < MAX_PRESENCE_BYTES / 2, 'the largest honest message fits easily');
  });

  it('refuses malformed messages with InvalidPresenceError, and ignores other fields', () => {
    const bad = [
      'not json', '[1]', 'null', '{}', '{"v":1}', '{"v":"1","seq":1}', '{"v":0,"seq":1}', '{"v":1,"seq":-1}', '{"v":1,"seq":1.5}',
      `{"v":1,"seq":1,"entry":"${'AB'.repeat(16)}"}`, '{"v":1,"seq":1,"entry":"../../etc"}', `{"v":1,"seq":1,"selections":[]}`,
      `{"v":1,"seq":1,"entry":"${ENTRY}","selections":{}}`, `{"v":1,"seq":1,"entry":"${ENTRY}","selections":[[1,2]]}`,
      `{"v":1,"seq":1,"entry":"${ENTRY}","selections":[{"anchor":-1,"active":0}]}`,
      `{"v":1,"seq":1,"entry":"${ENTRY}","selections":[{"anchor":0}]}`,
      `{"v":1,"seq":1,"entry":"${ENTRY}","selections":[{"anchor":0,"active":${MAX_PRESENCE_OFFSET + 1}}]}`,
      `{"v":1,"seq":1,"entry":"${ENTRY}","selections":[{"anchor":0,"active":"3"}]}`,
    ];
    for (const text of bad) assert.throws(() => decodePresence(utf8(text)), { name: 'InvalidPresenceError' }, text);
    assert.throws(() => decodePresence(Uint8Array.from([0x7b, 0xff, 0x7d])), { name: 'InvalidPresenceError' }, 'invalid UTF-8');
    assert.throws(() => decodePresence(utf8(`{"v":1,"seq":1,"pad":"${'x'.repeat(MAX_PRESENCE_BYTES)}"}`)), { name: 'InvalidPresenceError' }, 'oversized');
    assert.throws(() => decodePresence(utf8('{"v":2,"seq":1}')), { name: 'UnsupportedPresenceVersionError' });
    assert.deepEqual(decodePresence(utf8(`{"v":1,"seq":3,"entry":"${ENTRY}","name":"Mallory","color":"red"}`)), { seq: 3, entry: ENTRY, selections: [] });
  });
});

const presenceOf = (node: TestNode, other: TestNode | string): PeerPresence | undefined =>
  node.net.presence().find((p) => p.peerId === (typeof other === 'string' ? other : other.net.peerId));

async function threeMembers(t: { after(fn: () => Promise<void>): void }) {
  const start = testNodes(t);
  const space = testSpace();
  const a = await start('A', space, { displayName: 'Ann' });
  const b = await start('B', space, { displayName: 'Bob', bootstrap: a.net.addresses() });
  const c = await start('C', space, { displayName: 'Cleo', bootstrap: [...a.net.addresses(), ...b.net.addresses()] });
  await waitFor('all connected and named', () =>
    connectedTo(a, b) && connectedTo(a, c) && connectedTo(b, c) &&
    a.net.peers().some((p) => p.name === 'Bob') && c.net.peers().some((p) => p.name === 'Bob'));
  return { start, space, a, b, c };
}

test('members see who has which entry open, with hello names, selections, close and disconnect', async (t) => {
  const { a, b, c } = await threeMembers(t);
  const events: PeerPresence[][] = [];
  a.net.events.on('presence', (list) => events.push(list));

  b.net.setPresence({ entry: ENTRY, selections: [{ anchor: 2, active: 6 }] });
  await waitFor('A and C see B in the entry', () => presenceOf(a, b)?.entry === ENTRY && presenceOf(c, b)?.entry === ENTRY);
  for (const node of [a, c]) {
    const p = presenceOf(node, b);
    assert.equal(p?.name, 'Bob', 'the name is the one B said hello with');
    assert.deepEqual(p?.selections, [{ anchor: 2, active: 6 }]);
  }
  assert.ok(events.some((list) => list.some((p) => p.peerId === b.net.peerId)), 'A emitted a presence event');
  assert.deepEqual(b.net.presence(), [], 'nobody else has anything open');

  // A burst of cursor moves: throttled, and the last one arrives.
  for (let i = 0; i < 20; i++) b.net.setPresence({ entry: ENTRY, selections: [{ anchor: i, active: i }] });
  await waitFor('the last selection reaches A and C', () =>
    presenceOf(a, b)?.selections[0]?.active === 19 && presenceOf(c, b)?.selections[0]?.active === 19);
  b.net.setPresence({ entry: OTHER, selections: [{ anchor: 0, active: 3 }, { anchor: 10, active: 4 }] });
  await waitFor('another entry and two selections', () => presenceOf(a, b)?.entry === OTHER && presenceOf(a, b)?.selections.length === 2);

  // A rename reaches the presence list too.
  b.net.setDisplayName('Bob the Baker');
  await waitFor('the new name', () => presenceOf(a, b)?.name === 'Bob the Baker');

  // Heartbeats keep it alive past the expiry.
  await new Promise((resolve) => setTimeout(resolve, PRESENCE_EXPIRY_MS + 500));
  assert.equal(presenceOf(a, b)?.entry, OTHER, 'still there after the expiry time: heartbeats');

  const closed = performance.now();
  b.net.setPresence(undefined);
  await waitFor('B closed the entry: gone at A and C at once', () => !presenceOf(a, b) && !presenceOf(c, b), 2_000);
  assert.ok(performance.now() - closed < 2_000);

  b.net.setPresence({ entry: ENTRY, selections: [] });
  c.net.setPresence({ entry: ENTRY, selections: [{ anchor: 1, active: 1 }] });
  await waitFor('A sees B and C', () => presenceOf(a, b) !== undefined && presenceOf(a, c) !== undefined);
  assert.deepEqual(a.net.presence().map((p) => p.name).sort(), ['Bob the Baker', 'Cleo']);
  const stopped = performance.now();
  await b.net.stop();
  await waitFor('B went offline: gone at A and C', () => !presenceOf(a, b) && !presenceOf(c, b), PRESENCE_EXPIRY_MS + 1_000);
  t.diagnostic(`B's presence went ${Math.round(performance.now() - stopped)} ms after it stopped`);
  assert.ok(presenceOf(a, c), 'C is still there');
  assert.deepEqual(a.replica.heads(), b.replica.heads(), 'presence wrote nothing to any log');
});

test('an outsider with another space key never hears presence', async (t) => {
  const { start, space, a, b } = await threeMembers(t);
  const outsider = await start('O', { spaceId: space.spaceId, spaceKey: new Uint8Array(32).fill(7) }, { bootstrap: a.net.addresses() });
  const { node: raw } = await startRawNode(space.spaceId, new Uint8Array(32).fill(7));
  t.after(() => raw.stop());
  const heard: string[] = [];
  raw.services.pubsub.subscribe(presenceTopicForSpace(space.spaceId));
  raw.services.pubsub.addEventListener('message', (evt) => heard.push(evt.detail.topic));
  const { multiaddr } = await import('@multiformats/multiaddr');
  await assert.rejects(raw.dial(multiaddr(a.net.addresses()[0] ?? '')), 'another key cannot connect');

  b.net.setPresence({ entry: ENTRY, selections: [{ anchor: 0, active: 1 }] });
  await waitFor('A sees B', () => presenceOf(a, b) !== undefined);
  await new Promise((resolve) => setTimeout(resolve, 2_500)); // a heartbeat more
  assert.deepEqual(outsider.net.presence(), []);
  assert.equal(outsider.net.summary().connected, 0);
  assert.deepEqual(heard, []);
});

test('a member sending bad presence: ignored and logged, nothing in the log, nobody cut off; its last good one expires', async (t) => {
  const start = testNodes(t);
  const space = testSpace();
  const a = await start('A', space, { displayName: 'Ann' });
  const b = await start('B', space, { displayName: 'Bob', bootstrap: a.net.addresses() });
  await waitFor('A–B connected and in sync', () => connectedTo(a, b) && sameHeads(a, b));
  const heads = a.replica.heads();

  const { node: h } = await startRawNode(space.spaceId, space.spaceKey);
  t.after(() => h.stop());
  const topic = presenceTopicForSpace(space.spaceId);
  h.services.pubsub.subscribe(topic);
  const { multiaddr } = await import('@multiformats/multiaddr');
  await h.dial(multiaddr(a.net.addresses()[0] ?? ''));
  const hId = h.peerId.toString();
  await waitFor('H sees A on the presence topic', () => h.services.pubsub.getSubscribers(topic).some((p) => p.toString() === a.net.peerId));

  const ignored = () => a.logger.lines.filter((l) => l.includes('ignoring bad presence') && l.includes(hId)).length;
  const attacks: Array<[string, Uint8Array]> = [
    ['not JSON', utf8('hello')],
    ['binary', Uint8Array.from([0, 1, 2, 0xff])],
    ['an entry that is not an id', utf8('{"v":1,"seq":1,"entry":"../x","selections":[]}')],
    ['negative offsets', utf8(`{"v":1,"seq":2,"entry":"${ENTRY}","selections":[{"anchor":-5,"active":-1}]}`)],
    ['selections that are not a list', utf8(`{"v":1,"seq":3,"entry":"${ENTRY}","selections":"all"}`)],
    ['oversized', utf8(`{"v":1,"seq":4,"entry":"${ENTRY}","pad":"${'x'.repeat(20_000)}"}`)],
  ];
  for (const [i, [what, bytes]] of attacks.entries()) {
    await h.services.pubsub.publish(topic, bytes);
    await waitFor(`A ignored message ${i + 1} (${what})`, () => ignored() === i + 1);
  }
  assert.deepEqual(a.net.presence(), []);

  // Well-formed but hostile: a name of its own (not used), 500 selections (cut to 20).
  const many = Array.from({ length: 500 }, (_, i) => ({ anchor: i, active: i }));
  await h.services.pubsub.publish(topic, utf8(JSON.stringify({ v: 1, seq: 10, entry: ENTRY, name: 'Ann', selections: many.slice(0, 150) })));
  await waitFor('A shows H in the entry', () => presenceOf(a, hId) !== undefined);
  assert.equal(presenceOf(a, hId)?.name, undefined, 'no name from a presence message');
  assert.equal(presenceOf(a, hId)?.selections.length, MAX_PRESENCE_SELECTIONS);
  await waitFor('B hears it relayed by A', () => presenceOf(b, hId) !== undefined);
  // A replayed older one changes nothing.
  await h.services.pubsub.publish(topic, utf8(JSON.stringify({ v: 1, seq: 9, entry: OTHER, selections: [] })));
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(presenceOf(a, hId)?.entry, ENTRY, 'an older seq is not taken');

  // A flood: rate-limited, never a crash.
  const flood = Array.from({ length: 200 }, (_, i) => h.services.pubsub.publish(topic, utf8(`{"v":1,"seq":${100 + i},"entry":"${ENTRY}"}`)));
  await Promise.allSettled(flood);

  // H falls silent but stays connected: its presence expires.
  const silentFrom = performance.now();
  await waitFor('H\'s presence expires', () => presenceOf(a, hId) === undefined, PRESENCE_EXPIRY_MS + 3_000);
  t.diagnostic(`expired ${Math.round(performance.now() - silentFrom)} ms after the last message`);

  assert.deepEqual(a.replica.heads(), heads, 'nothing entered the log');
  const hStatus = a.net.peers().find((p) => p.peerId === hId);
  assert.equal(hStatus?.connected, true, 'H still connected');
  assert.equal(hStatus?.strikes, undefined, 'presence is never a strike');
  await write(b, 'after-presence', 1);
  await waitFor('A still syncs with B', () => a.replica.doc.t?.['after-presence'] === 1);
});
