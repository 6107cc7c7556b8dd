import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NoteLog } from '../../src/core/note-log.js';
import { MAX_COMPARED_CHANGES, ShownNotes } from '../../src/extension/shown-notes.js';
import { groupChildren, notesItem, notesRoots, pagedChildren, withOpenBy, type GroupKind } from '../../src/extension/tree-items.js';
import { memoryNoteLog } from '../helpers/core.js';

/** A view that was given the roots and the children of the expanded groups, as VS Code asks for them. */
function show(shown: ShownNotes, log: NoteLog, groups: GroupKind[] = ['published', 'drafts']): void {
  const list = log.summaries();
  const now = Date.now();
  shown.rootsShown(notesRoots(list), now);
  for (const g of groups) shown.childrenShown(g, groupChildren(list, g), now);
}

describe('the Notes view redraws only when a row would look different', () => {
  it('typing in the newest note changes no row; a title, a publish, a note moving up or a new note does', async () => {
    const { log } = await memoryNoteLog();
    const shown = new ShownNotes((node, now) => notesItem(node, now));
    const older = await log.createNote({ title: 'Older', body: 'a' });
    const typed = await log.createNote({ title: 'Soup', body: 'water' });
    await log.publish(older.id);
    await log.publish(typed.id);
    show(shown, log);

    let body = 'water';
    for (const ch of ' and salt') {
      body += ch;
      await log.edit(typed.id, { body });
      assert.equal(shown.differs(log.summaries(), [typed.id], Date.now()), false, `typing "${body}"`);
    }
    await log.edit(typed.id, { title: 'Salty soup' });
    assert.equal(shown.differs(log.summaries(), [typed.id], Date.now()), true, 'a new title is a new label');
    show(shown, log);

    await log.edit(older.id, { body: 'ab' });
    assert.equal(shown.differs(log.summaries(), [older.id], Date.now()), true, 'the older note moves to the top');
    show(shown, log);
    await log.edit(older.id, { body: 'abc' });
    assert.equal(shown.differs(log.summaries(), [older.id], Date.now()), false, 'and then stays there');

    const draft = await log.createNote({ title: 'New', body: '' });
    assert.equal(shown.differs(log.summaries(), [draft.id], Date.now()), true, 'a group count changed');
    show(shown, log);
    await log.publish(draft.id);
    assert.equal(shown.differs(log.summaries(), [draft.id], Date.now()), true, 'it moved group');
    show(shown, log);
    await log.delete(draft.id);
    assert.equal(shown.differs(log.summaries(), [draft.id], Date.now()), true, 'it left');
    await log.close();
  });

  it('compares the description as shown now: relative time and who has it open', async () => {
    const { log } = await memoryNoteLog();
    let openBy: string[] = [];
    const shown = new ShownNotes((node, now) => {
      const item = notesItem(node, now);
      return node.type === 'entry' ? withOpenBy(item, openBy) : item;
    });
    const n = await log.createNote({ title: 'Tea', body: 'green' });
    show(shown, log);
    assert.equal(shown.differs(log.summaries(), [n.id], Date.now()), false);
    assert.equal(shown.differs(log.summaries(), [n.id], Date.now() + 3 * 3600_000), true, '"just now" became "3 h ago"');
    openBy = ['Bob'];
    assert.equal(shown.differs(log.summaries(), [n.id], Date.now()), true, '"open: Bob"');
    await log.close();
  });

  it('a change to an entry in a group the view never expanded redraws only when the counts change', async () => {
    const { log } = await memoryNoteLog();
    const shown = new ShownNotes((node, now) => notesItem(node, now));
    const a = await log.createNote({ title: 'A', body: '' });
    await log.createNote({ title: 'B', body: '' });
    show(shown, log, []);
    await log.edit(a.id, { title: 'A2' });
    assert.equal(shown.differs(log.summaries(), [a.id], Date.now()), false, 'Drafts is collapsed: no row of it is shown');
    await log.publish(a.id);
    assert.equal(shown.differs(log.summaries(), [a.id], Date.now()), true);
    await log.close();
  });

  it('redraws without comparing for any entry, many entries, or before the view listed anything', async () => {
    const { log } = await memoryNoteLog();
    const shown = new ShownNotes((node, now) => notesItem(node, now));
    const a = await log.createNote({ title: 'A', body: '' });
    assert.equal(shown.differs(log.summaries(), [a.id], Date.now()), true, 'nothing shown yet');
    show(shown, log);
    assert.equal(shown.differs(log.summaries(), [a.id], Date.now()), false);
    assert.equal(shown.differs(log.summaries(), undefined, Date.now()), true);
    assert.equal(shown.differs(log.summaries(), Array.from({ length: MAX_COMPARED_CHANGES + 1 }, () => a.id), Date.now()), true);
    shown.forget();
    assert.equal(shown.differs(log.summaries(), [a.id], Date.now()), true);
    await log.close();
  });

  it('a long group: a change to an entry below its first page redraws nothing, one that brings it up does', async () => {
    const { log } = await memoryNoteLog();
    const page = 3;
    const shown = new ShownNotes((node, now) => notesItem(node, now), (list, group) => pagedChildren(list, group, page));
    const notes = [];
    for (let i = 0; i < 6; i++) notes.push(await log.createNote({ title: `Note ${i}`, body: 'x' }));
    const list = log.summaries();
    const now = Date.now();
    shown.rootsShown(notesRoots(list), now);
    shown.childrenShown('drafts', pagedChildren(list, 'drafts', page), now);
    const oldest = notes[0]!; // listed last: below the first page
    assert.equal(shown.differs(log.summaries(), [oldest.id], Date.now()), false, 'nothing changed');
    await log.edit(oldest.id, { body: 'xy' });
    assert.equal(shown.differs(log.summaries(), [oldest.id], Date.now()), true, 'edited, it moves to the top of the first page');
    shown.rootsShown(notesRoots(log.summaries()), Date.now());
    shown.childrenShown('drafts', pagedChildren(log.summaries(), 'drafts', page), Date.now());
    assert.equal(shown.differs(log.summaries(), [notes[1]!.id], Date.now()), false, 'an entry still below the first page');
    await log.close();
  });
});
