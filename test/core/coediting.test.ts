import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Entry } from '../../src/core/entry.js';
import type { NoteLog } from '../../src/core/note-log.js';
import { exchange, memoryNoteLog } from '../helpers/core.js';

const body = (e: Entry): string => (e.kind === 'note' ? e.body : '');

/** Ann creates and publishes a note; Bob and Cat receive it. */
async function threeMembers(text = 'line one\nline two\nline three') {
  const { log: ann } = await memoryNoteLog('Ann', 'dev-ann');
  const { log: bob } = await memoryNoteLog('Bob', 'dev-bob');
  const { log: cat } = await memoryNoteLog('Cat', 'dev-cat');
  const note = await ann.publish((await ann.createNote({ title: 'Plan', body: text })).id);
  await exchange(ann, bob);
  await exchange(ann, cat);
  return { ann, bob, cat, id: note.id };
}

async function syncAll(...logs: NoteLog[]): Promise<void> {
  for (let round = 0; round < 2; round++) for (let i = 0; i + 1 < logs.length; i++) await exchange(logs[i]!, logs[i + 1]!);
}

describe('saves merge from the version the editor loaded', () => {
  it('two members saving edits of different lines from one version keep both', async () => {
    const { ann, bob, cat, id } = await threeMembers();
    const bobBase = bob.version(id).heads;
    const catBase = cat.version(id).heads;
    await bob.edit(id, { body: 'line one, said Bob\nline two\nline three' }, bobBase);
    await cat.edit(id, { body: 'line one\nline two\nline three, said Cat' }, catBase);
    await syncAll(ann, bob, cat);
    for (const log of [ann, bob, cat]) {
      const read = log.get(id);
      assert.equal(read?.status === 'valid' && body(read.entry), 'line one, said Bob\nline two\nline three, said Cat');
    }
  });

  it('a stale copy saved later never undoes text that arrived after it was loaded', async () => {
    const { bob, cat, id } = await threeMembers();
    const catBase = cat.version(id).heads; // Cat's editor loads the note...
    await bob.edit(id, { body: 'line one\nline two, by Bob\nline three' });
    await exchange(bob, cat); // ...Bob's edit reaches Cat's store, not Cat's open copy
    // Cat saves her copy: it still holds the old line two, plus her own addition.
    await cat.edit(id, { body: 'line one\nline two\nline three\nline four, by Cat' }, catBase);
    const read = cat.get(id);
    assert.equal(read?.status === 'valid' && body(read.entry), 'line one\nline two, by Bob\nline three\nline four, by Cat');
  });

  it('saving the unchanged copy of an old version writes nothing', async () => {
    const { bob, cat, id } = await threeMembers();
    const catBase = cat.version(id).heads;
    await bob.edit(id, { title: 'New plan', body: 'changed' });
    await exchange(bob, cat);
    const heads = cat.shared.heads();
    await cat.edit(id, { title: 'Plan', body: 'line one\nline two\nline three' }, catBase);
    assert.deepEqual(cat.shared.heads(), heads);
    const read = cat.get(id);
    assert.equal(read?.status === 'valid' && read.entry.kind === 'note' && read.entry.title, 'New plan');
  });

  it('a base the log does not hold edits the current entry', async () => {
    const { bob, id } = await threeMembers();
    await bob.edit(id, { body: 'x' }, ['00'.repeat(32)]);
    const read = bob.get(id);
    assert.equal(read?.status === 'valid' && body(read.entry), 'x');
  });
});

describe('live editors typing the same characters at the same place', () => {
  it('keep both: a space Bob typed arrives before Cat\'s own space is written, and both stay', async () => {
    const { bob, cat, id } = await threeMembers('line one');
    const shadow = { title: 'Plan', body: 'line one' };
    const bobBase = bob.version(id).heads;
    const catBase = cat.version(id).heads;
    await bob.editNow(id, { title: 'Plan', body: 'line one ' }, { shadow, base: bobBase }).durable;
    await exchange(bob, cat); // Bob's space is in Cat's log before Cat's editor writes its own
    const made = cat.editNow(id, { title: 'Plan', body: 'line one ' }, { shadow, base: catBase });
    assert.equal(made.changed, true, "Cat's space is written, not taken for Bob's");
    await made.durable;
    await exchange(bob, cat);
    for (const log of [bob, cat]) {
      const read = log.get(id);
      assert.equal(read?.status === 'valid' && body(read.entry), 'line one  ');
    }
    // A save retried from the same version without an editor's shadow is one change seen twice.
    const again = cat.editNow(id, { title: 'Plan', body: 'line one  ' }, { base: cat.version(id).heads });
    assert.equal(again.changed, false);
  });
});

