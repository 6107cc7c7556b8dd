/**
 * The hello protocol: the frame codec and its bounds over in-memory streams, then display names
 * between real libp2p nodes on loopback, including a peer with the key that sends bad hellos.
 */
import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { HELLO_PROTOCOL, MAX_HELLO_BYTES } from '../../src/net/constants.js';
import { decodeHello, encodeHello, readHello, sendHello } from '../../src/net/hello-codec.js';
import { connectedTo, startRawNode, sameHeads, streamPair as pair, testNodes, testSpace, waitFor, write, type TestNode } from '../helpers/net.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('hello frames', () => {
  it('encodes a one-byte or two-byte length and the JSON name, cleaned', () => {
    const short = encodeHello('Ann');
    assert.deepEqual([...short], [14, ...utf8('{"name":"Ann"}')]);
    const long = encodeHello('é'.repeat(100)); // 200 bytes of UTF-8: two length bytes
    assert.equal(long[0]! & 0x80, 0x80);
    assert.equal((long[0]! & 0x7f) | (long[1]! << 7), long.byteLength - 2);
    assert.equal(decodeHello(long.subarray(2)).name, 'é'.repeat(100));
    assert.equal(decodeHello(encodeHello(' Ann\n\u202Ex ').subarray(1)).name, 'Ann x');
    assert.ok(encodeHello('"\\'.repeat(100)).byteLength <= MAX_HELLO_BYTES, 'the worst escapes still fit');
  });

  it('refuses payloads that are not a JSON object with a string name, and ignores other fields', () => {
    for (const bad of ['not json', '[1]', 'null', '"Ann"', '{}', '{"name":7}', '{"name":null}']) {
      assert.throws(() => decodeHello(utf8(bad)).name, { name: 'InvalidHelloError' }, bad);
    }
    assert.throws(() => decodeHello(Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d])).name, { name: 'InvalidHelloError' }, 'invalid UTF-8');
    assert.throws(() => decodeHello(new Uint8Array(MAX_HELLO_BYTES + 1)).name, { name: 'InvalidHelloError' });
    assert.equal(decodeHello(utf8('{"name":"Bob","avatar":"x"}')).name, 'Bob');
    assert.equal(decodeHello(utf8('{"name":" \\n "}')).name, '', 'nothing readable: no name');
  });

  it('travels over a stream: sendHello on one end, readHello on the other, both ends closed', async () => {
    const [out, inb] = await pair();
    const [, hello] = await Promise.all([sendHello(out, 'Ann\u0007 the\tBaker', { device: '3fa2c1d04b5e6f70' }), readHello(inb)]);
    assert.deepEqual(hello, { name: 'Ann the Baker', device: '3fa2c1d04b5e6f70' });
    assert.equal(inb.writeStatus, 'closed');
  });

  it('carries the device id the peer writes on its entries; a malformed one is dropped, the name kept', () => {
    assert.deepEqual(decodeHello(encodeHello('Ann', 'abcdef0123456789').subarray(1)), { name: 'Ann', device: 'abcdef0123456789' });
    assert.deepEqual(decodeHello(utf8('{"name":"Bob","device":"not hex!"}')), { name: 'Bob' });
    assert.deepEqual(decodeHello(utf8('{"name":"Bob","device":12}')), { name: 'Bob' });
    assert.deepEqual(decodeHello(utf8('{"name":"Cy"}')), { name: 'Cy' }, 'an older peer sends no device');
  });

  it('refuses an oversized or over-long length prefix before reading the payload', async () => {
    // Three length bytes; a two-byte length of 2,000; a zero length.
    for (const prefix of [[0x80, 0x80, 0x04], [0xd0, 0x0f], [0x00]]) {
      const [out, inb] = await pair();
      const reading = readHello(inb);
      out.send(Uint8Array.from(prefix));
      await assert.rejects(reading, { name: 'InvalidHelloError' }, JSON.stringify(prefix));
      assert.notEqual(inb.status, 'open', 'the stream was aborted');
    }
  });

  it('refuses a valid hello that arrives with far more than one frame behind it', async () => {
    const [out, inb] = await pair();
    const reading = readHello(inb);
    const hello = encodeHello('Ann');
    const flood = new Uint8Array(hello.byteLength + 64 * 1024);
    flood.set(hello);
    out.send(flood); // what was buffered is capped, not just what was parsed
    await assert.rejects(reading, { name: 'InvalidHelloError', message: /more than one hello/ });
  });

  it('gives up on a silent peer and on one that hangs up early', async (t) => {
    // AbortSignal.timeout does not keep Node's event loop alive; sockets do in real use.
    const keepAlive = setInterval(() => undefined, 50);
    t.after(() => clearInterval(keepAlive));
    const [, silent] = await pair();
    await assert.rejects(readHello(silent, { timeoutMs: 200 }), { name: 'HelloStreamError', message: /in time/ });
    const [out, inb] = await pair();
    const reading = readHello(inb, { timeoutMs: 5_000 });
    out.send(Uint8Array.from([20, 0x7b])); // 20 bytes announced, 1 sent
    await out.close();
    await assert.rejects(reading, { name: 'HelloStreamError' });
  });
});

