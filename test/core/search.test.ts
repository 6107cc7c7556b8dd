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
    await index.warm();
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

  it('warms up in slices that yield to the event loop, seeing changes made meanwhile', async () => {
    const { log } = await memoryNoteLog('Ann');
    const made = await log.createDrafts(Array.from({ length: 120 }, (_, i) => ({ kind: 'note' as const, fields: { title: `Note ${i}`, body: i % 2 ? 'apples' : 'pears' } })));
    const published = await log.createNote({ title: 'Shared', body: 'apples too' });
    await log.publish(published.id);
    const index = new SearchIndex(log, { sliceMs: 0 }); // a yield after every entry
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    const warming = index.warm();
    await new Promise((r) => setTimeout(r, 5));
    // While it runs: an entry it has probably read already changes, and a new one appears.
    await log.edit(made[0]!.id, { body: 'apples now' });
    const late = await log.createNote({ title: 'Late', body: 'apples, late' });
    await warming;
    clearInterval(ticker);
    assert.ok(ticks >= 3, `the event loop ran during the warm-up (${ticks} ticks)`);
    assert.ok(index.longestSliceMs >= 0);
    const fresh = new SearchIndex(log); // one synchronous build, for comparison
    for (const q of ['apples', 'pears', 'note 1', 'late', 'shared']) {
      assert.deepEqual(index.search(q, { limit: 500 }).hits.map((h) => h.id), fresh.search(q, { limit: 500 }).hits.map((h) => h.id), `same answer for "${q}"`);
    }
    assert.equal(index.search('apples').total, 60 + 1 + 1 + 1);
    assert.ok(index.search('late').hits.some((h) => h.id === late.id));
    index.dispose();
    fresh.dispose();
  });

  it('answers a query during the warm-up at once, with every entry', async () => {
    const { log } = await memoryNoteLog('Ann');
    await log.createDrafts(Array.from({ length: 50 }, (_, i) => ({ kind: 'note' as const, fields: { title: `Note ${i}`, body: 'kiwi' } })));
    const index = new SearchIndex(log, { sliceMs: 0 });
    const warming = index.warm();
    assert.equal(index.search('kiwi').total, 50);
    await warming;
    assert.equal(index.search('kiwi').total, 50);
    index.dispose();
  });

  it('re-reads many stale entries (an import) in the background, in slices', async () => {
    const { log } = await memoryNoteLog('Ann');
    await log.createNote({ title: 'Before', body: 'plum' });
    const index = new SearchIndex(log, { sliceMs: 0 });
    await index.warm();
    const made = await log.createDrafts(Array.from({ length: 150 }, (_, i) => ({ kind: 'note' as const, fields: { title: `Imported ${i}`, body: 'plum' } })));
    await index.warm(); // resolves once the background re-read is done
    const fresh = new SearchIndex(log);
    assert.equal(index.search('plum').total, 151);
    assert.deepEqual(index.search('plum', { limit: 500 }).hits.map((h) => h.id), fresh.search('plum', { limit: 500 }).hits.map((h) => h.id));
    assert.ok(index.search('imported 149').hits.some((h) => h.id === made[149]!.id));
    index.dispose();
  });
});
