import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Replica } from '../../src/core/replica.js';
import { SyncSession, sameHeads } from '../../src/core/sync-session.js';
import { runSyncConversation } from '../../src/net/sync-protocol.js';
import { memoryReplica } from '../helpers/core.js';
import { streamPair as pair } from '../helpers/net.js';

const replica = (name: string, changes = 0, prefix = name) => memoryReplica(name, { changes, prefix });

test('a conversation converges both replicas and ends on its own', async () => {
  const a = await replica('a', 200);
  const b = await replica('b', 30);
  const [out, inb] = await pair();
  const sa = new SyncSession(a as Replica<unknown>, 'b');
  const sb = new SyncSession(b as Replica<unknown>, 'a');
  const seen: number[] = [];
  const [ra, rb] = await Promise.all([
    runSyncConversation(out, sa, { initiator: true }),
    runSyncConversation(inb, sb, { initiator: false, onProgress: (p) => seen.push(p.changesIn) }),
  ]);
  assert.ok(sameHeads(a.heads(), b.heads()));
  assert.equal(a.allChanges().length, 231);
  assert.ok(ra.inSync && rb.inSync);
  // Automerge may ship a whole-document chunk instead of single changes, so count >= 1.
  assert.ok(rb.progress.changesIn >= 1 && ra.progress.changesIn >= 1);
  assert.ok(ra.rounds < 10, `settled in ${ra.rounds} rounds`);
  assert.ok(seen.length > 0);
});

test('two replicas that already agree exchange a few small frames and stop', async () => {
  const a = await replica('a');
  const b = await replica('b');
  const [out, inb] = await pair();
  const [ra, rb] = await Promise.all([
    runSyncConversation(out, new SyncSession(a as Replica<unknown>, 'b'), { initiator: true }),
    runSyncConversation(inb, new SyncSession(b as Replica<unknown>, 'a'), { initiator: false }),
  ]);
  assert.ok(ra.inSync && rb.inSync);
  assert.ok(ra.progress.bytesOut + rb.progress.bytesOut < 1_000);
});

test('a garbage frame fails the session with InvalidPeerDataError and aborts the stream', async () => {
  const { lpStream } = await import('@libp2p/utils');
  const b = await replica('b');
  const [out, inb] = await pair();
  const running = runSyncConversation(inb, new SyncSession(b as Replica<unknown>, 'evil'), { initiator: false });
  await lpStream(out).write(new Uint8Array(64).fill(0xff));
  await assert.rejects(running, { name: 'InvalidPeerDataError' });
  assert.notEqual(inb.status, 'open');
});

test('an oversized length prefix is refused before any of it is read', async () => {
  const b = await replica('b');
  // varint 2^30 (a 1 GiB frame: too many length bytes) and 20 MiB (4 length bytes, over the cap).
  for (const prefix of [[0x80, 0x80, 0x80, 0x80, 0x04], [0x80, 0x80, 0x80, 0x0a]]) {
    const [out, inb] = await pair();
    const running = runSyncConversation(inb, new SyncSession(b as Replica<unknown>, 'evil'), { initiator: false });
    out.send(new Uint8Array(prefix));
    await assert.rejects(running, { name: 'SyncFrameTooLargeError' });
  }
});

test('an endless length prefix is refused after four bytes, not buffered', async () => {
  const b = await replica('b');
  const [out, inb] = await pair();
  const running = runSyncConversation(inb, new SyncSession(b as Replica<unknown>, 'evil'), { initiator: false });
  const heapBefore = process.memoryUsage().heapUsed;
  for (let i = 0; i < 64; i++) out.send(new Uint8Array(8 * 1024).fill(0x80)); // half a megabyte of continuation bytes
  await assert.rejects(running, (err: Error) => err.name === 'SyncFrameTooLargeError' && /longer than 4 bytes/.test(err.message));
  assert.ok(process.memoryUsage().heapUsed - heapBefore < 32 * 1024 * 1024, 'memory stayed bounded');
});

test('a silent peer times out; a peer that hangs up mid-session closes it', async (t) => {
  // AbortSignal.timeout does not keep Node's event loop alive; sockets do in real use.
  const keepAlive = setInterval(() => undefined, 50);
  t.after(() => clearInterval(keepAlive));
  const b = await replica('b');
  const [, silentEnd] = await pair();
  await assert.rejects(
    runSyncConversation(silentEnd, new SyncSession(b as Replica<unknown>, 'quiet'), { initiator: true, idleTimeoutMs: 200 }),
    { name: 'SyncTimeoutError' },
  );
  const [out, inb] = await pair();
  const running = runSyncConversation(inb, new SyncSession(b as Replica<unknown>, 'gone'), { initiator: false });
  await out.close();
  await assert.rejects(running, { name: 'SyncStreamClosedError' });
});
