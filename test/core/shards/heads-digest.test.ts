import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GROUP_COUNT, HeadsDigest } from '../../../src/core/shards/heads-digest.js';
import { SHARD_GENESIS_HEADS, type ShardId } from '../../../src/core/shards/shard-layout.js';

const headsOf = (changed: Record<string, string[]>) => (shard: ShardId): readonly string[] => changed[shard] ?? SHARD_GENESIS_HEADS;
const h = (c: string) => c.repeat(64);

describe('HeadsDigest', () => {
  it('two peers with the same heads have the same root, whatever the order of their heads', () => {
    const a = new HeadsDigest(headsOf({ '0a1': [h('1'), h('2')], fff: [h('3')] }));
    const b = new HeadsDigest(headsOf({ '0a1': [h('2'), h('1')], fff: [h('3')] }));
    assert.deepEqual(a.root, b.root);
    assert.deepEqual(a.differingGroups(b.groupDigests()), []);
  });

  it('finds exactly the shards that differ, level by level, in a few hundred bytes', () => {
    const a = new HeadsDigest(headsOf({ '0a1': [h('1')], '7c0': [h('4')] }));
    const b = new HeadsDigest(headsOf({ '0a1': [h('1')] }));
    assert.notDeepEqual(a.root, b.root);
    const groups = a.differingGroups(b.groupDigests());
    assert.deepEqual(groups, [Math.floor(0x7c0 / 64)]);
    assert.deepEqual(a.differingShards(groups[0]!, b.shardDigests(groups[0]!)), ['7c0']);
    assert.equal(b.groupDigests().length + b.shardDigests(0).length, 1024);
    assert.equal(GROUP_COUNT, 64);
  });

  it('stays current shard by shard', () => {
    const a = new HeadsDigest(headsOf({}));
    const b = new HeadsDigest(headsOf({ abc: [h('9')] }));
    a.update('abc' as ShardId, [h('9')]);
    assert.deepEqual(a.root, b.root);
    a.update('abc' as ShardId, SHARD_GENESIS_HEADS);
    assert.deepEqual(a.root, new HeadsDigest(headsOf({})).root);
  });
});
