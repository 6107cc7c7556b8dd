/**
 * A shard log write that fails (a full disk) loses nothing: the change stays in memory and listed,
 * a load meanwhile reads it back in, and it is written before the shard's next write or with the
 * next write that succeeds anywhere (whose acknowledgement waits for it).
 */
import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreWriteError } from '../../../src/core/errors.js';
import type { DeviceId, EntryId } from '../../../src/core/ids.js';
import { memoryLogger } from '../../../src/core/logger.js';
import { MemoryIndexStore, MemoryShardStore } from '../../../src/core/shards/memory-stores.js';
import type { ShardFileState } from '../../../src/core/shards/ports.js';
import { ShardedSpace } from '../../../src/core/shards/sharded-space.js';
import { emptyShard, shardOf, type ShardId } from '../../../src/core/shards/shard-layout.js';
import { writeFields, writePublished } from '../../../src/core/shards/shard-ops.js';

/** The memory twin, with a disk that can be full. */
class FullDiskStore extends MemoryShardStore {
  full = false;
  override append(shard: ShardId, chunks: readonly Uint8Array[]): Promise<ShardFileState> {
    if (this.full) return Promise.reject(new StoreWriteError(`could not write to ${shard}: no space left on device`));
    return super.append(shard, chunks);
  }
}

const ann = { name: 'Ann', device: 'dev-ann' as DeviceId };
const idIn = (prefix: string): EntryId => `${prefix}${'0'.repeat(29)}` as EntryId;
const publish = (id: EntryId, title: string) => (d: Parameters<typeof writePublished>[0]) =>
  writePublished(d, { id, kind: 'note', author: ann, createdAt: 1, updatedAt: 1, fields: { title, body: '' } });
const titleOf = async (space: ShardedSpace, id: EntryId) => {
  const read = await space.read(id);
  return read?.status === 'valid' && read.entry.kind === 'note' ? read.entry.title : undefined;
};

describe('a failed shard log write', () => {
  it('keeps a peer\'s change and a local one in memory and listed, and writes them with the next write that succeeds', async () => {
    const shards = new FullDiskStore();
    const index = new MemoryIndexStore();
    const logger = memoryLogger();
    const space = await ShardedSpace.open({ shards, index, logger }, { actor: 'aa'.repeat(16) });
    const [mine, theirs, later] = [idIn('a01'), idIn('b02'), idIn('c03')];
    await (await space.change(mine, 'publish', publish(mine, 'Mine'))).durable;

    shards.full = true;
    // A peer's new entry in a shard not loaded here: indexed without a load, but not writable.
    const peerDoc = A.change(emptyShard('bb'.repeat(16)), publish(theirs, 'Theirs'));
    await assert.rejects(space.receive(shardOf(theirs), A.getLastLocalChange(peerDoc)!), StoreWriteError);
    // A local edit: in memory at once, its durable promise says the write failed.
    const edit = space.changeNow(mine, 'edit', (d) => writeFields(d, mine, { title: 'Mine, edited' }, 2));
    await assert.rejects(edit.durable, StoreWriteError);
    assert.deepEqual([...space.rows()].map((r) => r.title).sort(), ['Mine, edited', 'Theirs'], 'both listed');
    assert.equal(await titleOf(space, theirs), 'Theirs', 'a load meanwhile reads the held change back in');

    shards.full = false;
    await (await space.change(later, 'publish', publish(later, 'Later'))).durable; // another shard: its ack waits for the held ones
    // Reopened as after a kill -9 (no close: the index file is not rewritten, only the journal counts).

    const again = await ShardedSpace.open({ shards: shards.reopen(), index: index.reopen(), logger }, { actor: 'aa'.repeat(16) });
    assert.deepEqual((await again.recover()).reindexed, [], 'the index recorded every write');
    assert.deepEqual([...again.rows()].map((r) => r.title).sort(), ['Later', 'Mine, edited', 'Theirs'], 'with their rows: the list after a restart is right without a load');
    assert.equal(await titleOf(again, mine), 'Mine, edited');
    assert.equal(await titleOf(again, theirs), 'Theirs');
    assert.equal(await titleOf(again, later), 'Later');
    assert.ok(logger.lines.some((l) => /held in memory after a failed write are stored now/.test(l)), logger.lines.join('\n'));
    await again.close();
  });
});
