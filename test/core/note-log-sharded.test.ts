/**
 * NoteLog on a sharded space (schema v2) against NoteLog on one document (v1): the same operations
 * through the public API give the same results, and on shards the synchronous reads need the
 * entry's shard at hand.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EntryId } from '../../src/core/ids.js';
import type { NoteLog, EntriesChanged } from '../../src/core/note-log.js';
import type { EntryRead } from '../../src/core/entry.js';
import { storedEntry } from '../../src/core/stored-entry.js';
import { ShardNotLoadedError } from '../../src/core/shards/errors.js';
import { exchange, exchangeShard, memoryNoteLog, memoryShardedNoteLog, memoryShardedStores, reopenShardedStores } from '../helpers/core.js';

const formats = [
  { name: 'one document (v1)', open: (name: string, device: string) => memoryNoteLog(name, device), exchange: (a: NoteLog, b: NoteLog) => exchange(a, b) },
  { name: 'shards (v2)', open: (name: string, device: string) => memoryShardedNoteLog(name, device), exchange: (a: NoteLog, b: NoteLog, id: EntryId) => exchangeShard(a, b, id) },
];

const bodyOf = (log: NoteLog, id: EntryId): string | undefined => {
  const read = log.get(id);
  return read?.status === 'valid' && read.entry.kind === 'note' ? read.entry.body : undefined;
};

for (const format of formats) {
  describe(`NoteLog on ${format.name}`, () => {
    it('create, publish, edit, delete, restore: the list, the entry, its history and its version follow', async () => {
      const { log } = await format.open('Ann', 'dev-ann');
      const note = await log.createNote({ title: 'Soup', body: 'one pot' });
      assert.deepEqual(log.summaries().entries.map((e) => [e.title, e.state]), [['Soup', 'draft']]);
      await log.publish(note.id);
      assert.deepEqual(log.summaries().entries.map((e) => [e.title, e.state, e.author.name]), [['Soup', 'published', 'Ann']]);
      assert.deepEqual(log.counts(), { drafts: 0, published: 1 });
      const before = log.version(note.id).heads;
      await log.edit(note.id, { body: 'one big pot' });
      assert.equal(bodyOf(log, note.id), 'one big pot');
      assert.notDeepEqual(log.version(note.id).heads, before);
      assert.equal(log.fieldsAt(note.id, before)?.fields.body, 'one pot', 'the entry at an earlier version');
      assert.equal(log.resolveVersion(note.id, log.versionToken(note.id)).join(), log.version(note.id).heads.join());
      await log.delete(note.id);
      assert.equal(log.get(note.id)?.status, 'deleted');
      assert.deepEqual(log.summaries().deleted.map((d) => [d.id, d.title, d.deletedBy.name]), [[note.id, 'Soup', 'Ann']]);
      await log.restore(note.id);
      assert.equal(bodyOf(log, note.id), 'one big pot');
      assert.deepEqual(log.historyOf(note.id).map((h) => h.op), ['create', 'publish', 'edit', 'delete', 'restore']);
      const steps = log.historyDetails(note.id);
      assert.deepEqual(steps[2]?.changes, [{ field: 'body', before: 'one pot', after: 'one big pot' }]);
      assert.equal(log.versionAt(note.id, steps[2]!.hash).fields.body, 'one big pot');
      assert.equal(log.resolveId(note.id.slice(0, 6)), note.id);
    });

    it('two members typing into one body at once: both edits kept; a title written by both competes, with its authors', async () => {
      const ann = (await format.open('Ann', 'dev-ann')).log;
      const bob = (await format.open('Bob', 'dev-bob')).log;
      const note = await ann.createNote({ title: 'Pancakes', body: 'flour\neggs\n' });
      await ann.publish(note.id);
      await format.exchange(ann, bob, note.id);
      const base = bob.version(note.id).heads;
      const shadow = { title: 'Pancakes', body: 'flour\neggs\n' };
      ann.editNow(note.id, { title: 'Crêpes', body: 'flour\neggs\nmilk\n' });
      const made = bob.editNow(note.id, { title: 'Pancakes!', body: 'sugar\nflour\neggs\n' }, { base, shadow });
      await made.durable;
      await format.exchange(ann, bob, note.id);
      assert.equal(bodyOf(ann, note.id), 'sugar\nflour\neggs\nmilk\n');
      assert.equal(bodyOf(bob, note.id), bodyOf(ann, note.id));
      await ann.historyReady();
      const conflicts = ann.conflictsOf(note.id);
      assert.deepEqual(conflicts.map((c) => c.field), ['title']);
      assert.deepEqual(conflicts[0]!.values.map((v) => `${v.value}/${v.by?.name}`).sort(), ['Crêpes/Ann', 'Pancakes!/Bob']);
      await ann.resolveConflict(note.id, 'title', 'Crêpes');
      assert.deepEqual(ann.conflictsOf(note.id), []);
    });

    it('tells every change once, local and remote, with the entries it touched', async () => {
      const ann = (await format.open('Ann', 'dev-ann')).log;
      const bob = (await format.open('Bob', 'dev-bob')).log;
      const seen: EntriesChanged[] = [];
      bob.events.on('changed', (e) => seen.push(e));
      const note = await ann.createNote({ title: 'News', body: '' });
      await ann.publish(note.id);
      await format.exchange(ann, bob, note.id);
      const remote = seen.filter((e) => e.origin === 'remote' && e.scope === 'shared');
      assert.ok(remote.length > 0 && remote.every((e) => e.ids.includes(note.id)), JSON.stringify(seen));
      seen.length = 0;
      await bob.edit(note.id, { body: 'x' });
      assert.deepEqual(seen.map((e) => [e.scope, e.origin, e.ids]), [['shared', 'local', [note.id]]]);
    });
  });
}

describe('NoteLog on shards: entries at hand', () => {
  it('lists from the index without loading a shard; reads need the shard loaded; a held entry stays at hand', async () => {
    const stores = memoryShardedStores();
    const first = (await memoryShardedNoteLog('Ann', 'dev-ann', stores)).log;
    const ids: EntryId[] = [];
    for (let i = 0; i < 6; i++) {
      const note = await first.createNote({ title: `Note ${i}`, body: `body ${i}` });
      await first.publish(note.id);
      ids.push(note.id);
    }
    const draft = await first.createNote({ title: 'Private', body: 'mine' });
    await first.close();

    const log = (await memoryShardedNoteLog('Ann', 'dev-ann', reopenShardedStores(stores), { cacheSize: 2 })).log;
    assert.deepEqual(log.summaries().entries.map((e) => e.title), ['Private', ...[5, 4, 3, 2, 1, 0].map((i) => `Note ${i}`)]);
    assert.equal(log.sharded!.loadedShards, 0, 'the list loaded no shard');
    assert.equal(log.get(draft.id)?.status, 'valid', 'drafts are always at hand');
    assert.throws(() => log.get(ids[0]!), ShardNotLoadedError);
    assert.throws(() => log.editNow(ids[0]!, { body: 'x' }), ShardNotLoadedError);
    assert.equal(log.get('f'.repeat(32) as EntryId), undefined, 'an id the index does not list needs no load');
    await log.load([ids[0]!]);
    assert.equal(bodyOf(log, ids[0]!), 'body 0');
    const release = await log.hold(ids[1]!);
    await log.load(ids.slice(2));
    assert.equal(bodyOf(log, ids[1]!), 'body 1', 'held through loads of other shards');
    log.editNow(ids[1]!, { body: 'typed' });
    release();
    assert.equal(log.resolveId(ids[3]!.slice(0, 8)), ids[3], 'ids resolve from the index');
    await log.close();
  });

  it('a publish interrupted between its two writes is finished at open', async () => {
    const stores = memoryShardedStores();
    const first = (await memoryShardedNoteLog('Ann', 'dev-ann', stores)).log;
    const note = await first.createNote({ title: 'Half', body: 'way' });
    // The shared write of a publish lands, the draft's removal does not (a crash between the two).
    await writePublishedCopy(first, first.get(note.id));
    await first.close();
    const log = (await memoryShardedNoteLog('Ann', 'dev-ann', reopenShardedStores(stores))).log;
    assert.equal(log.summaries({ state: 'draft' }).entries.length, 0);
    await log.load([note.id]);
    assert.equal(log.get(note.id)?.scope, 'shared');
    await log.close();
  });

  it('a publish that reached a peer but not this disk, back after the draft was edited again: the edits are kept', async () => {
    const stores = memoryShardedStores();
    const first = (await memoryShardedNoteLog('Ann', 'dev-ann', stores)).log;
    const note = await first.createNote({ title: 'Half', body: 'as published' });
    const asPublished = first.get(note.id);
    // The publish went out (gossip) but its write did not land; the person edits the draft on;
    // the published copy comes back from the peer.
    await first.edit(note.id, { body: 'edited after' });
    await writePublishedCopy(first, asPublished);
    await first.close();
    const log = (await memoryShardedNoteLog('Ann', 'dev-ann', reopenShardedStores(stores))).log;
    await log.load([note.id]);
    const now = log.get(note.id);
    assert.equal(now?.scope, 'local', 'still a draft');
    assert.equal(now?.status === 'valid' && now.entry.kind === 'note' ? now.entry.body : '', 'edited after');
    const published = await log.publish(note.id);
    assert.equal(published.kind === 'note' ? published.body : '', 'edited after', 'publishing it again shares the edits');
    await log.close();
  });

  it('deleting a draft whose interrupted publish came back from a peer deletes the published copy too', async () => {
    const { log } = await memoryShardedNoteLog('Ann', 'dev-ann');
    const note = await log.createNote({ title: 'Half', body: 'as published' });
    const asPublished = log.get(note.id);
    await log.edit(note.id, { body: 'edited after' }); // the draft stays (reads prefer it)
    await writePublishedCopy(log, asPublished);
    assert.equal(log.get(note.id)?.scope, 'local');
    await log.delete(note.id);
    const after = log.get(note.id);
    assert.equal(after?.status, 'deleted', 'not the published copy coming back: a tombstone');
    assert.deepEqual(log.summaries().entries.map((e) => e.id), [], 'listed nowhere');
    await log.close();
  });
});

/** Writes `read`'s entry into the shared log as published (what a publish's shared write does). */
async function writePublishedCopy(log: NoteLog, read: EntryRead | undefined): Promise<void> {
  assert.ok(read?.status === 'valid');
  const { entry } = read;
  await (await log.sharded!.change(entry.id, '{"v":1,"op":"publish"}', (d) => {
    d.e[entry.id] = storedEntry({ ...entry, state: 'published' });
  })).durable;
}
