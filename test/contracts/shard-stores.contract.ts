/**
 * The behaviour every ShardStore and IndexStore must show, run against the file stores and their
 * in-memory twins, so tests that use a twin cannot drift from the real stores.
 */
import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IndexStore, ShardStore } from '../../src/core/shards/ports.js';
import { loadShard } from '../../src/core/shards/shard-doc.js';
import { emptyShard, type ShardId } from '../../src/core/shards/shard-layout.js';

export interface StoreHarness<T> {
  open(): Promise<T>;
  reopen(): Promise<T>;
  dispose?(): Promise<void>;
}

async function withHarness<T>(factory: () => Promise<StoreHarness<T>>, body: (h: StoreHarness<T>) => Promise<void>): Promise<void> {
  const h = await factory();
  try {
    await body(h);
  } finally {
    await h.dispose?.();
  }
}

const shard = '5e5' as ShardId;
function changes(n: number): Uint8Array[] {
  let doc = emptyShard('ab'.repeat(16));
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    doc = A.change(doc, (d) => {
      d.e[`5e5${String(i).padStart(29, '0')}`] = { i };
    });
    out.push(A.getLastLocalChange(doc)!);
  }
  return out;
}

export function shardStoreContract(name: string, factory: () => Promise<StoreHarness<ShardStore>>): void {
  describe(`ShardStore contract: ${name}`, () => {
    it('an untouched shard is empty, and no state is listed for it', () =>
      withHarness(factory, async (h) => {
        const store = await h.open();
        assert.deepEqual((await store.read(shard)).chunks, []);
        assert.equal((await store.states()).size, 0);
        await store.close();
      }));

    it('appends in call order survive a reopen, with the state append reported', () =>
      withHarness(factory, async (h) => {
        const store = await h.open();
        const all = changes(4);
        await store.append(shard, [all[0]!]);
        const [, last] = await Promise.all([store.append(shard, [all[1]!, all[2]!]), store.append(shard, [all[3]!])]);
        assert.equal((await store.states()).get(shard)?.size, last.size);
        await store.close();
        const again = await h.reopen();
        const stored = await again.read(shard);
        assert.deepEqual(stored.chunks.map((c) => Buffer.from(c).toString('hex')), all.map((c) => Buffer.from(c).toString('hex')));
        assert.equal(stored.file.size, last.size);
        assert.equal(Object.keys(loadShard(stored.chunks).doc.e).length, 4);
        await again.close();
      }));

    it('a compaction leaves one saved document; later appends follow it; the size changes', () =>
      withHarness(factory, async (h) => {
        const store = await h.open();
        const all = changes(3);
        const before = await store.append(shard, all.slice(0, 2));
        const doc = loadShard((await store.read(shard)).chunks).doc;
        const compacted = await store.compact(shard, A.save(doc));
        assert.notEqual(compacted.size, before.size);
        await store.append(shard, [all[2]!]);
        const stored = await store.read(shard);
        assert.equal(stored.chunks.length, 2);
        assert.equal(Object.keys(loadShard(stored.chunks).doc.e).length, 3);
        await store.close();
      }));

    it('appends issued after a compaction land after it, even while earlier appends wait to be written', () =>
      withHarness(factory, async (h) => {
        const store = await h.open();
        const all = changes(4);
        let doc = loadShard([]).doc;
        doc = A.loadIncremental(doc, all[0]!);
        doc = A.loadIncremental(doc, all[1]!);
        const pending = [store.append(shard, [all[0]!]), store.append(shard, [all[1]!]), store.compact(shard, A.save(doc))];
        pending.push(store.append(shard, [all[2]!]), store.append(shard, [all[3]!]));
        await Promise.all(pending);
        const stored = await store.read(shard);
        assert.equal(Object.keys(loadShard(stored.chunks).doc.e).length, 4);
        await store.close();
      }));

    it('compacts several shards as one batch: each reads back whole, durable across a reopen, and appends after it follow', () =>
      withHarness(factory, async (h) => {
        const store = await h.open();
        const all = changes(2);
        let doc = loadShard([]).doc;
        for (const c of all) doc = A.loadIncremental(doc, c);
        const others = ['0a0', '0a1', 'f00'] as ShardId[];
        await store.append(others[1]!, [all[0]!]); // one of them already has a log
        const states = await store.compactMany(others.map((s) => ({ shard: s, saved: A.save(doc) })));
        assert.equal(states.length, 3);
        await store.append(others[2]!, [all[1]!]); // already in the saved document: a duplicate chunk loads fine
        await store.close();
        const again = await h.reopen();
        for (const s of others) assert.equal(Object.keys(loadShard((await again.read(s)).chunks).doc.e).length, 2);
        assert.deepEqual([...(await again.states()).keys()].filter((s) => others.includes(s)).sort(), others);
        await assert.rejects(again.compactMany([{ shard: others[0]!, saved: A.save(doc) }, { shard: others[0]!, saved: A.save(doc) }]));
        await again.close();
      }));

    it('refuses use after close', () =>
      withHarness(factory, async (h) => {
        const store = await h.open();
        await store.close();
        await assert.rejects(store.append(shard, changes(1)));
      }));
  });
}

export function indexStoreContract(name: string, factory: () => Promise<StoreHarness<IndexStore>>): void {
  describe(`IndexStore contract: ${name}`, () => {
    it('holds nothing at first', () =>
      withHarness(factory, async (h) => {
        const store = await h.open();
        assert.deepEqual(await store.read(), { index: undefined, journal: [] });
        assert.equal(await store.readPrefix(10), undefined);
        await store.close();
      }));

    it('keeps the index and the journal records after it across a reopen; a rewrite empties the journal', () =>
      withHarness(factory, async (h) => {
        const store = await h.open();
        await store.read();
        await store.rewrite(new TextEncoder().encode('SNIDX 1 0\n#actors\n'));
        await store.appendJournal(['{"a":1}']);
        await store.appendJournal(['{"b":2}', '{"c":3}']);
        await store.close();
        const again = await h.reopen();
        const read = await again.read();
        assert.equal(new TextDecoder().decode(read.index), 'SNIDX 1 0\n#actors\n');
        assert.deepEqual(read.journal, ['{"a":1}', '{"b":2}', '{"c":3}']);
        assert.equal(new TextDecoder().decode(await again.readPrefix(5)), 'SNIDX');
        await again.rewrite(new TextEncoder().encode('SNIDX 1 0\n#actors\n#shard\n'));
        await again.appendJournal(['{"d":4}']);
        await again.close();
        const third = await h.reopen();
        assert.deepEqual((await third.read()).journal, ['{"d":4}']);
        await third.close();
      }));
  });
}
