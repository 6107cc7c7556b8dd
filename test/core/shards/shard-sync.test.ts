import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeviceId, EntryId } from '../../../src/core/ids.js';
import { memoryLogger } from '../../../src/core/logger.js';
import { GROUP_SIZE, HeadsDigest, shardDigest } from '../../../src/core/shards/heads-digest.js';
import { MemoryIndexStore, MemoryShardStore } from '../../../src/core/shards/memory-stores.js';
import { ShardedSpace } from '../../../src/core/shards/sharded-space.js';
import { SHARD_GENESIS_HEADS, shardOf, type ShardDoc, type ShardId } from '../../../src/core/shards/shard-layout.js';
import { writeFields, writePublished } from '../../../src/core/shards/shard-ops.js';
import { nextShardMessage, receiveShardMessage, ShardSyncStates, type ShardMessage } from '../../../src/core/shards/shard-sync.js';

const author = { name: 'Ann', device: 'dev' as DeviceId };
const idIn = (shard: string, n: number) => `${shard}${String(n).padStart(29, '0')}` as EntryId;
const publish = (id: EntryId, title: string) => (d: ShardDoc) =>
  writePublished(d, { id, kind: 'note', author, createdAt: 1, updatedAt: 1, fields: { title, body: `body of ${title}` } });

async function space(actor: string) {
  const shards = new MemoryShardStore();
  const index = new MemoryIndexStore();
  return { space: await ShardedSpace.open({ shards, index, logger: memoryLogger() }, { actor }), shards, index };
}

const digestOf = (s: ShardedSpace) => new HeadsDigest((shard) => s.shardState(shard).heads);
const genesisDigest = shardDigest(SHARD_GENESIS_HEADS);
const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** The shards two spaces differ on, and whether each side holds only the genesis there, found level by level. */
function differing(a: ShardedSpace, b: ShardedSpace): { shard: ShardId; aGenesis: boolean; bGenesis: boolean }[] {
  const da = digestOf(a);
  const db = digestOf(b);
  if (sameBytes(da.root, db.root)) return [];
  return da.differingGroups(db.groupDigests()).flatMap((g) =>
    da.differingShards(g, db.shardDigests(g)).map((shard) => {
      const k = parseInt(shard, 16) - g * GROUP_SIZE;
      const at = (d: Uint8Array) => d.subarray(k * 8, k * 8 + 8);
      return { shard, aGenesis: sameBytes(at(da.shardDigests(g)), genesisDigest), bGenesis: sameBytes(at(db.shardDigests(g)), genesisDigest) };
    }),
  );
}

/** Syncs every differing shard both ways until neither side has anything to send; returns the messages. */
async function syncAll(a: ShardedSpace, b: ShardedSpace): Promise<ShardMessage[]> {
  const sent: ShardMessage[] = [];
  const ab = new ShardSyncStates();
  const ba = new ShardSyncStates();
  for (const { shard, aGenesis, bGenesis } of differing(a, b)) {
    for (let round = 0; round < 20; round++) {
      const m1 = await nextShardMessage(a, shard, ab, bGenesis && round === 0);
      if (m1) await receiveShardMessage(b, ba, m1);
      const m2 = await nextShardMessage(b, shard, ba, aGenesis && round === 0);
      if (m2) await receiveShardMessage(a, ab, m2);
      sent.push(...[m1, m2].filter((m): m is ShardMessage => m !== undefined));
      if (!m1 && !m2) break;
    }
  }
  return sent;
}

