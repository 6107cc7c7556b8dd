import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EntrySummary } from '../../src/core/entry.js';
import type { EntryId } from '../../src/core/ids.js';
import { entriesMatching, PICK_MAX } from '../../src/extension/entry-picks.js';

const entry = (n: number, title: string, author = 'Ann'): EntrySummary => ({
  id: n.toString(16).padStart(32, '0') as EntryId, kind: 'note', state: 'published', title, author: { name: author }, updatedAt: 1_000_000 - n,
});

test('a pick in a big space lists the newest PICK_MAX, then the newest PICK_MAX matching every typed word in a title, author or id', () => {
  const entries = Array.from({ length: PICK_MAX * 3 }, (_, i) => entry(i, i % 2 === 0 ? `Soup no. ${i}` : `Bread no. ${i}`, i % 7 === 0 ? 'Bob' : 'Ann'));
  entries.push(entry(PICK_MAX * 3, 'Grandma’s Lentil Soup'));
  assert.deepEqual(entriesMatching(entries, ''), entries.slice(0, PICK_MAX), 'nothing typed: the newest, in list order');
  assert.deepEqual(entriesMatching(entries, '  LENTIL  soup').map((e) => e.title), ['Grandma’s Lentil Soup'], 'found however far down; any case; every word');
  const bobsBread = entriesMatching(entries, 'bread bob');
  assert.ok(bobsBread.length > 0 && bobsBread.every((e) => e.title.startsWith('Bread') && e.author.name === 'Bob'), 'words match across the title and the author');
  assert.equal(entriesMatching(entries, 'soup').length, PICK_MAX, 'at most PICK_MAX');
  assert.deepEqual(entriesMatching(entries, entries[42]!.id.slice(-6)).map((e) => e.id).includes(entries[42]!.id), true, 'by id');
});
