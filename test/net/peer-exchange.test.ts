import assert from 'node:assert/strict';
import type { Stream } from '@libp2p/interface';
import { describe, it, test } from 'node:test';
import { connectionKind } from '../../src/net/addresses.js';
import { HELLO_PROTOCOL, MAX_PEER_EXCHANGE_BYTES, MAX_PEER_EXCHANGE_PEERS, PEER_EXCHANGE_PROTOCOL } from '../../src/net/constants.js';
import { encodeHello } from '../../src/net/hello-codec.js';
import { decodePeerList, encodePeerList } from '../../src/net/peer-exchange-codec.js';
import { encodeSmallFrame } from '../../src/net/small-frame.js';
import { loadStack } from '../../src/net/stack.js';
import { connectedTo, startRawNode, testNodes, testSpace, waitFor } from '../helpers/net.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const ID = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN';

describe('peer list codec', () => {
  it('round-trips, keeping each peer\'s newest addresses and at most the peer cap', () => {
    const addrs = ['/ip4/10.0.0.1/tcp/1/ws', '/ip4/10.0.0.1/tcp/2/ws', '/ip4/10.0.0.1/tcp/3/ws', '/ip4/10.0.0.1/tcp/4/ws', '/ip4/10.0.0.1/tcp/5/ws'];
    const peers = Array.from({ length: MAX_PEER_EXCHANGE_PEERS + 5 }, (_, i) => ({ id: `${ID}${i}`, addrs }));
    const decoded = decodePeerList(encodePeerList(peers));
    assert.equal(decoded.length, MAX_PEER_EXCHANGE_PEERS);
    assert.deepEqual(decoded[0]?.addrs, addrs.slice(1), 'the newest four');
    assert.ok(encodePeerList(peers).byteLength <= MAX_PEER_EXCHANGE_BYTES);
    assert.deepEqual(decodePeerList(encodePeerList([{ id: ID, addrs: [] }])), [], 'a peer without addresses is not worth sending');
  });

  it('refuses what is malformed or over a limit, with InvalidPeerExchangeError', () => {
    const bad = [
      'not json',
      '[]',
      '{"peers":[]}',
      '{"v":1}',
      `{"v":1,"peers":[${Array.from({ length: MAX_PEER_EXCHANGE_PEERS + 1 }, () => `{"id":"${ID}","addrs":[]}`).join(',')}]}`,
      '{"v":1,"peers":[{"addrs":[]}]}',
      `{"v":1,"peers":[{"id":"${ID}","addrs":["a","b","c","d","e"]}]}`,
      `{"v":1,"peers":[{"id":"${ID}","addrs":[7]}]}`,
      `{"v":1,"peers":[{"id":"${ID}","addrs":["/ip4/1.2.3.4/tcp/1/ws${'/'.repeat(300)}"]}]}`,
    ];
    for (const text of bad) assert.throws(() => decodePeerList(utf8(text)), { name: 'InvalidPeerExchangeError' }, text.slice(0, 80));
    assert.throws(() => decodePeerList(new Uint8Array(MAX_PEER_EXCHANGE_BYTES + 1)), { name: 'InvalidPeerExchangeError' });
    assert.throws(() => decodePeerList(Uint8Array.from([0x7b, 0xff, 0x7d])), { name: 'InvalidPeerExchangeError' }, 'not UTF-8');
    assert.deepEqual(decodePeerList(utf8(`{"v":2,"peers":[{"id":"${ID}","addrs":["/x"],"more":1}],"later":true}`)), [{ id: ID, addrs: ['/x'] }], 'a newer version: what we know is read');
  });
});

test('connection kinds: this machine, LAN, direct, relayed', async () => {
  const { multiaddr } = await loadStack();
  const kind = (a: string, limited = false) => connectionKind(multiaddr(a), limited);
  assert.equal(kind('/ip4/127.0.0.1/tcp/1/ws'), 'loopback');
  assert.equal(kind('/ip6/::1/tcp/1/ws'), 'loopback');
  for (const lan of ['/ip4/10.1.2.3/tcp/1/ws', '/ip4/172.20.0.1/tcp/1/ws', '/ip4/192.168.1.9/tcp/1/ws', '/ip4/169.254.0.1/tcp/1/ws', '/ip6/fd00::1/tcp/1/ws', '/ip6/fe80::1/tcp/1/ws']) {
    assert.equal(kind(lan), 'lan', lan);
  }
  assert.equal(kind('/ip4/172.32.0.1/tcp/1/ws'), 'direct');
  assert.equal(kind('/ip4/203.0.113.7/tcp/443/wss'), 'direct');
  assert.equal(kind('/dns4/example.org/tcp/443/wss'), 'direct');
  assert.equal(kind(`/ip4/203.0.113.7/tcp/443/ws/p2p/${ID}/p2p-circuit`), 'relayed');
  assert.equal(kind('/ip4/192.168.1.9/tcp/1/ws', true), 'relayed', 'a limited connection goes through a relay');
});