describe('conflicts are shown, not hidden', () => {
  it('concurrent title edits keep both values with their authors until resolved', async () => {
    const { ann, bob, cat, id } = await threeMembers();
    await bob.edit(id, { title: 'Plan by Bob' });
    await cat.edit(id, { title: 'Plan by Cat' });
    await syncAll(ann, bob, cat);
    for (const log of [ann, bob, cat]) {
      const read = log.get(id);
      assert.deepEqual(read?.status === 'valid' && read.entry.conflicts, ['title']);
      const [conflict] = log.conflictsOf(id);
      assert.equal(conflict?.field, 'title');
      const values = [...(conflict?.values ?? [])].sort((x, y) => x.value.localeCompare(y.value));
      assert.deepEqual(values.map((v) => [v.value, v.by?.name]), [['Plan by Bob', 'Bob'], ['Plan by Cat', 'Cat']]);
      assert.equal(values.filter((v) => v.shown).length, 1);
    }
    assert.equal(ann.list().entries.find((e) => e.id === id)?.conflicts?.[0], 'title');
    await ann.resolveConflict(id, 'title', 'Plan by Cat');
    await syncAll(ann, bob, cat);
    for (const log of [ann, bob, cat]) {
      const read = log.get(id);
      assert.equal(read?.status === 'valid' && read.entry.conflicts, undefined);
      assert.equal(read?.status === 'valid' && read.entry.kind === 'note' && read.entry.title, 'Plan by Cat');
      assert.deepEqual(log.conflictsOf(id), []);
    }
  });

  it('a copy that has not shown a title that arrived keeps competing with it (the refused-update round of a live editor)', async () => {
    const { bob, cat, id } = await threeMembers();
    const shadow = { title: 'Plan', body: 'line one\nline two\nline three' };
    const bobBase = bob.version(id).heads;
    await cat.edit(id, { title: 'Plan by Cat' });
    await exchange(cat, bob); // reaches Bob's log before his editor reports his typing
    // Bob's editor round: nothing typed yet as far as it knows; the document refuses the update.
    const round = bob.editNow(id, { ...shadow, body: `${shadow.body}\nmore` }, { shadow, base: bobBase });
    assert.equal(round.changed, true);
    const base = bob.baseWithTitles(id, { ...shadow, body: `${shadow.body}\nmore` }, [round.own, bobBase]);
    assert.deepEqual(base, bobBase, 'the heads show Cat\'s title, which Bob\'s document never showed');
    // His typed title then competes with Cat's instead of overwriting it.
    bob.editNow(id, { title: 'Plan by Bob', body: `${shadow.body}\nmore` }, { shadow: { ...shadow, body: `${shadow.body}\nmore` }, base });
    const read = bob.get(id);
    assert.deepEqual(read?.status === 'valid' && read.entry.conflicts, ['title']);
    assert.deepEqual(bob.conflictsOf(id)[0]?.values.map((v) => v.value).sort(), ['Plan by Bob', 'Plan by Cat']);
    assert.equal(read?.status === 'valid' && read.entry.kind === 'note' && read.entry.body, `${shadow.body}\nmore`);
  });
});

describe('a delete that races an edit stays restorable', () => {
  it('keeps the edited content, and Restore brings it back for everyone', async () => {
    const { ann, bob, cat, id } = await threeMembers();
    await cat.edit(id, { body: 'line one\nline two\nline three\nCat was typing this' });
    await bob.delete(id);
    await syncAll(ann, bob, cat);
    for (const log of [ann, bob, cat]) {
      const read = log.get(id);
      assert.equal(read?.status, 'deleted');
      assert.equal(read?.status === 'deleted' && read.tombstone.deletedBy.name, 'Bob');
      assert.equal(read?.status === 'deleted' && read.tombstone.fields?.body, 'line one\nline two\nline three\nCat was typing this');
    }
    await ann.restore(id);
    await syncAll(ann, bob, cat);
    for (const log of [ann, bob, cat]) {
      const read = log.get(id);
      assert.equal(read?.status === 'valid' && body(read.entry), 'line one\nline two\nline three\nCat was typing this');
    }
    assert.deepEqual(ann.historyOf(id).map((h) => h.op), ['create', 'publish', 'edit', 'delete', 'restore']);
  });

  it('a late peer neither resurrects nor re-kills; a delete concurrent with the restore wins', async () => {
    const { ann, bob, cat, id } = await threeMembers();
    const { log: late } = await memoryNoteLog('Lee', 'dev-lee');
    await exchange(ann, late);
    await late.edit(id, { body: 'an old edit made offline' }); // before it hears of the delete
    await bob.delete(id);
    await exchange(bob, ann);
    await exchange(ann, late);
    assert.equal(late.get(id)?.status, 'deleted', 'the late edit does not resurrect it');
    await ann.restore(id);
    await exchange(ann, late);
    await exchange(ann, bob);
    assert.equal(late.get(id)?.status, 'valid', 'the late peer takes the restore, it cannot re-kill it');
    const read = late.get(id);
    assert.match(read?.status === 'valid' ? body(read.entry) : '', /an old edit made offline/);
    // Bob deletes again; Cat, who hears of it, restores; Ann, who has not, deletes concurrently.
    await syncAll(ann, bob, cat, late);
    await bob.delete(id);
    await exchange(bob, cat);
    await cat.restore(id);
    await ann.delete(id);
    await syncAll(ann, bob, cat, late);
    for (const log of [ann, bob, cat, late]) assert.equal(log.get(id)?.status, 'deleted');
  });

  it('restores a tombstone written before deletes kept the content, from history', async () => {
    const { ann, id } = await threeMembers('old text');
    await ann.delete(id);
    // As older versions did: the fields go with the delete.
    await ann.shared.change('{}', (doc) => {
      const stored = doc.b[id[0]!]![id[1]!]![id[2]!]![id] as Record<string, unknown>;
      delete stored.title;
      delete stored.body;
    });
    await ann.restore(id);
    const read = ann.get(id);
    assert.equal(read?.status === 'valid' && body(read.entry), 'old text');
  });
});

