import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryLogger } from '../../src/core/logger.js';
import { MemoryLogStore } from '../../src/core/memory-store.js';
import { Replica } from '../../src/core/replica.js';
import { compressedTextChange, poisonedChange } from '../chaos/crafted.js';

type Doc = { t?: Record<string, number>; s?: string };

async function storeWith(writes: (r: Replica<Doc>) => Promise<void>): Promise<MemoryLogStore> {
  const store = new MemoryLogStore();
  const { replica } = await Replica.open<Doc>(store, { name: 'shared log', logger: memoryLogger() });
  await writes(replica);
  await replica.close();
  return store.reopen();
}

test('stored records that cannot be used are quarantined, reported once, and the last good state loads', async () => {
  const { plain: huge } = compressedTextChange(1_200_000, 0xc1, 'space'); // over the per-change op limit
  const store = await storeWith(async (r) => {
    await r.change('one', (d) => void (d.t = { one: 1 }));
    await r.change('two', (d) => void (d.t!.two = 2));
  });
  await store.append([huge, new Uint8Array([0x85, 0x6f, 0x4a, 0x83, 1, 2, 3, 4, 1, 0])]);
  const logger = memoryLogger();
  const { replica, problems } = await Replica.open<Doc>(store, { name: 'shared log', logger });
  assert.deepEqual(replica.doc.t, { one: 1, two: 2 }, 'every good change is there');
  assert.equal(replica.doc.s, undefined, 'the oversized record was not applied');
  assert.deepEqual(problems.map((p) => p.kind), ['quarantined']);
  assert.match(problems[0]!.detail, /2 stored record\(s\)/);
  assert.equal(store.quarantined.length, 1);
  assert.equal(store.quarantined[0]!.length, 2);
  await replica.close();
  const again = await Replica.open<Doc>(store.reopen(), { name: 'shared log', logger: memoryLogger() });
  assert.deepEqual(again.problems, [], 'the next start does not meet them again');
  assert.deepEqual(again.replica.doc.t, { one: 1, two: 2 });
});

test('a snapshot that does not load is quarantined with the records that need it; the peer starts', async () => {
  const store = await storeWith(async (r) => {
    await r.change('one', (d) => void (d.t = { one: 1 }));
    await r.compact();
    await r.change('two', (d) => void (d.t!.two = 2));
  });
  const loaded = await store.load();
  const broken = loaded.snapshot!.slice();
  broken[broken.length - 5]! ^= 0xff; // checksum-valid for the store, but not for Automerge
  await store.compact(broken);
  await store.append(loaded.records);
  const { replica, problems } = await Replica.open<Doc>(store, { name: 'shared log', logger: memoryLogger() });
  assert.equal(problems[0]?.kind, 'quarantined');
  assert.equal(replica.heads().length, 1, 'started from the genesis: peers bring the rest back');
  await replica.change('three', (d) => void (d.t = { three: 3 }));
  assert.equal(replica.doc.t?.three, 3, 'and it works');
});

test('a change that makes Automerge panic is refused and the replica reloads from its store', async () => {
  const { before, poison } = poisonedChange('space');
  const store = new MemoryLogStore();
  const { replica } = await Replica.open<Doc>(store, { name: 'shared log', logger: memoryLogger() });
  await replica.applyRemoteChanges([before], 'member');
  await replica.change('mine', (d) => void (d.t!.mine = 9));
  await assert.rejects(replica.applyRemoteChanges([poison], 'member'), (err: Error) => err.name === 'InvalidPeerDataError');
  await replica.settled();
  assert.deepEqual({ ...replica.doc.t }, { a: 1, b: 2, c: 3, mine: 9 });
  A.getChangesSince(replica.doc, []); // the call that panicked before works again
  await replica.close();
  const reopened = await Replica.open<Doc>(store.reopen(), { name: 'shared log', logger: memoryLogger() });
  assert.deepEqual(reopened.problems, [], 'the poisoned change never reached the store');
});

test('a large catch-up is applied in slices, letting the event loop run between them, and stored', async () => {
  let source = A.from<Doc>({ t: {} });
  for (let i = 0; i < 30; i++) source = A.change(source, (d) => void (d.s = `${i}`.padEnd(1_000, 'x')));
  const [, hello] = A.generateSyncMessage(source, A.initSyncState());
  const message = A.encodeSyncMessage({ ...A.decodeSyncMessage(hello!), changes: A.getAllChanges(source) });
  const store = new MemoryLogStore();
  const { replica } = await Replica.open<Doc>(store, { name: 'shared log', logger: memoryLogger() });
  let turns = 0;
  let ticking = true;
  const tick = () => {
    turns++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const turnsBefore = turns;
  const { applied } = await replica.receiveSyncMessage(A.initSyncState(), message, 'peer');
  ticking = false;
  assert.equal(applied, 31);
  assert.ok(replica.doc.s?.startsWith('29'));
  assert.ok(turns - turnsBefore >= 2, `the event loop ran between slices (${turns - turnsBefore} turns)`);
  assert.equal((await store.load()).records.length, 31, 'every change is stored');
});