/** Opens a stream from a raw node to `peerId` and writes `bytes` as they are. */
async function sendRaw(node: Awaited<ReturnType<typeof startRawNode>>['node'], peerId: string, protocol: string, bytes: Uint8Array): Promise<void> {
  const { peerIdFromString, byteStream } = await loadStack();
  const stream = await node.dialProtocol(peerIdFromString(peerId), protocol, { signal: AbortSignal.timeout(5_000) });
  await byteStream(stream).write(bytes);
  await stream.close().catch(() => stream.abort(new Error('closed')));
}

test('peer lists go only to members that greeted us; bad ones are ignored; a good one is dialed', async (t) => {
  const start = testNodes(t);
  const space = testSpace();
  const a = await start('A', space);
  const b = await start('B', space, { bootstrap: a.net.addresses() });
  await waitFor('A–B connected', () => connectedTo(a, b));
  const raw = await startRawNode(space.spaceId, space.spaceKey);
  t.after(() => raw.node.stop());
  const lists: Uint8Array[] = [];
  await raw.node.handle(PEER_EXCHANGE_PROTOCOL, async (stream: Stream) => {
    const { byteStream } = await loadStack();
    const bytes = byteStream(stream);
    const chunks: Uint8Array[] = [];
    try {
      for (;;) {
        const chunk = await bytes.read({ signal: AbortSignal.timeout(2_000) });
        if (chunk === null) break;
        chunks.push(chunk.subarray());
      }
    } catch {
      // the sender closed its end, or went quiet: what came so far is the list
    }
    lists.push(Uint8Array.from(chunks.flatMap((c) => [...c])));
  });
  const { multiaddr } = await loadStack();
  await raw.node.dial(multiaddr(a.net.addresses()[0] ?? ''));
  const rawId = raw.node.peerId.toString();
  await waitFor('A sees the raw member', () => a.net.peers().some((p) => p.peerId === rawId && p.connected));
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(lists.length, 0, 'no peer list before its hello');

  await sendRaw(raw.node, a.net.peerId, HELLO_PROTOCOL, encodeHello('Raw'));
  await waitFor('a peer list after its hello', () => lists.length > 0);
  const first = lists[0]!;
  assert.match(new TextDecoder().decode(first), new RegExp(b.net.peerId), 'it names B, a member A is connected to');

  // Garbage, an oversized announcement, a flood: logged, ignored, never a strike or a hang-up.
  await sendRaw(raw.node, a.net.peerId, PEER_EXCHANGE_PROTOCOL, encodeSmallFrame(utf8('{"v":1,"peers":"nope"}')));
  await sendRaw(raw.node, a.net.peerId, PEER_EXCHANGE_PROTOCOL, Uint8Array.from([0xff, 0x7f]));
  for (let i = 0; i < 12; i++) await sendRaw(raw.node, a.net.peerId, PEER_EXCHANGE_PROTOCOL, encodeSmallFrame(utf8('{"v":1,"peers":[]}'))).catch(() => undefined);
  await waitFor('A logged the bad lists', () => a.logger.lines.filter((l) => l.includes('ignoring a bad peer list')).length >= 2);
  assert.ok(a.logger.lines.some((l) => l.includes('refusing a peer list')), 'the flood hit the rate limit');
  assert.equal(a.net.peers().find((p) => p.peerId === rawId)?.strikes, undefined);

  // A list naming a member A does not know yet: A dials it.
  const c = await start('C', space);
  const list = encodePeerList([{ id: c.net.peerId, addrs: c.net.addresses().map((x) => x.replace(/\/p2p\/.*$/, '')) }, { id: 'not-a-peer-id', addrs: ['/ip4/127.0.0.1/tcp/1/ws'] }]);
  await new Promise((r) => setTimeout(r, 1_100)); // a token back in the bucket
  await sendRaw(raw.node, a.net.peerId, PEER_EXCHANGE_PROTOCOL, encodeSmallFrame(list));
  await waitFor('A connected to C, named by the raw member', () => connectedTo(a, c), 10_000);
  assert.ok(!a.net.peers().some((p) => p.peerId === 'not-a-peer-id'), 'a bad id is not remembered');
});
