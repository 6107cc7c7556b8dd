import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { DeviceId, EntryId } from '../../src/core/ids.js';
import { memoryLogger } from '../../src/core/logger.js';
import { loadShard } from '../../src/core/shards/shard-doc.js';
import { ShardedSpace } from '../../src/core/shards/sharded-space.js';
import { ShardNotLoadedError } from '../../src/core/shards/errors.js';
import { emptyShard, shardOf, type ShardDoc } from '../../src/core/shards/shard-layout.js';
import { writeFields, writePublished } from '../../src/core/shards/shard-ops.js';
import { FileIndexStore } from '../../src/storage/read-index-store.js';
import { FileShardStore } from '../../src/storage/shard-store.js';
import { makeTempDir } from '../helpers/storage.js';

const ann = { name: 'Ann', device: 'dev-ann' as DeviceId };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function folder(label: string): Promise<string> {
  const tmp = await makeTempDir(label);
  cleanups.push(tmp.remove);
  return tmp.path;
}

async function openSpace(dir: string, init: { cacheSize?: number; actor?: string; compactAfterChunks?: number } = {}) {
  const logger = memoryLogger();
  const index = new FileIndexStore(dir, logger);
  const space = await ShardedSpace.open({ shards: await FileShardStore.open(dir, { logger }), index, logger }, init);
  let closed = false;
  cleanups.push(async () => {
    if (!closed) await space.close();
  });
  return { space, index, close: async () => { closed = true; await space.close(); } };
}

const ids = ['0a1', '0a1', '7f2', 'c33'].map((p, k) => `${p}${String(k).padStart(29, '0')}` as EntryId);
const publish = (id: EntryId, k: number) => (d: ShardDoc) =>
  writePublished(d, { id, kind: 'note', author: ann, createdAt: 1000 + k, updatedAt: 1000 + k, fields: { title: `Note ${k}`, body: `body ${k}` } });

async function publishAll(space: ShardedSpace): Promise<void> {
  for (const [k, id] of ids.entries()) await (await space.change(id, `publish ${k}`, publish(id, k))).durable;
}

