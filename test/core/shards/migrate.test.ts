import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readEntry } from '../../../src/core/entry.js';
import type { EntryId } from '../../../src/core/ids.js';
import { rawEntry } from '../../../src/core/layout.js';
import { loadMigrated, migrateV1, migrationActor } from '../../../src/core/shards/migrate.js';
import { rawShardEntry, shardOf, SHARD_GENESIS_HEADS } from '../../../src/core/shards/shard-layout.js';
import { exchange, memoryNoteLog } from '../../helpers/core.js';

/** Two peers of one v1 space that reached the same state by different routes. */
async function twoPeersInSync() {
  const { log: ann } = await memoryNoteLog('Ann', 'dev-ann');
  const { log: bob } = await memoryNoteLog('Bob', 'dev-bob');
  const ids: EntryId[] = [];
  for (let i = 0; i < 12; i++) {
    const peer = i % 2 === 0 ? ann : bob;
    const note = i % 3 === 0 ? await peer.createRecipe({ name: `Soup ${i}`, ingredients: 'water', instructions: `boil ${i}` }) : await peer.createNote({ title: `Note ${i}`, body: `# Heading\n\nbody ${i}` });
    await peer.publish(note.id);
    ids.push(note.id);
  }
  await exchange(ann, bob);
  await ann.edit(ids[1]!, { body: 'edited by Ann' });
  await bob.edit(ids[1]!, { title: 'Renamed by Bob' });
  await bob.delete(ids[4]!);
  await exchange(ann, bob);
  await exchange(ann, bob);
  return { ann, bob, ids };
}

describe('migration of a v1 space to shards', () => {
  it('two peers converting independently produce identical shard bytes and heads', async () => {
    const { ann, bob } = await twoPeersInSync();
    assert.deepEqual([...ann.shared.heads()].sort(), [...bob.shared.heads()].sort());
    const fromAnn = migrateV1(ann.shared.doc);
    const fromBob = migrateV1(bob.shared.doc);
    assert.equal(fromAnn.shards.length, fromBob.shards.length);
    assert.ok(fromAnn.shards.length > 0);
    for (const [k, shard] of fromAnn.shards.entries()) {
      const other = fromBob.shards[k]!;
      assert.equal(shard.shard, other.shard);
      assert.deepEqual(shard.heads, other.heads);
      assert.ok(Buffer.from(shard.saved).equals(Buffer.from(other.saved)), `shard ${shard.shard} bytes differ`);
    }
    assert.deepEqual(fromAnn.from, [...ann.shared.heads()].sort());
  });

  it('keeps every entry as it reads in v1: fields, texts as texts, tombstones with their content', async () => {
    const { ann, ids } = await twoPeersInSync();
    const migration = migrateV1(ann.shared.doc);
    const docs = new Map(migration.shards.map((s) => [s.shard, loadMigrated(s)]));
    assert.equal(migration.shards.reduce((n, s) => n + s.entries, 0), ids.length);
    for (const id of ids) {
      const shardDoc = docs.get(shardOf(id))!;
      const before = readEntry(id, rawEntry(ann.shared.doc, id), 'shared');
      const after = readEntry(id, rawShardEntry(shardDoc, id), 'shared');
      assert.deepEqual(after, before);
    }
    assert.equal(readEntry(ids[4]!, rawShardEntry(docs.get(shardOf(ids[4]!))!, ids[4]!), 'shared').status, 'deleted');
    // Collaborative text stays text (concurrent edits after the migration still merge).
    const doc = docs.get(shardOf(ids[1]!))!;
    const stored = rawShardEntry(doc, ids[1]!) as Record<string, unknown>;
    assert.equal(typeof stored.body, 'string');
    assert.ok(A.isImmutableString(stored.title));
  });

  it('each shard is the genesis plus one change by the shard\'s own migration actor', async () => {
    const { ann } = await twoPeersInSync();
    const [first] = migrateV1(ann.shared.doc).shards;
    const doc = loadMigrated(first!);
    const changes = A.getAllChanges(doc).map((c) => A.decodeChange(c));
    assert.equal(changes.length, 2);
    assert.deepEqual(changes[1]!.deps, [...SHARD_GENESIS_HEADS]);
    assert.equal(changes[1]!.actor, migrationActor(first!.shard));
    assert.equal(changes[1]!.time, 0);
    assert.equal(migrationActor(first!.shard).length, 32);
  });
});
