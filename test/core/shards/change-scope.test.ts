import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeviceId, EntryId } from '../../../src/core/ids.js';
import { memoryLogger } from '../../../src/core/logger.js';
import { MemoryIndexStore, MemoryShardStore } from '../../../src/core/shards/memory-stores.js';
import { ShardedSpace } from '../../../src/core/shards/sharded-space.js';
import { shardOf, type ShardDoc } from '../../../src/core/shards/shard-layout.js';
import { writePublished } from '../../../src/core/shards/shard-ops.js';
import { nextShardMessage, receiveShardMessage, ShardSyncStates } from '../../../src/core/shards/shard-sync.js';

const author = { name: 'Mallory', device: 'dev' as DeviceId };
const idIn = (shard: string, n: number) => `${shard}${String(n).padStart(29, '0')}` as EntryId;
const publish = (id: EntryId, title: string) => (d: ShardDoc) => writePublished(d, { id, kind: 'note', author, createdAt: 1, updatedAt: 1, fields: { title, body: 'b' } });

async function space(actor: string) {
  const shards = new MemoryShardStore();
  return { space: await ShardedSpace.open({ shards, index: new MemoryIndexStore(), logger: memoryLogger() }, { actor }), shards };
}

/** A member whose shard 1a1 holds an entry of shard 2b2 (written inside 1a1's document). */
async function hostile() {
  const { space: evil } = await space('ee'.repeat(16));
  const home = idIn('1a1', 1);
  const foreign = idIn('2b2', 1);
  await (await evil.change(home, 'p', publish(home, 'honest'))).durable;
  const made = await evil.change(home, 'evil', publish(foreign, 'planted in the wrong shard'));
  await made.durable;
  return { evil, shard: shardOf(home), change: made.change! };
}

describe('a peer writes only inside the shard it names', () => {
  it('a gossiped change that writes an entry of another shard is refused before it is stored', async () => {
    const { change, shard } = await hostile();
    const { space: b, shards } = await space('bb'.repeat(16));
    await assert.rejects(b.receive(shard, change), { name: 'InvalidPeerDataError', message: /belongs to another shard/ });
    assert.equal((await shards.read(shard)).chunks.length, 0);
  });

  it('a saved shard holding another shard\'s entry is refused, and so is a sync message bringing one; the shard stays as it was', async () => {
    const { evil, shard } = await hostile();
    const saved = await nextShardMessage(evil, shard, new ShardSyncStates(), true);
    const { space: b, shards } = await space('bb'.repeat(16));
    await assert.rejects(receiveShardMessage(b, new ShardSyncStates(), saved!), { name: 'InvalidPeerDataError' });
    assert.equal((await shards.read(shard)).chunks.length, 0);

    // B holds an honest entry of the shard; the sync protocol then brings the planted one.
    const mine = idIn('1a1', 2);
    await (await b.change(mine, 'p', publish(mine, 'mine'))).durable;
    const fromEvil = new ShardSyncStates();
    const fromB = new ShardSyncStates();
    let refused: unknown;
    for (let round = 0; round < 10 && refused === undefined; round++) {
      const m1 = await nextShardMessage(evil, shard, fromB, false);
      if (m1) await receiveShardMessage(b, fromEvil, m1).catch((err: unknown) => (refused = err));
      const m2 = await nextShardMessage(b, shard, fromEvil, false);
      if (m2) await receiveShardMessage(evil, fromB, m2);
      if (!m1 && !m2) break;
    }
    assert.equal((refused as Error | undefined)?.name, 'InvalidPeerDataError');
    assert.deepEqual([...b.rows()].map((r) => r.title), ['mine']);
    const read = await b.read(mine); // the shard loads again from its log, without what was refused
    assert.equal(read?.status, 'valid');
    assert.equal((await shards.read(shard)).chunks.length, 1);
  });
});
