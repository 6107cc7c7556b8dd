import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as A from '@automerge/automerge';
import type { EntryId } from '../../src/core/ids.js';
import { bucketFor, type SpaceDoc } from '../../src/core/layout.js';
import { exchange, memoryNoteLog } from '../helpers/core.js';

describe('NoteLog operations', () => {
  it('creates notes and recipes as drafts, with author and timestamps', async () => {
    const { log } = await memoryNoteLog();
    const note = await log.createNote({ title: 'Shopping', body: '- milk' });
    const recipe = await log.createRecipe({ name: 'Pancakes', ingredients: 'flour, eggs', instructions: 'mix, fry' });
    assert.equal(note.kind, 'note');
    assert.equal(note.state, 'draft');
    assert.deepEqual(note.author, { name: 'Ann', device: 'dev-ann' });
    assert.ok(note.createdAt > 0 && note.updatedAt === note.createdAt);
    assert.equal(recipe.kind, 'recipe');
    assert.equal(recipe.kind === 'recipe' && recipe.ingredients, 'flour, eggs');
    assert.equal(log.list({ state: 'draft' }).entries.length, 2);
    assert.equal(log.list({ state: 'published' }).entries.length, 0);
    assert.equal(log.list({ kind: 'recipe' }).entries.length, 1);
  });

  it('drafts stay out of the shared log until published, then move with the same id', async () => {
    const { log } = await memoryNoteLog();
    const note = await log.createNote({ title: 'Secret', body: 'not yet' });
    const sharedHeads = log.shared.heads();
    assert.deepEqual(log.shared.heads(), sharedHeads, 'creating a draft does not touch the shared log');
    const published = await log.publish(note.id);
    assert.equal(published.id, note.id);
    assert.equal(published.state, 'published');
    assert.equal(log.list({ state: 'draft' }).entries.length, 0);
    assert.equal(log.list({ state: 'published' }).entries[0]?.id, note.id);
    await assert.rejects(log.publish(note.id), { name: 'AlreadyPublishedError' });
  });

  it('deleting a draft never touches the shared log', async () => {
    const { log } = await memoryNoteLog();
    const note = await log.createNote({ title: 'Oops', body: '' });
    const before = log.shared.heads();
    await log.delete(note.id);
    assert.deepEqual(log.shared.heads(), before);
    assert.equal(log.get(note.id), undefined);
  });

  it('edits any field, as collaborative text for bodies and whole values for titles', async () => {
    const { log } = await memoryNoteLog();
    const recipe = await log.createRecipe({ name: 'Soup', ingredients: 'water', instructions: 'boil' });
    const edited = await log.edit(recipe.id, { name: 'Tomato soup', ingredients: 'water, tomatoes' });
    assert.equal(edited.kind === 'recipe' && edited.name, 'Tomato soup');
    assert.equal(edited.kind === 'recipe' && edited.ingredients, 'water, tomatoes');
    await assert.rejects(log.edit(recipe.id, { title: 'x' }), { name: 'InvalidInputError' });
    await assert.rejects(log.edit(recipe.id, { name: '  ' }), { name: 'InvalidInputError' });
    await assert.rejects(log.edit(recipe.id, {}), { name: 'InvalidInputError' });
    const stored = bucketFor(log.local.doc as SpaceDoc, recipe.id)?.[recipe.id] as Record<string, unknown>;
    assert.ok(A.isImmutableString(stored.name), 'names are immutable strings');
    assert.equal(typeof stored.ingredients, 'string', 'ingredients are collaborative text');
  });

  it('rejects unknown ids and invalid input with named errors', async () => {
    const { log } = await memoryNoteLog();
    await assert.rejects(log.publish('0'.repeat(32) as EntryId), { name: 'EntryNotFoundError' });
    await assert.rejects(log.createNote({ title: '', body: 'x' }), { name: 'InvalidInputError' });
    await assert.rejects(log.createNote({ title: 'x'.repeat(501), body: '' }), { name: 'InvalidInputError' });
    assert.throws(() => log.resolveId('zz'), { name: 'InvalidInputError' });
    const note = await log.createNote({ title: 'Find me', body: '' });
    assert.equal(log.resolveId(note.id.slice(0, 8)), note.id);
  });

  it('survives a reopen: every op is in the stores', async () => {
    const { log, stores } = await memoryNoteLog();
    const a = await log.createNote({ title: 'Kept', body: 'body' });
    const b = await log.createNote({ title: 'Published', body: 'body' });
    await log.publish(b.id);
    await log.edit(b.id, { body: 'new body' });
    await log.close();
    const reopened = await memoryNoteLog('Ann', 'dev-ann', { shared: stores.shared.reopen(), local: stores.local.reopen() });
    assert.equal(reopened.log.get(a.id)?.status, 'valid');
    const pub = reopened.log.get(b.id);
    assert.equal(pub?.status === 'valid' && pub.entry.kind === 'note' && pub.entry.body, 'new body');
  });
});

