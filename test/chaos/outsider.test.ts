/**
 * Outsiders: whoever does not hold this space's key gets no connection and no data, and a peer
 * holding the invite of another space learns nothing about this one. Tried at every level: CLI
 * peers with a forged invite or another space's invite, a libp2p node with another key, and raw
 * websocket and HTTP clients that record every byte the peer sends back.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { rm } from 'node:fs/promises';
import { after, it } from 'node:test';
import WebSocket from 'ws';
import { decodeInvite, encodeInvite, newSpace } from '../../src/core/invite.js';
import { topicForSpace } from '../../src/net/keys.js';
import { startRawNode } from '../helpers/net.js';
import { loadStack } from '../../src/net/stack.js';
import { CliPeer, tempDir } from '../helpers/cli-peer.js';
import { printFigures, scaled, sleep } from './report.js';

const RAW_PROBES = scaled(6, 30);

const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const step of cleanup.reverse()) await Promise.resolve().then(step).catch((err: unknown) => console.error(`cleanup: ${String(err)}`));
});

async function startPeer(name: string, args: string[]): Promise<CliPeer> {
  const dir = await tempDir(`sn-outsider-${name}-`);
  const peer = await CliPeer.start(name, dir, args);
  cleanup.push(() => rm(dir, { recursive: true, force: true }), () => peer.kill());
  return peer;
}

/** Opens a websocket to the peer, sends `payloads`, and returns every byte that came back. */
async function rawWebSocket(port: number, payloads: Uint8Array[]): Promise<{ received: Buffer; closed: boolean }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  const chunks: Buffer[] = [];
  ws.on('message', (data: Buffer) => chunks.push(Buffer.from(data)));
  ws.on('error', () => undefined); // the peer hanging up is the expected outcome
  const closed = new Promise<boolean>((resolve) => ws.on('close', () => resolve(true)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  for (const p of payloads) ws.send(p);
  const done = await Promise.race([closed, sleep(3_000).then(() => false)]);
  ws.terminate();
  return { received: Buffer.concat(chunks), closed: done };
}

/** A plain HTTP request to the peer's port: what does a browser or a scanner see? */
function httpGet(port: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', method: 'GET', timeout: 3_000 }, (res) => {
      const chunks: Buffer[] = [Buffer.from(JSON.stringify(res.headers))];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    });
    req.on('error', () => resolve(Buffer.alloc(0)));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

