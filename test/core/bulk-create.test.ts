import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as A from '@automerge/automerge';
import { BULK_BATCH, type NewDraft } from '../../src/core/bulk-create.js';
import { changeMetaOf } from '../../src/core/change-header.js';
import { EntryIndex } from '../../src/core/entry-index.js';
import { decodeOp, decodeOps, encodeBatch } from '../../src/core/ops.js';
import type { EntryId } from '../../src/core/ids.js';
import { memoryNoteLog } from '../helpers/core.js';

const drafts = (n: number): NewDraft[] =>
  Array.from({ length: n }, (_, i): NewDraft =>
    i % 5 === 0
      ? { kind: 'recipe', fields: { name: `Recipe ${i}`, ingredients: `- ${i} eggs`, instructions: 'Mix, then bake.' } }
      : { kind: 'note', fields: { title: `Note ${i}`, body: `Body of note ${i}: ${'words '.repeat(40)}` } },
  );

describe('drafts created in bulk (NoteLog.createDrafts)', () => {
  it('writes one change per batch, and each draft has its create step in its history', async () => {
    const { log } = await memoryNoteLog('Ann');
    const n = BULK_BATCH * 2 + 7;
    const before = log.local.changeCount();
    let progress = 0;
    const made = await log.createDrafts(drafts(n), (done) => (progress = done));
    assert.equal(made.length, n);
    assert.equal(progress, n);
    assert.equal(log.local.changeCount() - before, 3, 'three changes for three batches');
    assert.equal(log.counts().drafts, n);
    assert.equal(new Set(made.map((e) => e.id)).size, n, 'every draft has its own id');
    const recipe = made[0]!;
    assert.equal(recipe.kind, 'recipe');
    assert.equal(log.get(recipe.id)?.status, 'valid');
    for (const entry of [made[0]!, made[1]!, made[n - 1]!]) {
      const history = log.historyOf(entry.id);
      assert.deepEqual(history.map((h) => [h.op, h.scope, h.by.name]), [['create', 'local', 'Ann']], `one create step for ${entry.id}`);
      const [step] = log.historyDetails(entry.id);
      assert.ok(step?.changes.length, 'the step says what it wrote');
    }
    // Drafts of one batch share a change; of another batch, not.
    assert.equal(log.historyOf(made[0]!.id)[0]!.hash, log.historyOf(made[BULK_BATCH - 1]!.id)[0]!.hash);
    assert.notEqual(log.historyOf(made[0]!.id)[0]!.hash, log.historyOf(made[BULK_BATCH]!.id)[0]!.hash);
    // Publishing one keeps its create step, and an edit after it is its own step.
    await log.edit(made[1]!.id, { title: 'Edited' });
    await log.publish(made[1]!.id);
    assert.deepEqual(log.historyOf(made[1]!.id).map((h) => h.op), ['create', 'edit', 'publish']);
  });

  it('writes nothing when one draft is invalid', async () => {
    const { log } = await memoryNoteLog('Ann');
    const heads = log.local.heads();
    await assert.rejects(log.createDrafts([...drafts(3), { kind: 'note', fields: { title: '   ', body: '' } }]), { name: 'InvalidInputError' });
    assert.deepEqual(log.local.heads(), heads);
  });

  it('survives a reopen: the drafts are read back from the store', async () => {
    const { log, stores } = await memoryNoteLog('Ann');
    const made = await log.createDrafts(drafts(150));
    await log.close();
    const { log: again } = await memoryNoteLog('Ann', 'dev-ann', { shared: stores.shared.reopen(), local: stores.local.reopen() });
    assert.deepEqual(again.list().entries.map((e) => e.id).sort(), made.map((e) => e.id).sort());
    assert.deepEqual(again.historyOf(made[42]!.id).map((h) => h.op), ['create']);
  });

  it('keeps an entry index current by rebuilding it once rather than decoding a large change', async () => {
    const { log } = await memoryNoteLog('Ann');
    const index = new EntryIndex('local', () => log.local.doc);
    log.local.events.on('local-change', (change) => index.changed([change]));
    await log.createNote({ title: 'first', body: 'x' });
    assert.equal(index.count(), 1);
    assert.equal(index.rebuilds, 1);
    await log.createNote({ title: 'second', body: 'y' });
    assert.equal(index.count(), 2);
    assert.equal(index.rebuilds, 1, 'a small change is decoded');
    await log.createDrafts(drafts(BULK_BATCH * 2));
    assert.equal(index.count(), 2 + BULK_BATCH * 2);
    assert.equal(index.rebuilds, 2, 'two batches of drafts: one rebuild');
  });
});

describe('change headers and batch records', () => {
  it('reads the same metadata from a change header as Automerge decodes', () => {
    let doc = A.change(A.init<Record<string, unknown>>(), { message: 'héllo' }, (d) => void (d.x = 'abc'));
    doc = A.change(doc, (d) => void (d.y = 1)); // no message
    const other = A.change(A.clone(doc, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'), { message: '{"v":1}' }, (d) => void (d.z = 'long '.repeat(500)));
    doc = A.merge(doc, other);
    doc = A.change(doc, { message: 'after a merge' }, (d) => void (d.w = 2)); // two dependencies
    const changes = A.getAllChanges(doc);
    assert.equal(changes.length, 4);
    for (const change of changes) {
      const d = A.decodeChange(change);
      assert.deepEqual(changeMetaOf(change), { hash: d.hash, deps: d.deps, actor: d.actor, startOp: d.startOp, message: d.message ?? null });
    }
    assert.equal(changeMetaOf(new Uint8Array([1, 2, 3])), undefined);
    assert.equal(changeMetaOf(changes[0]!.subarray(0, 20)), undefined, 'a cut change');
  });

  it('expands a batch record into one create per draft; a single-record reader ignores it', () => {
    const ids = ['a'.repeat(32), 'b'.repeat(32)] as EntryId[];
    const message = encodeBatch({ v: 1, op: 'create-batch', by: { name: 'Ann', device: 'dev' as never }, at: 5, entries: [[ids[0]!, 'note'], [ids[1]!, 'recipe']] });
    const ops = decodeOps(message);
    assert.deepEqual(ops.map((o) => [o.op, o.id, o.op === 'create' ? o.kind : '', o.at, o.by.name]), [
      ['create', ids[0], 'note', 5, 'Ann'],
      ['create', ids[1], 'recipe', 5, 'Ann'],
    ]);
    assert.equal(decodeOp(message), undefined);
    const malformed = JSON.stringify({ v: 1, op: 'create-batch', by: { name: 'A', device: 'd' }, at: 1, entries: [['nothex', 'note'], [ids[0], 'poem'], 'x', [ids[1], 'note']] });
    assert.deepEqual(decodeOps(malformed).map((o) => o.id), [ids[1]], 'malformed items are dropped');
    assert.deepEqual(decodeOps('not json'), []);
    const single = JSON.stringify({ v: 1, op: 'delete', id: ids[0], by: { name: 'A', device: 'd' }, at: 1 });
    assert.deepEqual(decodeOps(single), [decodeOp(single)]);
  });
});
