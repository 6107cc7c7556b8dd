import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SearchIndex } from '../../src/core/search-index.js';
import { findInText, fold, queryTerms, snippetOf } from '../../src/core/search-text.js';
import { exchange, memoryNoteLog } from '../helpers/core.js';

describe('search text folding', () => {
  it('ignores case and accents, and maps a match back to the original characters', () => {
    assert.equal(fold('Crème BRÛLÉE'), 'creme brulee');
    assert.deepEqual(queryTerms('  CRÈME   brûlée crème '), ['creme', 'brulee']);
    const text = 'Une crème brûlée, s’il vous plaît';
    const match = findInText(text, 'brulee');
    assert.ok(match);
    assert.equal(text.slice(match.start, match.end), 'brûlée');
    // A decomposed accent (e + U+0301) matches too, and the selection covers the mark.
    const decomposed = 'cafe\u0301 noir';
    const m2 = findInText(decomposed, fold('CAFÉ'));
    assert.ok(m2);
    assert.equal(decomposed.slice(m2.start, m2.end), 'cafe');
    assert.equal(fold('ΟΔΟΣ'), fold('οδος'), 'final sigma folds like sigma');
  });

  it('maps offsets exactly for any text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 40 }), (a, needle, b) => {
        const term = fold(needle);
        if (term.trim() === '' || term !== term.trim()) return;
        const match = findInText(a + needle + b, term);
        assert.ok(match, 'a text containing the needle matches it');
        assert.ok(fold((a + needle + b).slice(match.start, match.end)).includes(term), 'the mapped range folds to the term');
      }),
      { numRuns: 300 },
    );
  });

  it('makes a one-line snippet with the match marked and the cuts shown', () => {
    const text = `${'x'.repeat(100)}\nthe needle here\n${'y'.repeat(100)}`;
    const match = findInText(text, 'needle')!;
    const s = snippetOf(text, match, 10);
    assert.equal(s.text.slice(s.matchStart, s.matchEnd), 'needle');
    assert.ok(s.text.startsWith('…') && s.text.endsWith('…'));
    assert.ok(!s.text.includes('\n'));
  });
});

describe('SearchIndex', () => {
  it('finds entries by title, body, recipe fields and author, titles first', async () => {
    const { log } = await memoryNoteLog('Zoë');
    const soup = await log.createNote({ title: 'Winter soup', body: 'leeks and potatoes' });
    const pie = await log.createRecipe({ name: 'Apple pie', ingredients: 'apples, flour, butter', instructions: 'Bake until the SOUP-like filling sets' });
    const index = new SearchIndex(log);
    const r = index.search('soup');
    assert.equal(r.total, 2);
    assert.deepEqual(r.hits.map((h) => h.id), [soup.id, pie.id], 'a title match ranks first');
    assert.equal(r.hits[1]!.field, 'instructions');
    assert.equal(r.hits[1]!.snippet.text.slice(r.hits[1]!.snippet.matchStart, r.hits[1]!.snippet.matchEnd), 'SOUP');
    assert.equal(index.search('FLOUR').hits[0]?.field, 'ingredients');
    assert.equal(index.search('zoe').total, 2, 'authors, accent-insensitive');
    assert.equal(index.search('leeks winter').hits[0]?.id, soup.id, 'every term must match, in any field');
    assert.equal(index.search('leeks apples').total, 0);
    assert.equal(index.search('   ').total, 0);
    assert.equal(index.search('soup', { kind: 'recipe' }).total, 1);
    assert.equal(index.search('soup', { limit: 1 }).hits.length, 1);
    assert.equal(index.search('soup', { limit: 1 }).total, 2);
    assert.deepEqual(index.matchingIds('potatoes'), new Set([soup.id]));
  });

  it('stays current with local and remote changes without a rebuild', async () => {
    const { log: ann } = await memoryNoteLog('Ann', 'dev-ann');
    const { log: bob } = await memoryNoteLog('Bob', 'dev-bob');
    const index = new SearchIndex(ann);
    const note = await ann.createNote({ title: 'Shopping', body: 'milk' });
    index.warm();
    assert.equal(index.search('milk').total, 1);
    await ann.edit(note.id, { body: 'oat drink' });
    assert.equal(index.search('milk').total, 0, 'an edit is seen');
    assert.equal(index.search('oat').total, 1);
    await ann.publish(note.id);
    assert.equal(index.search('oat').hits[0]?.state, 'published', 'a publish is seen');
    const remote = await bob.createNote({ title: 'Garage sale', body: 'Saturday' });
    await bob.publish(remote.id);
    await exchange(ann, bob);
    assert.equal(index.search('saturday').hits[0]?.id, remote.id, 'a remote change is seen');
    // Newest first within a rank, kept in order as entries change (no re-sort).
    const older = await ann.createNote({ title: 'List one', body: 'groceries' });
    await new Promise((r) => setTimeout(r, 5));
    const newer = await ann.createNote({ title: 'List two', body: 'groceries' });
    assert.deepEqual(index.search('groceries').hits.map((h) => h.id), [newer.id, older.id]);
    await new Promise((r) => setTimeout(r, 5));
    await ann.edit(older.id, { body: 'groceries and more' });
    assert.deepEqual(index.search('groceries').hits.map((h) => h.id), [older.id, newer.id]);
    await ann.delete(older.id);
    await ann.delete(newer.id);
    await ann.delete(note.id);
    assert.equal(index.search('oat').total, 0, 'a delete is seen');
    assert.equal(index.size, 1);
    index.dispose();
  });
});
