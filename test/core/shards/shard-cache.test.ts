import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ShardCache } from '../../../src/core/shards/shard-cache.js';
import { emptyShard, type ShardDoc, type ShardId } from '../../../src/core/shards/shard-layout.js';

describe('ShardCache', () => {
  it('evicts the least recently used shard and frees its Automerge memory', async () => {
    const made = new Map<ShardId, A.Doc<ShardDoc>>();
    const cache = new ShardCache(2, async (shard) => {
      const doc = emptyShard();
      made.set(shard, doc);
      return doc;
    });
    await cache.get('001' as ShardId);
    await cache.get('002' as ShardId);
    await cache.get('001' as ShardId); // 001 is now the most recently used
    await cache.get('003' as ShardId);
    assert.equal(cache.size, 2);
    assert.equal(cache.evictions, 1);
    assert.equal(cache.peek('002' as ShardId), undefined);
    assert.throws(() => A.getHeads(made.get('002' as ShardId)!)); // freed
    assert.equal(A.getHeads(made.get('001' as ShardId)!).length, 1);
    cache.clear();
    assert.throws(() => A.getHeads(made.get('001' as ShardId)!));
  });

  it('shares one load between concurrent requests for a shard', async () => {
    let loads = 0;
    const cache = new ShardCache(4, async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 10));
      return emptyShard();
    });
    const [a, b] = await Promise.all([cache.get('00a' as ShardId), cache.get('00a' as ShardId)]);
    assert.equal(a, b);
    assert.equal(loads, 1);
    cache.clear();
  });

  it('never evicts a held shard; past capacity it keeps every held one and evicts the rest; a release lets it go', async () => {
    const cache = new ShardCache(2, async () => emptyShard());
    const s = (n: number) => `00${n}` as ShardId;
    await cache.get(s(1));
    const release1 = cache.hold(s(1));
    const release1b = cache.hold(s(1)); // a second editor on the same shard
    await cache.get(s(2));
    const release2 = cache.hold(s(2));
    await cache.get(s(3)); // over capacity with two held: the unheld newcomer is the one to go
    assert.ok(cache.peek(s(1)) && cache.peek(s(2)), 'the held shards stay');
    assert.equal(cache.size, 2);
    release1();
    release1(); // a second call of the same release counts once
    await cache.get(s(4));
    assert.ok(cache.peek(s(1)), 'still held by its second holder');
    release1b();
    release2();
    assert.equal(cache.size, 2, 'releasing brings the cache back within its capacity');
    assert.equal(cache.isHeld(s(1)), false);
    cache.clear();
  });
});
