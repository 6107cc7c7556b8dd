import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { memoryLogger } from '../../src/core/logger.js';
import { NoteLog } from '../../src/core/note-log.js';
import type { DeviceId, EntryId } from '../../src/core/ids.js';
import { migrateV1, storeMigration } from '../../src/core/shards/migrate.js';
import { ShardedSpace } from '../../src/core/shards/sharded-space.js';
import { writeFields } from '../../src/core/shards/shard-ops.js';
import { FileLogStore } from '../../src/storage/file-log-store.js';
import { FileIndexStore } from '../../src/storage/read-index-store.js';
import { FileShardStore } from '../../src/storage/shard-store.js';
import { makeTempDir } from '../helpers/storage.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a v1 space folder migrated to shards', () => {
  it('opens as a sharded space with the same list, the same entries, and takes edits', async () => {
    const tmp = await makeTempDir('shard-migration');
    cleanups.push(tmp.remove);
    const logger = memoryLogger();
    // A v1 space on real files: published notes and recipes, an edit, a delete, a draft.
    const shared = await FileLogStore.open(`${tmp.path}/v1/shared`, { logger });
    const local = await FileLogStore.open(`${tmp.path}/v1/local`, { logger });
    const log = await NoteLog.open({ shared, local, logger }, { author: { name: 'Ann', device: 'dev-ann' as DeviceId } });
    const ids: EntryId[] = [];
    for (let i = 0; i < 30; i++) {
      const e = i % 4 === 0 ? await log.createRecipe({ name: `Soup ${i}`, ingredients: 'water', instructions: 'boil' }) : await log.createNote({ title: `Note ${i}`, body: `## Day ${i}\n\n- milk` });
      await log.publish(e.id);
      ids.push(e.id);
    }
    await log.edit(ids[3]!, { title: 'Renamed', body: 'new body' });
    await log.delete(ids[7]!);
    await log.createNote({ title: 'a draft stays local', body: '' });
    const v1 = log.list({ state: 'published' });
    const v1Doc = A.clone(log.shared.doc);
    await log.close();

    const shards = await FileShardStore.open(`${tmp.path}/v2`, { logger });
    await storeMigration(migrateV1(v1Doc), shards);
    const index = new FileIndexStore(`${tmp.path}/v2`, logger);
    const space = await ShardedSpace.open({ shards, index, logger });
    cleanups.push(() => space.close());
    const { reindexed } = await space.recover();
    assert.equal(reindexed.length, new Set(ids.map((id) => id.slice(0, 3))).size);

    const published = [...space.rows()].filter((r) => r.state === 'published');
    const v1Published = v1.entries;
    assert.equal(v1.deleted.length, 1);
    assert.equal(published.length, v1Published.length);
    assert.deepEqual(new Set(published.map((r) => r.id)), new Set(v1Published.map((e) => e.id)));
    assert.equal([...space.rows()].find((r) => r.id === ids[7])?.state, 'deleted');
    for (const e of v1Published) {
      const read = await space.read(e.id);
      assert.equal(read?.status, 'valid');
      assert.deepEqual(read?.status === 'valid' ? read.entry : undefined, e);
    }
    const made = await space.change(ids[3]!, 'edit', (d) => writeFields(d, ids[3]!, { title: 'After the migration' }, Date.now()));
    await made.durable;
    assert.equal(space.page(1)[0]!.title, 'After the migration');
  });
});