describe('per-shard sync', () => {
  it('brings two spaces to the same shard heads and list, touching only the shards that differ', async () => {
    const { space: a } = await space('aa'.repeat(16));
    const { space: b } = await space('bb'.repeat(16));
    for (const [s, id, t] of [[a, idIn('0a1', 1), 'only on A'], [a, idIn('7f2', 1), 'A in a shared shard'], [b, idIn('7f2', 2), 'B in a shared shard'], [b, idIn('c33', 1), 'only on B']] as const) {
      await (await s.change(id, 'publish', publish(id, t))).durable;
    }
    const before = differing(a, b).map((d) => d.shard).sort();
    assert.deepEqual(before, ['0a1', '7f2', 'c33']);
    const sent = await syncAll(a, b);
    assert.deepEqual(differing(a, b), []);
    assert.deepEqual(digestOf(a).root, digestOf(b).root);
    assert.deepEqual([...a.rows()], [...b.rows()]);
    assert.equal([...a.rows()].length, 4);
    // A shard only one side had travelled as one saved document; the shared one by sync messages.
    assert.deepEqual(sent.filter((m) => m.kind === 'saved').map((m) => m.shard).sort(), ['0a1', 'c33']);
    assert.ok(sent.some((m) => m.kind === 'sync' && m.shard === '7f2'));
  });

  it('merges concurrent edits of one entry, and the merged shard is durable on both sides', async () => {
    const { space: a, shards: aShards } = await space('aa'.repeat(16));
    const { space: b } = await space('bb'.repeat(16));
    const id = idIn('5d5', 1);
    await (await a.change(id, 'publish', publish(id, 'Shared'))).durable;
    await syncAll(a, b);
    await (await a.change(id, 'edit', (d) => writeFields(d, id, { body: 'A wrote this. body of Shared' }, 10))).durable;
    await (await b.change(id, 'edit', (d) => writeFields(d, id, { title: 'Renamed by B' }, 11))).durable;
    await syncAll(a, b);
    for (const s of [a, b]) {
      const read = await s.read(id);
      assert.ok(read?.status === 'valid' && read.entry.kind === 'note');
      assert.equal(read.entry.title, 'Renamed by B');
      assert.equal(read.entry.body, 'A wrote this. body of Shared');
    }
    // What A adopted from B is in A's shard log, not only in memory.
    const reopened = await ShardedSpace.open({ shards: aShards.reopen(), index: new MemoryIndexStore(), logger: memoryLogger() });
    await reopened.recover();
    assert.equal(reopened.page(1)[0]!.title, 'Renamed by B');
    assert.deepEqual(reopened.shardState(shardOf(id)).heads, a.shardState(shardOf(id)).heads);
  });

  it('a batch of saved shards skips one written here since the peer was told it held nothing: the local entry stays', async () => {
    const { space: a } = await space('aa'.repeat(16));
    const { space: b } = await space('bb'.repeat(16));
    const theirs = idIn('3c3', 1);
    const other = idIn('4d4', 1);
    await (await a.change(theirs, 'p', publish(theirs, 'theirs'))).durable;
    await (await a.change(other, 'p', publish(other, 'other'))).durable;
    const saved = await Promise.all([theirs, other].map((id) => nextShardMessage(a, shardOf(id), new ShardSyncStates(), true)));
    const mine = idIn('3c3', 2);
    await (await b.change(mine, 'p', publish(mine, 'mine, meanwhile'))).durable;
    await b.adoptSavedMany(saved.map((m) => ({ shard: m!.shard, saved: m!.bytes })));
    assert.deepEqual([...b.rows()].map((r) => r.title).sort(), ['mine, meanwhile', 'other']);
    const read = await b.read(mine);
    assert.equal(read?.status, 'valid');
  });

  it('refuses a saved shard sent to a peer that holds more than the genesis there', async () => {
    const { space: a } = await space('aa'.repeat(16));
    const { space: b } = await space('bb'.repeat(16));
    const id = idIn('123', 1);
    await (await a.change(id, 'p', publish(id, 'A'))).durable;
    await (await b.change(id, 'p', publish(id, 'B'))).durable;
    const message = await nextShardMessage(a, shardOf(id), new ShardSyncStates(), true);
    assert.equal(message?.kind, 'saved');
    await assert.rejects(receiveShardMessage(b, new ShardSyncStates(), message!), { name: 'InvalidPeerDataError' });
  });
});