it('outsiders get no connection and no data; another space\'s invite reveals nothing about this one', { timeout: 240_000 }, async () => {
  const secret = `secret-${randomBytes(6).toString('hex')}`;
  const a = await startPeer('Ann', ['--new-space', 'Kitchen']);
  const published = (await a.run(`create note ${secret}|the recipe nobody else may read`)).entry as { id: string };
  await a.run(`publish ${published.id}`);
  const real = decodeInvite(a.ready.invite);
  const port = Number(/\/tcp\/(\d+)\//.exec(a.ready.addresses[0]!)![1]);
  const addrNoId = a.ready.addresses[0]!.replace(/\/p2p\/.*$/, '');

  // What must never leave the peer towards an outsider, in any encoding we can think of.
  const { peerIdFromString } = await loadStack();
  const needles: Array<[string, Buffer]> = [
    ['the note title', Buffer.from(secret)],
    ['the space id', Buffer.from(real.space.id)],
    ['the space name', Buffer.from('Kitchen')],
    ['the peer id (text)', Buffer.from(a.ready.peerId)],
    ['the peer id (bytes)', Buffer.from(peerIdFromString(a.ready.peerId).toMultihash().bytes)],
    ['the gossip topic', Buffer.from(topicForSpace(real.space.id))],
    ['a protocol name', Buffer.from('/multistream/1.0.0')],
    ['a protocol name', Buffer.from('/noise')],
    ['a protocol name', Buffer.from('/shared-notes/')],
  ];
  const leaks = (bytes: Buffer) => needles.filter(([, n]) => bytes.includes(n)).map(([label]) => label);

  // 1. A CLI peer with a forged invite: the right space id and address, a key of its own.
  const forged = encodeInvite({ space: { ...newSpace('Kitchen'), id: real.space.id }, addresses: real.addresses });
  const forger = await startPeer('Eve', ['--join', forged]);
  // 2. A CLI peer of another space, holding that space's invite, pointed at this peer's address.
  const other = await startPeer('Olaf', ['--new-space', 'Garage']);
  const stranger = await startPeer('Sven', ['--join', other.ready.invite, '--bootstrap', addrNoId]);
  await stranger.until('in the other space', () => stranger.status(), (s) => s.connected >= 1, 30_000);

  // 3. A libp2p node with another space's key dials the peer directly, again and again.
  const { node: wrongKey } = await startRawNode(real.space.id, new Uint8Array(randomBytes(32)));
  cleanup.push(() => wrongKey.stop());
  const { multiaddr } = await loadStack();
  let libp2pDials = 0;
  let libp2pConnected = 0;
  for (let i = 0; i < scaled(3, 10); i++) {
    libp2pDials++;
    await wrongKey.dial(multiaddr(a.ready.addresses[0]!), { signal: AbortSignal.timeout(8_000) }).then(
      () => libp2pConnected++,
      () => undefined, // refused, as it must be
    );
  }

  // 4. Raw clients: random bytes, a pnet nonce then garbage, a huge message, and plain HTTP.
  const raw: Array<{ what: string; received: Buffer; closed: boolean }> = [];
  for (let i = 0; i < RAW_PROBES; i++) {
    const nonce = new Uint8Array(randomBytes(24));
    const payloads = i % 3 === 0 ? [new Uint8Array(randomBytes(1 + (i * 97) % 4096))]
      : i % 3 === 1 ? [nonce, new Uint8Array(randomBytes(512))]
        : [nonce, Buffer.from('/multistream/1.0.0\n'), Buffer.from('/noise\n')];
    raw.push({ what: 'websocket', ...(await rawWebSocket(port, payloads)) });
  }
  raw.push({ what: 'websocket, one 95 MiB message', ...(await rawWebSocket(port, [new Uint8Array(24), new Uint8Array(95 * 1024 * 1024)])) });
  const http = await httpGet(port);

  await sleep(3_000); // let any late dial or gossip land before looking
  const [aStatus, forgerStatus, strangerStatus] = await Promise.all([a.status(), forger.status(), stranger.status()]);
  const aPeers = (await a.run('peers')).peers as Array<{ peerId: string; connected: boolean }>;
  const outsiderIds = [forger.ready.peerId, stranger.ready.peerId, wrongKey.peerId.toString()];
  const outsidersSeenConnected = aPeers.filter((p) => outsiderIds.includes(p.peerId) && p.connected).length;
  const forgerEntries = ((await forger.run('ls')).entries as unknown[]).length + forger.lines.filter((l) => l.type === 'entry' || l.type === 'catch-up').length;
  const strangerSees = JSON.stringify([...stranger.lines, ...stranger.stderr]);
  const strangerLearned = [a.ready.peerId, real.space.id, secret].filter((s) => strangerSees.includes(s));
  const forgerSees = JSON.stringify([...forger.lines, ...forger.stderr]);
  const rawLeaks = [...raw.flatMap((r) => leaks(r.received)), ...leaks(http)];
  const rawBytes = raw.reduce((s, r) => s + r.received.length, 0);

  printFigures('Outsiders', [
    ['CLI peer with a forged invite: connected / entries', `${forgerStatus.connected} / ${forgerEntries}`],
    ['forged-invite peer learned the note title', forgerSees.includes(secret) ? 'yes' : 'no'],
    ['peer of another space: connected here / learned', `${aPeers.some((p) => p.peerId === stranger.ready.peerId && p.connected) ? 1 : 0} / ${strangerLearned.length ? strangerLearned.join(', ') : 'nothing'}`],
    ['libp2p node with another key: dials / connected', `${libp2pDials} / ${libp2pConnected}`],
    ['raw websocket probes / bytes they got back (random: pnet nonces)', `${raw.length} / ${rawBytes}`],
    ['HTTP GET: bytes back', http.length],
    ['secrets or protocol names in those bytes', rawLeaks.length],
    ['outsiders the peer lists as connected', outsidersSeenConnected],
    ['peer still running (after a 95 MiB message)', a.running ? 'yes' : 'no'],
    ['members connected to the peer', aStatus.connected],
  ]);

  assert.equal(forgerStatus.connected, 0);
  assert.equal(forgerEntries, 0);
  assert.ok(!forgerSees.includes(secret));
  assert.ok(strangerStatus.connected >= 1, 'the stranger works fine in its own space');
  assert.deepEqual(strangerLearned, [], 'a peer of another space learns nothing about this one');
  assert.equal(libp2pConnected, 0);
  assert.deepEqual(rawLeaks, []);
  assert.equal(outsidersSeenConnected, 0);
  assert.ok(a.running, 'the peer survived every probe');
  assert.equal((await a.show(published.id)).entry !== undefined, true);
});
