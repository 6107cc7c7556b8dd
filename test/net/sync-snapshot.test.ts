import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidPeerDataError } from '../../src/core/errors.js';
import { MemoryLogStore } from '../../src/core/memory-store.js';
import { Replica } from '../../src/core/replica.js';
import { SNAPSHOT_LAST_CHUNK, SyncSession, sameHeads } from '../../src/core/sync-session.js';
import { runSyncConversation } from '../../src/net/sync-protocol.js';
import { memoryNoteLog, memoryReplica, type TestDoc } from '../helpers/core.js';
import { streamPair } from '../helpers/net.js';

const replica = (name: string, changes = 0, store = new MemoryLogStore()) => memoryReplica(name, { changes, store });

async function converse(a: Replica<TestDoc>, b: Replica<TestDoc>, options: { bInitiates?: boolean; chunkBytes?: number } = {}) {
  const [out, inb] = await streamPair();
  const sa = new SyncSession(a as Replica<unknown>, 'b', options.chunkBytes);
  const sb = new SyncSession(b as Replica<unknown>, 'a', options.chunkBytes);
  const [ra, rb] = await Promise.all([
    runSyncConversation(options.bInitiates ? inb : out, sa, { initiator: !options.bInitiates }),
    runSyncConversation(options.bInitiates ? out : inb, sb, { initiator: !!options.bInitiates }),
  ]);
  return { ra, rb };
}

for (const bInitiates of [false, true]) {
  test(`an empty peer receives the whole document as a snapshot (${bInitiates ? 'it' : 'the full peer'} opens the session)`, async () => {
    const a = await replica('a', 300);
    const storeB = new MemoryLogStore();
    const b = await replica('b', 0, storeB);
    const events: number[] = [];
    b.events.on('remote-changes', (e) => events.push(e.snapshot ?? -1));
    const { ra, rb } = await converse(a, b, { bInitiates, chunkBytes: 1024 });
    assert.ok(sameHeads(a.heads(), b.heads()));
    assert.ok(ra.inSync && rb.inSync, 'both sides know they are in sync at the end of the same session');
    assert.equal(rb.progress.snapshotsIn, 1);
    assert.equal(ra.progress.snapshotsOut, 1);
    assert.equal(rb.progress.changesIn, 300);
    assert.ok(rb.progress.messagesIn > 3, 'the snapshot came in several chunks');
    assert.deepEqual(events, [300]);
    // Durable: the snapshot is the store's snapshot; a reopened replica has everything.
    const loaded = await storeB.load();
    assert.ok(loaded.snapshot && loaded.records.length === 0);
    const reopened = await replica('b2', 0, storeB.reopen());
    assert.ok(sameHeads(a.heads(), reopened.heads()));
    assert.equal(reopened.doc.t?.a299, 299);
  });
}

test('a peer that already has changes of its own syncs change by change, no snapshot', async () => {
  const a = await replica('a', 100);
  const b = await replica('b', 1);
  const { ra, rb } = await converse(a, b);
  assert.ok(sameHeads(a.heads(), b.heads()) && ra.inSync && rb.inSync);
  assert.equal(rb.progress.snapshotsIn + ra.progress.snapshotsIn, 0);
});

test('a snapshot that does not load, or is another document, is refused and changes nothing', async () => {
  const b = await replica('b');
  const before = b.heads();
  const other = A.save(A.change(A.init<TestDoc>(), (d) => { d.t = { x: 1 }; }));
  for (const body of [new Uint8Array([1, 2, 3, 4, 5]), other]) {
    const session = new SyncSession(b as Replica<unknown>, 'evil');
    assert.ok(session.next(), 'b tells the peer its heads: the genesis alone (it asks for a snapshot)');
    const frame = new Uint8Array(body.byteLength + 1);
    frame[0] = SNAPSHOT_LAST_CHUNK;
    frame.set(body, 1);
    await assert.rejects(session.receive(frame), InvalidPeerDataError);
    assert.deepEqual(b.heads(), before);
  }
});

function snapshotFrame(bytes: Uint8Array): Uint8Array {
  const frame = new Uint8Array(bytes.byteLength + 1);
  frame[0] = SNAPSHOT_LAST_CHUNK;
  frame.set(bytes, 1);
  return frame;
}

test('a snapshot nobody asked for is refused (a strike) and changes nothing', async () => {
  const full = await replica('full', 5);
  const good = snapshotFrame(full.save());
  // A peer holding changes of its own never asks.
  const b = await replica('b', 2);
  const before = b.heads();
  const told = new SyncSession(b as Replica<unknown>, 'evil');
  assert.ok(told.next());
  await assert.rejects(told.receive(good), InvalidPeerDataError);
  assert.deepEqual(b.heads(), before);
  // An empty peer that has not told its heads in this session has not asked either.
  const empty = await replica('empty');
  await assert.rejects(new SyncSession(empty as Replica<unknown>, 'evil').receive(good), InvalidPeerDataError);
  assert.equal(empty.heads().length, 1);
  // Asked once: the first is adopted, a second one in the same session is refused.
  const session = new SyncSession(empty as Replica<unknown>, 'full');
  assert.ok(session.next());
  await session.receive(good);
  assert.ok(sameHeads(empty.heads(), full.heads()));
  await assert.rejects(session.receive(good), InvalidPeerDataError);
});

test('an asked-for snapshot that arrives after a change was made here is dropped without blame', async () => {
  const full = await replica('full', 5);
  const b = await replica('b');
  const session = new SyncSession(b as Replica<unknown>, 'full');
  assert.ok(session.next());
  await b.change('mine', (d) => void (d.t = { mine: 1 }));
  const mine = b.heads();
  await session.receive(snapshotFrame(full.save())); // no error: the sender did nothing wrong
  assert.deepEqual(b.heads(), mine, 'the snapshot was not adopted; ordinary sync carries the rest');
  assert.equal(b.doc.t?.mine, 1);
});

test('a note log reports a snapshot catch-up as one bulk change and its history still reads', async () => {
  const ann = await memoryNoteLog('Ann', 'dev-ann');
  const bob = await memoryNoteLog('Bob', 'dev-bob');
  const draft = await ann.log.createNote({ title: 'Soup', body: 'Leeks' });
  await ann.log.publish(draft.id);
  await ann.log.edit(draft.id, { body: 'Leeks and potatoes' });
  const seen: Array<{ bulk?: number; ids: string[] }> = [];
  bob.log.events.on('changed', (c) => seen.push({ bulk: c.bulk, ids: c.ids }));
  await converse(ann.log.shared as Replica<never>, bob.log.shared as Replica<never>);
  assert.deepEqual(seen, [{ bulk: 2, ids: [] }]);
  const read = bob.log.get(draft.id);
  assert.equal(read?.status, 'valid');
  // The draft's create step came with the publish record (without its content).
  assert.deepEqual(bob.log.historyOf(draft.id).map((h) => h.op), ['create', 'publish', 'edit']);
});
