import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryNoteLog, memoryShardedNoteLog } from '../helpers/core.js';

for (const [format, open] of [['sharded', () => memoryShardedNoteLog()], ['v1', () => memoryNoteLog()]] as const) {
  test(`${format}: a page of the list holds every draft, the newest published entries and tombstones, and the totals of the whole list`, async () => {
    const { log } = await open();
    const published = [];
    for (let i = 0; i < 7; i++) {
      const note = await log.createNote({ title: `Published ${i}`, body: 'x' });
      await log.publish(note.id);
      published.push(note);
    }
    for (const gone of published.slice(0, 3)) await log.delete(gone.id);
    await log.createNote({ title: 'Draft A', body: '' });
    await log.createNote({ title: 'Draft B', body: '' });
    const whole = log.summaries();
    const page = log.summaryPage(2, 1);
    assert.deepEqual(page.totals, { published: 4, drafts: 2, deleted: 3, invalid: 0 });
    const titles = (list: typeof whole, state: 'draft' | 'published') => list.entries.filter((e) => e.state === state).map((e) => e.title);
    assert.deepEqual(titles(page, 'draft'), titles(whole, 'draft'), 'every draft');
    if (format === 'sharded') {
      assert.deepEqual(titles(page, 'published'), titles(whole, 'published').slice(0, 2), 'the newest published entries, in list order');
      assert.deepEqual(page.deleted.map((d) => d.id), [published[2]!.id], 'the newest tombstone');
    } else {
      assert.deepEqual(page.entries, whole.entries, 'a v1 space lists everything');
    }
    await log.close();
  });
}