describe('NoteLog tombstones and merging', () => {
  it('a published delete leaves a tombstone that blocks further edits', async () => {
    const { log } = await memoryNoteLog();
    const note = await log.createNote({ title: 'Gone soon', body: 'x' });
    await log.publish(note.id);
    await log.delete(note.id);
    const read = log.get(note.id);
    assert.equal(read?.status, 'deleted');
    assert.equal(log.list().deleted.length, 1);
    await assert.rejects(log.edit(note.id, { body: 'y' }), { name: 'EntryDeletedError' });
    await assert.rejects(log.delete(note.id), { name: 'EntryDeletedError' });
  });

  it('a delete wins over a concurrent stale edit, and a late peer cannot resurrect the entry', async () => {
    const ann = (await memoryNoteLog('Ann', 'dev-ann')).log;
    const bob = (await memoryNoteLog('Bob', 'dev-bob')).log;
    const late = (await memoryNoteLog('Cy', 'dev-cy')).log;
    const note = await ann.createNote({ title: 'Shared', body: 'hello' });
    await ann.publish(note.id);
    await exchange(ann, bob);
    await exchange(ann, late); // late holds the live entry, then goes away
    await bob.edit(note.id, { title: 'Edited', body: 'hello world' }); // concurrent with...
    await ann.delete(note.id); // ...this delete
    await exchange(ann, bob);
    assert.equal(ann.get(note.id)?.status, 'deleted');
    assert.equal(bob.get(note.id)?.status, 'deleted');
    await late.edit(note.id, { body: 'stale edit from a late peer' });
    await exchange(late, ann);
    await exchange(ann, bob);
    for (const log of [ann, bob, late]) assert.equal(log.get(note.id)?.status, 'deleted');
  });

  it('concurrent edits of a body merge character by character', async () => {
    const ann = (await memoryNoteLog('Ann', 'dev-ann')).log;
    const bob = (await memoryNoteLog('Bob', 'dev-bob')).log;
    const note = await ann.createNote({ title: 'Pancakes', body: 'flour\neggs\n' });
    await ann.publish(note.id);
    await exchange(ann, bob);
    await ann.edit(note.id, { body: 'flour\neggs\nmilk\n' });
    await bob.edit(note.id, { body: 'sugar\nflour\neggs\n' });
    await exchange(ann, bob);
    const a = ann.get(note.id);
    const b = bob.get(note.id);
    assert.deepEqual(a, b);
    assert.equal(a?.status === 'valid' && a.entry.kind === 'note' && a.entry.body, 'sugar\nflour\neggs\nmilk\n');
  });

  it('two peers publishing at once never hide each other (buckets exist from genesis)', async () => {
    const ann = (await memoryNoteLog('Ann', 'dev-ann')).log;
    const bob = (await memoryNoteLog('Bob', 'dev-bob')).log;
    for (let i = 0; i < 40; i++) {
      await ann.publish((await ann.createNote({ title: `a${i}`, body: '' })).id);
      await bob.publish((await bob.createNote({ title: `b${i}`, body: '' })).id);
    }
    await exchange(ann, bob);
    assert.equal(ann.list({ state: 'published' }).entries.length, 80);
    assert.deepEqual(ann.shared.heads().sort(), bob.shared.heads().sort());
  });
});

