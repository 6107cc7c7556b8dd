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
});
