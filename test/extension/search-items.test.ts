import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatEntryDocument } from '../../src/core/entry-markdown.js';
import { SearchIndex } from '../../src/core/search-index.js';
import { filterDescription, filteredList, searchItem, searchSummary, selectionOf } from '../../src/extension/search-items.js';
import { memoryNoteLog } from '../helpers/core.js';

describe('search items', () => {
  it('shows each hit with the match in context, and selects the match in the entry document', async () => {
    const { log } = await memoryNoteLog('Ann');
    const pie = await log.createRecipe({ name: 'Apple pie', ingredients: 'apples\n## Instructions\nflour, BUTTER', instructions: 'Bake; serve with butter' });
    const note = await log.createNote({ title: 'Crème brûlée', body: 'Torch the sugar.\nServe cold.' });
    const index = new SearchIndex(log);

    const [butter] = index.search('butter').hits;
    assert.ok(butter);
    const item = searchItem(butter, pie.updatedAt);
    assert.equal(item.label, '$(book) Apple pie');
    assert.match(item.description, /^draft · Ann · /);
    assert.equal(item.detail, 'ingredients: apples ## Instructions flour, «BUTTER»');
    const doc = formatEntryDocument(pie);
    const sel = selectionOf(butter, pie)!;
    assert.equal(doc.slice(sel.start, sel.end), 'BUTTER', 'the escaped heading line before it is counted');

    const [brulee] = index.search('BRULEE').hits;
    const titleSel = selectionOf(brulee!, note)!;
    assert.equal(formatEntryDocument(note).slice(titleSel.start, titleSel.end), 'brûlée');
    const [cold] = index.search('cold').hits;
    // The entry changed since the search: the match is found again in its new text.
    const edited = await log.edit(note.id, { body: 'New first line.\nServe cold.' });
    const moved = selectionOf(cold!, edited)!;
    assert.equal(formatEntryDocument(edited).slice(moved.start, moved.end), 'cold');
    assert.equal(selectionOf(index.search('ann').hits[0]!, note), undefined, 'an author match selects nothing');
  });

  it('summarises, filters the Notes list and describes the filter', async () => {
    assert.equal(searchSummary('', 0, 0), 'Type to search titles, text, recipes and authors');
    assert.equal(searchSummary('x', 0, 0), 'No entry matches "x"');
    assert.equal(searchSummary('x', 250, 100), '250 entries match (first 100 listed)');
    assert.equal(searchSummary('x', 1, 1), '1 entry matches');
    const { log } = await memoryNoteLog();
    const a = await log.createNote({ title: 'A', body: '' });
    await log.createNote({ title: 'B', body: '' });
    const list = log.summaries();
    assert.equal(filteredList(list, undefined), list);
    assert.deepEqual(filteredList(list, new Set([a.id])).entries.map((e) => e.id), [a.id]);
    assert.equal(filterDescription('soup', 1), 'filter "soup" · 1 match');
  });

  it('makes icon syntax and control characters inert in every part of a hit', async () => {
    const { log } = await memoryNoteLog('$(verified) Ann\u202E');
    await log.createNote({ title: '$(zap) Offer', body: 'before $(alert) the \x1b[2J needle $(bell) after' });
    const index = new SearchIndex(log);
    const [hit] = index.search('needle').hits;
    assert.ok(hit);
    const item = searchItem(hit, Date.now());
    assert.ok(item.label.startsWith('$(note) '), 'our own icon stays');
    assert.doesNotMatch(item.label.slice('$(note) '.length), /\$\(/);
    assert.doesNotMatch(item.description, /\$\(|\u202E/);
    assert.doesNotMatch(item.detail, /\$\(/);
    assert.ok(!item.detail.includes(String.fromCharCode(0x1b)), 'no ESC');
    assert.match(item.detail, /«needle»/);
  });
});