describe('ShardedSpace on real files', () => {
  it('lists from the index; after a reopen the first screen comes from the file\'s first bytes', async () => {
    const dir = await folder('sharded-list');
    const first = await openSpace(dir);
    await publishAll(first.space);
    await (await first.space.change(ids[2]!, 'edit', (d) => writeFields(d, ids[2]!, { title: 'Newest' }, 9000))).durable;
    const rows = first.space.page(10);
    assert.deepEqual(rows.map((r) => r.title), ['Newest', 'Note 3', 'Note 1', 'Note 0']);
    await first.close();

    const logger = memoryLogger();
    const screen = await ShardedSpace.firstScreen(new FileIndexStore(dir, logger), 2);
    assert.deepEqual(screen?.map((r) => r.title), ['Newest', 'Note 3']);
    const second = await openSpace(dir);
    assert.deepEqual(second.space.page(10), rows);
    assert.deepEqual((await second.space.recover()).reindexed, []);
    const read = await second.space.read(ids[2]!);
    assert.equal(read?.status === 'valid' && read.entry.kind === 'note' ? read.entry.title : '', 'Newest');
  });

  it('a change written to a shard log whose journal record was lost is re-indexed, and only that shard', async () => {
    const dir = await folder('sharded-crash');
    const first = await openSpace(dir);
    await publishAll(first.space);
    await first.close();
    // The log write of an edit lands, its journal record does not (a crash between the two).
    const logger = memoryLogger();
    const store = await FileShardStore.open(dir, { logger });
    const shard = shardOf(ids[3]!);
    const stored = await store.read(shard);
    let shardDoc = loadShard(stored.chunks, 'dd'.repeat(16)).doc;
    shardDoc = A.change(shardDoc, (d) => writeFields(d, ids[3]!, { title: 'Written before the crash' }, 9999));
    await store.append(shard, [A.getLastLocalChange(shardDoc)!]);
    await store.close();

    const second = await openSpace(dir);
    assert.equal(second.space.page(1)[0]!.title, 'Note 3');
    const { reindexed, checked } = await second.space.recover();
    assert.deepEqual(reindexed, [shard]);
    assert.equal(checked, 3);
    assert.equal(second.space.page(1)[0]!.title, 'Written before the crash');
    assert.deepEqual(second.space.shardState(shard).heads, A.getHeads(shardDoc));
  });

  it('shards taken whole are written before anyone hears of them: a load a listener starts reads them as adopted', async () => {
    const a = await openSpace(await folder('sharded-adopt-a'));
    await publishAll(a.space);
    const b = await openSpace(await folder('sharded-adopt-b'));
    const shards = [...new Set(ids.map(shardOf))];
    // What the search index does on a bulk change: it starts reading the shards at once.
    const loads: Promise<void>[] = [];
    b.space.events.on('remote-changes', ({ shards: told }) => loads.push(b.space.load(ids.filter((id) => told.includes(shardOf(id))))));
    await b.space.adoptSavedMany(await Promise.all(shards.map(async (shard) => ({ shard, saved: await a.space.savedShard(shard) }))));
    await Promise.all(loads);
    for (const [k, id] of ids.entries()) {
      const read = await b.space.read(id);
      assert.equal(read?.status === 'valid' && read.entry.kind === 'note' ? read.entry.title : undefined, `Note ${k}`, `entry ${k} is readable after the adoption`);
    }
    for (const shard of shards) assert.deepEqual(b.space.shardState(shard).heads, a.space.shardState(shard).heads);
  });

  it('two versions of one change (one actor, one sequence number) arriving at once: one is taken, the other refused, the log stays loadable', async () => {
    const dir = await folder('sharded-equivocation');
    const b = await openSpace(dir);
    const shard = shardOf(ids[0]!);
    // A member that sends different peers different versions of its first change to a shard.
    const actor = 'ee'.repeat(16);
    const version = (k: number) => A.getLastLocalChange(A.change(emptyShard(actor), `publish ${k}`, publish(ids[0]!, k)))!;
    const outcomes = await Promise.allSettled([b.space.receive(shard, version(1)), b.space.receive(shard, version(2))]);
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected'], JSON.stringify(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : o.value))));
    const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!;
    assert.equal((refused.reason as Error).name, 'InvalidPeerDataError');
    await b.close();
    const logger = memoryLogger();
    const store = await FileShardStore.open(dir, { logger });
    const { chunks } = await store.read(shard);
    await store.close();
    assert.equal(loadShard(chunks).bad, 0, 'the shard log holds one version only');
  });

  it('a lost index is rebuilt from the shard logs', async () => {
    const dir = await folder('sharded-lost');
    const first = await openSpace(dir);
    await publishAll(first.space);
    const rows = first.space.page(10);
    await first.close();
    await rm(join(dir, 'index'));
    await rm(join(dir, 'index.journal'));
    const second = await openSpace(dir);
    assert.equal(second.space.page(10).length, 0);
    assert.equal((await second.space.recover()).reindexed.length, 3);
    assert.deepEqual(second.space.page(10), rows);
  });

  it('a peer\'s changes to shards it has not loaded update the index without a load, and agree with a load', async () => {
    const a = await openSpace(await folder('sharded-peer-a'), { actor: 'aa'.repeat(16) });
    const b = await openSpace(await folder('sharded-peer-b'), { actor: 'bb'.repeat(16) });
    const made: { shard: ReturnType<typeof shardOf>; change: Uint8Array }[] = [];
    for (const [k, id] of ids.entries()) made.push({ shard: shardOf(id), change: (await a.space.change(id, 'p', publish(id, k))).change! });
    made.push({ shard: shardOf(ids[0]!), change: (await a.space.change(ids[0]!, 'e', (d) => writeFields(d, ids[0]!, { title: 'Edited', body: 'new body' }, 5000))).change! });
    for (const m of made) assert.equal(await b.space.receive(m.shard, m.change), 'indexed');
    assert.equal(b.space.loadedShards, 0);
    assert.deepEqual([...b.space.rows()], [...a.space.rows()]);
    assert.equal(await b.space.receive(made[0]!.shard, made[0]!.change), 'known');
    // Loading the shard gives the same entry, and a concurrent change then applies in memory.
    const read = await b.space.read(ids[0]!);
    assert.equal(read?.status === 'valid' && read.entry.kind === 'note' ? read.entry.body : '', 'new body');
    const mine = await b.space.change(ids[1]!, 'e', (d) => writeFields(d, ids[1]!, { title: 'B was here' }, 6000));
    await mine.durable;
    const theirs = await a.space.change(ids[1]!, 'e', (d) => writeFields(d, ids[1]!, { body: 'A was here' }, 6001));
    assert.equal(await b.space.receive(shardOf(ids[1]!), theirs.change!), 'applied');
    const both = await b.space.read(ids[1]!);
    assert.ok(both?.status === 'valid' && both.entry.kind === 'note' && both.entry.title === 'B was here' && both.entry.body === 'A was here');
  });

  it('a change whose dependencies are missing is neither applied nor written; it applies once they are here', async () => {
    const a = await openSpace(await folder('sharded-wait-a'), { actor: 'aa'.repeat(16) });
    const b = await openSpace(await folder('sharded-wait-b'));
    const first = await a.space.change(ids[0]!, 'p', publish(ids[0]!, 0));
    const second = await a.space.change(ids[0]!, 'e', (d) => writeFields(d, ids[0]!, { title: 'later' }, 7000));
    assert.equal(await b.space.receive(shardOf(ids[0]!), second.change!), 'waiting');
    assert.equal(b.space.shardState(shardOf(ids[0]!)).file.size, 0);
    assert.equal(await b.space.receive(shardOf(ids[0]!), first.change!), 'applied');
    assert.equal(b.space.page(1)[0]!.title, 'Note 0'); // not held in memory meanwhile: sync brings it again
    assert.equal(await b.space.receive(shardOf(ids[0]!), second.change!), 'applied');
    assert.equal(b.space.page(1)[0]!.title, 'later');
  });

  it('keeps at most `cacheSize` shards loaded and frees the ones it evicts', async () => {
    const { space } = await openSpace(await folder('sharded-lru'), { cacheSize: 2 });
    await publishAll(space);
    for (const id of ids) await space.read(id);
    assert.equal(space.loadedShards, 2);
    assert.ok(space.cacheStats.evictions >= 1);
    assert.equal([...space.rows()].length, 4);
  });

  it('a held shard stays loaded while others come and go; a synchronous change needs its shard in memory', async () => {
    const dir = await folder('sharded-hold');
    const first = await openSpace(dir, { cacheSize: 1 });
    await publishAll(first.space);
    const release = await first.space.hold(ids[0]!);
    await first.space.read(ids[2]!);
    await first.space.read(ids[3]!);
    assert.ok(first.space.loaded(ids[0]!), 'held through loads of other shards');
    assert.equal(first.space.loaded(ids[2]!), undefined, 'the unheld ones were evicted');
    assert.throws(() => first.space.changeNow(ids[2]!, 'edit', (d) => writeFields(d, ids[2]!, { title: 'x' }, 1)), ShardNotLoadedError);
    const made = first.space.changeNow(ids[0]!, 'edit', (d) => writeFields(d, ids[0]!, { title: 'Typed' }, 2000));
    assert.ok(made.change, 'applied at once');
    assert.equal(first.space.page(1)[0]?.title, 'Typed', 'the row too');
    await made.durable;
    release();
    await first.space.read(ids[3]!);
    assert.equal(first.space.loaded(ids[0]!), undefined, 'released, it may go');
    await first.close();
    const again = await openSpace(dir);
    const read = await again.space.read(ids[0]!);
    assert.equal(read?.status === 'valid' && read.entry.kind === 'note' ? read.entry.title : '', 'Typed', 'durable');
  });

  it('a change made at a base merges with what came since: a copy\'s typing never undoes newer text', async () => {
    const dir = await folder('sharded-base');
    const { space } = await openSpace(dir);
    const id = ids[0]!;
    await (await space.change(id, 'publish', publish(id, 0))).durable;
    await space.load([id]);
    const base = space.shardState(shardOf(id)).heads;
    await (await space.change(id, 'theirs', (d) => writeFields(d, id, { body: 'body 0 and theirs' }, 2000))).durable;
    const made = space.changeNow(id, 'mine', (d) => writeFields(d, id, { body: 'mine: body 0' }, 2001), base);
    await made.durable;
    const read = await space.read(id);
    assert.equal(read?.status === 'valid' && read.entry.kind === 'note' ? read.entry.body : '', 'mine: body 0 and theirs');
    assert.notDeepEqual(made.own, made.heads, 'the copy stands for base + its change, not the heads');
    assert.equal(made.own.length, 1);
  });

  it('compacts a shard whose log grew long into one saved document, and the index follows', async () => {
    const dir = await folder('sharded-compact');
    const first = await openSpace(dir, { compactAfterChunks: 5 });
    const id = ids[0]!;
    await (await first.space.change(id, 'p', publish(id, 0))).durable;
    const made = [];
    for (let k = 0; k < 11; k++) made.push(await first.space.change(id, 'e', (d) => writeFields(d, id, { body: `body ${k}` }, 2000 + k)));
    await Promise.all(made.map((m) => m.durable));
    await first.close();
    const logger = memoryLogger();
    const store = await FileShardStore.open(dir, { logger });
    const stored = await store.read(shardOf(id));
    await store.close();
    assert.ok(stored.chunks.length < 5, `${stored.chunks.length} chunks after compaction`);
    const second = await openSpace(dir);
    assert.deepEqual((await second.space.recover()).reindexed, []);
    const read = await second.space.read(id);
    assert.equal(read?.status === 'valid' && read.entry.kind === 'note' ? read.entry.body : '', 'body 10');
  });

  it("warms Automerge up on the newest entry's shard, which stays loaded", async () => {
    const empty = await openSpace(await folder('sharded-warm-empty'));
    await empty.space.warmUp();
    assert.equal(empty.space.loadedShards, 0);
    const dir = await folder('sharded-warm');
    const first = await openSpace(dir);
    await publishAll(first.space);
    await first.close();
    const second = await openSpace(dir);
    await second.space.warmUp();
    assert.equal(second.space.loadedShards, 1);
    await second.space.read(second.space.page(1)[0]!.id as EntryId);
    assert.equal(second.space.cacheStats.loads, 1);
  });
});
