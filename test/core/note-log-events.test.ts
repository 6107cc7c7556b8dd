import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EntriesChanged } from '../../src/core/note-log.js';
import { SearchIndex } from '../../src/core/search-index.js';
import { exchange, memoryNoteLog } from '../helpers/core.js';

/** What a listener of `changed` saw: origin, scope, the entries and the ops' names. */
const seenOf = (events: EntriesChanged[]) => events.map((e) => ({ origin: e.origin, scope: e.scope, ids: e.ids, ops: e.ops?.map((op) => op.op) }));

describe('NoteLog changed event', () => {
  it('is raised for local operations with their entry ids, in both logs', async () => {
    const { log } = await memoryNoteLog();
    const events: EntriesChanged[] = [];
    log.events.on('changed', (e) => events.push(e));
    const note = await log.createNote({ title: 'Soup', body: 'Leeks' });
    await log.edit(note.id, { body: 'Leeks and potatoes' });
    await log.publish(note.id);
    await log.delete(note.id);
    await log.restore(note.id);
    assert.deepEqual(seenOf(events), [
      { origin: 'local', scope: 'local', ids: [note.id], ops: ['create'] },
      { origin: 'local', scope: 'local', ids: [note.id], ops: ['edit'] },
      // a publish writes the shared copy, then removes the draft: two changes, one per log
      { origin: 'local', scope: 'shared', ids: [note.id], ops: ['publish'] },
      { origin: 'local', scope: 'local', ids: [note.id], ops: ['publish'] },
      { origin: 'local', scope: 'shared', ids: [note.id], ops: ['delete'] },
      { origin: 'local', scope: 'shared', ids: [note.id], ops: ['restore'] },
    ]);
  });

  it('a live edit (editNow) raises it before the call returns; an edit that writes nothing raises nothing', async () => {
    const { log } = await memoryNoteLog();
    const note = await log.createNote({ title: 'Soup', body: 'Leeks' });
    const events: EntriesChanged[] = [];
    log.events.on('changed', (e) => events.push(e));
    const made = log.editNow(note.id, { body: 'Leeks!' });
    assert.deepEqual(seenOf(events), [{ origin: 'local', scope: 'local', ids: [note.id], ops: ['edit'] }]);
    await made.durable;
    log.editNow(note.id, { body: 'Leeks!' });
    assert.equal(events.length, 1, 'nothing changed, nothing raised');
  });

  it('is raised with origin remote, the ops and the sender for a peer\'s changes', async () => {
    const ann = await memoryNoteLog('Ann', 'dev-ann');
    const bob = await memoryNoteLog('Bob', 'dev-bob');
    const note = await ann.log.createNote({ title: 'Soup', body: 'Leeks' });
    await ann.log.publish(note.id);
    const events: EntriesChanged[] = [];
    bob.log.events.on('changed', (e) => events.push(e));
    await exchange(ann.log, bob.log);
    assert.deepEqual(seenOf(events), [{ origin: 'remote', scope: 'shared', ids: [note.id], ops: ['publish'] }]);
    assert.equal(events[0]?.from, 'a');
    assert.deepEqual(events[0]?.ops?.[0]?.by, { name: 'Ann', device: 'dev-ann' });
  });

  it('keeps the search index current for local and remote changes alike', async () => {
    const ann = await memoryNoteLog('Ann', 'dev-ann');
    const bob = await memoryNoteLog('Bob', 'dev-bob');
    const search = new SearchIndex(bob.log);
    search.warm();
    const mine = await bob.log.createNote({ title: 'Bread', body: 'flour' });
    await bob.log.edit(mine.id, { body: 'rye flour' });
    assert.deepEqual(search.search('rye').hits.map((h) => h.id), [mine.id]);
    const theirs = await ann.log.createNote({ title: 'Rye soup', body: 'rye' });
    await ann.log.publish(theirs.id);
    await exchange(ann.log, bob.log);
    assert.deepEqual(new Set(search.search('rye').hits.map((h) => h.id)), new Set([mine.id, theirs.id]));
    search.dispose();
  });
});