describe('the local log forgets published drafts', () => {
  it('publishing 1,000 drafts leaves the local log as small as an empty one, and history keeps their steps', async () => {
    const { log, stores } = await memoryNoteLog();
    const body = 'A paragraph of a realistic note, with **markdown** and a [link](https://example.org). '.repeat(5);
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const note = await log.createNote({ title: `Note ${i}`, body });
      await log.edit(note.id, { body: body + ' edited' });
      await log.publish(note.id);
      ids.push(note.id);
    }
    const kept = await stores.local.load();
    const size = (kept.snapshot?.byteLength ?? 0) + kept.records.reduce((n, r) => n + r.byteLength, 0);
    assert.ok(size < 10_000, `the local log holds ${size} bytes after 1,000 published drafts`);
    assert.equal(log.local.allChanges().length, 1, 'only the genesis change is left');
    assert.deepEqual(log.historyOf(ids[500] as never).map((h) => h.op), ['create', 'edit', 'publish']);
  });

  it('a rebuild keeps the live drafts, their content and their steps', async () => {
    const { log: first, stores } = await memoryNoteLog();
    const keep = await first.createNote({ title: 'Still a draft', body: 'v1' });
    await first.edit(keep.id, { body: 'v2' });
    for (let i = 0; i < 20; i++) await first.publish((await first.createNote({ title: `Gone ${i}`, body: 'x'.repeat(400) })).id);
    await first.local.compact(); // as the record count would trigger
    assert.ok(first.local.allChanges().length <= 2, 'genesis plus one change for the live draft');
    const read = first.get(keep.id);
    assert.equal(read?.status === 'valid' && read.entry.kind === 'note' && read.entry.body, 'v2');
    assert.deepEqual(first.historyOf(keep.id).map((h) => h.op), ['create', 'edit']);
    await first.close();
    const { log: again } = await memoryNoteLog('Ann', 'dev-ann', { shared: stores.shared.reopen(), local: stores.local.reopen() });
    const reread = again.get(keep.id);
    assert.equal(reread?.status === 'valid' && reread.entry.kind === 'note' && reread.entry.body, 'v2');
    await again.edit(keep.id, { body: 'v3' });
    await again.publish(keep.id);
    assert.deepEqual(again.historyOf(keep.id).map((h) => h.op), ['create', 'edit', 'edit', 'publish']);
  });
});

describe('history with content, and restore of a version', () => {
  it('shows before → after for each step and writes a past version back as a new edit', async () => {
    const { ann, bob, id } = await threeMembers('first');
    await bob.edit(id, { body: 'second' });
    await bob.edit(id, { title: 'Renamed', body: 'third' });
    await exchange(ann, bob);
    const steps = ann.historyDetails(id);
    assert.deepEqual(steps.map((s) => [s.step, s.op, s.by.name]), [[1, 'create', 'Ann'], [2, 'publish', 'Ann'], [3, 'edit', 'Bob'], [4, 'edit', 'Bob']]);
    assert.deepEqual(steps[0]?.changes, [], 'the draft step came with the publish record: its content stayed private');
    assert.deepEqual(steps[2]?.changes, [{ field: 'body', before: 'first', after: 'second' }]);
    assert.deepEqual(steps[3]?.changes, [{ field: 'title', before: 'Plan', after: 'Renamed' }, { field: 'body', before: 'second', after: 'third' }]);
    const version = ann.versionAt(id, steps[2]!.hash);
    assert.deepEqual(version.fields, { title: 'Plan', body: 'second' });
    const restored = await ann.restoreVersion(id, steps[2]!.hash);
    assert.equal(restored.kind === 'note' && `${restored.title}|${restored.body}`, 'Plan|second');
    const last = ann.historyOf(id).at(-1);
    assert.equal(last?.op, 'edit');
    assert.equal(last?.restoredFrom, steps[2]!.hash);
  });
});