describe('NoteLog read side and history', () => {
  it('reports entries a peer wrote wrongly as invalid, and keeps showing the valid ones', async () => {
    const ann = (await memoryNoteLog('Ann', 'dev-ann')).log;
    const good = await ann.createNote({ title: 'Good', body: 'ok' });
    await ann.publish(good.id);
    // A buggy or hostile peer writes raw Automerge changes into the shared document.
    let rogue = A.load<SpaceDoc>(ann.shared.save());
    const bad = ['aaaa', 'bbbb', 'cccc', 'dddd'].map((p) => (p + '0'.repeat(28)) as EntryId);
    rogue = A.change(rogue, (d) => {
      bucketFor(d, bad[0]!)![bad[0]!] = { kind: 'note', title: 42, body: '', author: { name: 'Eve', device: 'e' }, createdAt: 1, updatedAt: 1, state: 'published' };
      bucketFor(d, bad[1]!)![bad[1]!] = { kind: 'poem', title: 'x' };
      bucketFor(d, bad[2]!)![bad[2]!] = 'just a string' as unknown as Record<string, unknown>;
      bucketFor(d, bad[3]!)![bad[3]!] = {
        kind: 'note', title: 'x'.repeat(600), body: '', author: { name: 'Eve', device: 'e' }, createdAt: 1, updatedAt: 1, state: 'published',
      };
      (bucketFor(d, good.id)!)['not-an-id'] = { kind: 'note' };
    });
    await ann.shared.applyRemoteChanges(A.getChanges(A.load<SpaceDoc>(ann.shared.save()), rogue), 'rogue');
    const list = ann.list();
    assert.deepEqual(list.entries.map((e) => e.id), [good.id]);
    const reasons = Object.fromEntries(list.invalid.map((i) => [i.id, i.reason]));
    assert.match(reasons[bad[0]!] ?? '', /title is not text/);
    assert.match(reasons[bad[1]!] ?? '', /unknown kind/);
    assert.match(reasons[bad[2]!] ?? '', /not a map/);
    assert.match(reasons[bad[3]!] ?? '', /over the limit/);
    assert.match(reasons['not-an-id'] ?? '', /id is not/);
    assert.equal(ann.get(bad[0]!)?.status, 'invalid');
    await assert.rejects(ann.edit(bad[0]!, { title: 'fix' }), { name: 'InvalidInputError' });
  });

  it('records who did what, when, in each entry history', async () => {
    const ann = (await memoryNoteLog('Ann', 'dev-ann')).log;
    const bob = (await memoryNoteLog('Bob', 'dev-bob')).log;
    const note = await ann.createNote({ title: 'T', body: '' });
    ann.historyOf(note.id); // builds the index early so that later ops exercise the incremental path
    await ann.edit(note.id, { body: 'draft text' });
    await ann.publish(note.id);
    await exchange(ann, bob);
    await bob.edit(note.id, { title: 'T2' });
    await exchange(ann, bob);
    await ann.delete(note.id);
    const ops = ann.historyOf(note.id).map((h) => `${h.op}:${h.by.name}:${h.scope}${h.fields ? ':' + h.fields.join(',') : ''}`);
    assert.deepEqual(ops, ['create:Ann:local', 'edit:Ann:local:body', 'publish:Ann:shared', 'edit:Bob:shared:title', 'delete:Ann:shared']);
    // A peer sees the draft's steps (carried by the publish record) but not their content.
    await exchange(ann, bob);
    assert.deepEqual(bob.historyOf(note.id).map((h) => `${h.op}:${h.scope}`), ['create:local', 'edit:local', 'publish:shared', 'edit:shared', 'delete:shared']);
    assert.deepEqual(bob.historyDetails(note.id).slice(0, 2).map((s) => s.changes), [[], []]);
  });
});