const nameOf = (node: TestNode, other: TestNode | string) =>
  node.net.peers().find((p) => p.peerId === (typeof other === 'string' ? other : other.net.peerId))?.name;

test('peers learn each other\'s display names on connect, and a new name at once', async (t) => {
  const start = testNodes(t);
  const space = testSpace();
  const a = await start('A', space, { displayName: 'Ann' });
  const b = await start('B', space, { displayName: ' Bob\n', bootstrap: a.net.addresses() });
  await waitFor('both names known', () => nameOf(a, b) === 'Bob' && nameOf(b, a) === 'Ann');
  const seen: (string | undefined)[] = [];
  b.net.events.on('peer', (status) => {
    if (status.peerId === a.net.peerId) seen.push(status.name);
  });

  a.net.setDisplayName('Ann the Baker');
  await waitFor('the new name reaches B', () => nameOf(b, a) === 'Ann the Baker');
  assert.ok(seen.includes('Ann the Baker'), 'B emitted a peer event with the new name');
  a.net.setDisplayName('');
  await waitFor('a cleared name is cleared at B', () => b.net.peers().find((p) => p.peerId === a.net.peerId)?.name === undefined);
  assert.ok(connectedTo(a, b) && connectedTo(b, a));
});

test('a peer with the key sending bad hellos: logged and ignored, its name cleaned, nobody cut off', async (t) => {
  const start = testNodes(t);
  const space = testSpace();
  const a = await start('A', space, { displayName: 'Ann' });
  const b = await start('B', space, { bootstrap: a.net.addresses() });
  await waitFor('A–B connected and in sync', () => connectedTo(a, b) && sameHeads(a, b));

  const { multiaddr } = await import('@multiformats/multiaddr');
  const { node: h } = await startRawNode(space.spaceId, space.spaceKey);
  t.after(() => h.stop());
  const aAddr = multiaddr(a.net.addresses()[0] ?? '');
  await h.dial(aAddr);
  const hId = h.peerId.toString();
  await waitFor('A sees H connected', () => a.net.peers().some((p) => p.peerId === hId && p.connected));

  const ignored = () => a.logger.lines.filter((l) => l.startsWith('warn') && l.includes('bad hello') && l.includes(hId)).length;
  const hello = async (bytes: Uint8Array) => {
    const stream = await h.dialProtocol(aAddr, HELLO_PROTOCOL);
    stream.send(bytes);
    await stream.close().catch(() => undefined); // A may abort first
  };
  const attacks: Array<[string, Uint8Array]> = [
    ['not JSON', Uint8Array.from([5, ...utf8('hello')])],
    ['a number for a name', Uint8Array.from([10, ...utf8('{"name":7}')])],
    ['a 1 GiB length', Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x04])],
    ['a 2,000-byte length', Uint8Array.from([0xd0, 0x0f, ...new Uint8Array(2_000).fill(0x20)])],
  ];
  for (const [i, [what, bytes]] of attacks.entries()) {
    await hello(bytes);
    await waitFor(`A ignored hello ${i + 1} (${what})`, () => ignored() === i + 1, 10_000);
  }
  assert.equal(nameOf(a, hId), undefined, 'no name from bad hellos');

  // A hostile but well-formed name: control characters, a right-to-left override, 300 characters.
  await hello(encodeRaw(`\u202Eevil\u0000\n${'x'.repeat(300)}`));
  await waitFor('H has a cleaned name at A', () => nameOf(a, hId) !== undefined);
  assert.equal(nameOf(a, hId), `evil ${'x'.repeat(95)}`);

  // Nothing of this counted against H or disturbed anyone: A still works with B and H.
  const hStatus = a.net.peers().find((p) => p.peerId === hId);
  assert.equal(hStatus?.connected, true);
  assert.equal(hStatus?.strikes, undefined);
  assert.ok(h.getConnections().length > 0);
  await write(b, 'after-hellos', 1);
  await waitFor('A still syncs with B', () => sameHeads(a, b) && a.replica.doc.t?.['after-hellos'] === 1);
});

/** A hello frame written by hand, without the sender-side cleaning of encodeHello. */
function encodeRaw(name: string): Uint8Array {
  const payload = utf8(JSON.stringify({ name }));
  const n = payload.byteLength;
  return Uint8Array.from([...(n < 0x80 ? [n] : [(n & 0x7f) | 0x80, n >> 7]), ...payload]);
}
