import assert from 'node:assert/strict';
import * as A from '@automerge/automerge';
import { describe, it } from 'node:test';
import { EntryIndex } from '../../src/core/entry-index.js';
import { readEntry, type LogScope } from '../../src/core/entry.js';
import { newEntryId, type EntryId } from '../../src/core/ids.js';
import { bucketFor, rawEntries, type SpaceDoc } from '../../src/core/layout.js';
import type { EntryList, NoteLog } from '../../src/core/note-log.js';
import { encodeOp } from '../../src/core/ops.js';
import { genesisChange } from '../../src/core/replica.js';
import { withConflicts } from '../../src/core/stored-entry.js';
import { exchange, memoryNoteLog } from '../helpers/core.js';

const imm = (s: string) => new A.ImmutableString(s);
const author = { name: imm('Mallory'), device: imm('dev-mallory') };

/** What `list` returned before the index: a scan and validation of every entry, as the reference. */
function scanned(log: NoteLog): EntryList {
  const out: EntryList = { entries: [], deleted: [], invalid: [] };
  for (const scope of ['local', 'shared'] as LogScope[]) {
    for (const [id, raw] of rawEntries((scope === 'local' ? log.local : log.shared).doc)) {
      const read = withConflicts(readEntry(id, raw, scope), raw);
      if (read.status === 'valid') out.entries.push(read.entry);
      else if (read.status === 'deleted') out.deleted.push(read.tombstone);
      else out.invalid.push(read.invalid);
    }
  }
  out.entries.sort((a, b) => b.updatedAt - a.updatedAt || a.id.localeCompare(b.id));
  return out;
}

function assertSameAsScan(log: NoteLog, when: string): void {
  const listed = log.list();
  const reference = scanned(log);
  assert.deepEqual(listed.entries, reference.entries, `entries ${when}`);
  const byId = <T extends { id: string }>(xs: readonly T[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : 1));
  assert.deepEqual(byId(listed.deleted), byId(reference.deleted), `deleted ${when}`);
  assert.deepEqual(byId(listed.invalid), byId(reference.invalid), `invalid ${when}`);
  const counts = log.counts();
  assert.equal(counts.drafts, reference.entries.filter((e) => e.state === 'draft').length);
  assert.equal(counts.published, reference.entries.filter((e) => e.state === 'published').length);
}

/** A document with the genesis change and `n` published notes, and an index over it. */
function indexed(n: number) {
  let doc = A.applyChanges(A.init<SpaceDoc>(), [genesisChange()])[0];
  const ids: EntryId[] = [];
  for (let i = 0; i < n; i++) {
    const id = newEntryId();
    ids.push(id);
    doc = A.change(doc, (d) => {
      bucketFor(d, id)![id] = { kind: imm('note'), author, createdAt: i, updatedAt: i, state: imm('published'), title: imm(`Note ${i}`), body: `body ${i}` };
    });
  }
  const state = { doc };
  const index = new EntryIndex('shared', () => state.doc);
  /** Makes a change and tells the index, as the replica's events do. */
  const change = (message: string, fn: (d: SpaceDoc) => void) => {
    state.doc = A.change(state.doc, { message }, fn);
    index.changed([A.getLastLocalChange(state.doc)!]);
  };
  return { state, index, ids, change };
}

describe('entry index', () => {
  it('lists exactly what a scan lists, through creates, edits, publishes, deletes, restores and a peer’s changes', async () => {
    const { log } = await memoryNoteLog('Ann', 'dev-ann');
    const { log: bob } = await memoryNoteLog('Bob', 'dev-bob');
    assertSameAsScan(log, 'when empty');
    const made: EntryId[] = [];
    for (let i = 0; i < 12; i++) {
      const e = i % 3 === 0 ? await log.createRecipe({ name: `Soup ${i}`, ingredients: 'water', instructions: 'boil' }) : await log.createNote({ title: `Note ${i}`, body: `body ${i}` });
      made.push(e.id);
      if (i % 2 === 0) await log.publish(e.id);
      assertSameAsScan(log, `after entry ${i}`);
    }
    await log.edit(made[0]!, { name: 'Tomato soup' });
    await log.edit(made[1]!, { body: 'edited body' });
    await log.delete(made[2]!);
    await log.delete(made[4]!);
    await log.restore(made[4]!);
    assertSameAsScan(log, 'after edits and deletes');
    const theirs = await bob.createNote({ title: 'From Bob', body: '' });
    await bob.publish(theirs.id);
    await exchange(log, bob);
    await bob.edit(made[8]!, { title: 'Bob renamed it' });
    await log.edit(made[8]!, { title: 'Ann renamed it' }); // concurrent: a conflict
    await exchange(log, bob);
    assertSameAsScan(log, 'after a peer’s changes and a conflict');
    assert.ok(log.list().entries.find((e) => e.id === made[8])?.conflicts?.includes('title'));
  });

  it('reads what a change wrote, not what its op record claims', () => {
    const { state, index, ids, change } = indexed(20);
    assert.equal(index.count(), 20);
    const [claimed, written] = [ids[3]!, ids[7]!];
    change(encodeOp({ v: 1, op: 'edit', id: claimed, fields: ['title'], at: 1, by: { name: 'M', device: 'd' } } as never), (d) => {
      const entry = bucketFor(d, written)![written] as Record<string, unknown>;
      entry.title = imm('\x1b[2J rewritten');
      entry.updatedAt = 999;
    });
    assert.equal(index.view().entries[0]!.id, written, 'the entry written to moved to the top');
    assert.equal((index.view().entries[0] as { title: string }).title, '\x1b[2J rewritten');
    change('no record at all', (d) => {
      delete (bucketFor(d, ids[0]!)! as Record<string, unknown>)[ids[0]!];
      (bucketFor(d, ids[1]!)![ids[1]!] as Record<string, unknown>).kind = imm('bogus');
    });
    assert.equal(index.count(), 18);
    assert.deepEqual(index.view().invalid.map((i) => i.id), [ids[1]]);
    assert.equal(index.rebuilds, 1, 'each change cost only the entries it touched');
    assert.ok(state.doc);
  });

  it('rebuilds once when a change reshapes the tree above the buckets, and is right afterwards', () => {
    const { index, ids, change } = indexed(10);
    assert.equal(index.count(), 10);
    const moved = ids[0]!;
    change('reshape', (d) => {
      delete d.b[moved[0]!]![moved[1]!]![moved[2]!];
    });
    assert.equal(index.count(), 9);
    assert.equal(index.rebuilds, 2);
  });

  it('catches a change made without telling it (heads moved, nothing pending): rebuilds', () => {
    const { state, index } = indexed(5);
    assert.equal(index.count(), 5);
    const id = newEntryId();
    state.doc = A.change(state.doc, (d) => {
      bucketFor(d, id)![id] = { kind: imm('note'), author, createdAt: 1, updatedAt: 1, state: imm('published'), title: imm('quiet'), body: '' };
    });
    assert.equal(index.count(), 6);
    assert.equal(index.rebuilds, 2);
  });
});
