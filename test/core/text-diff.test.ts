import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyEdits, diffEdits, merge3 } from '../../src/core/text-diff.js';

describe('diffEdits: the smallest range edits between two texts', () => {
  it('touches only what changed, in several places when changes are apart', () => {
    assert.deepEqual(diffEdits('hello world', 'hello brave world'), [{ start: 6, end: 6, text: 'brave ' }]);
    assert.deepEqual(diffEdits('line one\nline two\n', 'line one B\nline two C\n'), [
      { start: 8, end: 8, text: ' B' },
      { start: 17, end: 17, text: ' C' },
    ]);
    assert.deepEqual(diffEdits('same', 'same'), []);
  });

  it('turns any text into any other (property), also past the distance limit', () => {
    const small = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '\n') });
    fc.assert(fc.property(small, small, (x, y) => applyEdits(x, diffEdits(x, y)) === y), { numRuns: 3000 });
    fc.assert(fc.property(fc.string(), fc.string(), (x, y) => applyEdits(x, diffEdits(x, y, 3)) === y), { numRuns: 1000 });
  });

  it('leaves text around a remote insertion alone (what keeps a cursor in place)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string({ minLength: 1 }), (before, after, inserted) => {
        const edits = diffEdits(before + after, before + inserted + after);
        const touched = edits.reduce((n, e) => n + (e.end - e.start), 0);
        return touched === 0 && edits.reduce((n, e) => n + e.text.length, 0) === inserted.length;
      }),
    );
  });
});

describe('merge3: both sides of a concurrent edit kept', () => {
  it('keeps edits of different lines and both insertions at one spot', () => {
    assert.equal(merge3('one\ntwo\n', 'one B\ntwo\n', 'one\ntwo C\n'), 'one B\ntwo C\n');
    assert.equal(merge3('one', 'one ', 'one '), 'one ', 'the same change seen twice');
    assert.equal(merge3('one', 'one ', 'one ', { keepIdentical: true }), 'one  ', 'two people typed a space');
    assert.equal(merge3('ab', 'aXb', 'aYb'), 'aYXb');
    assert.equal(merge3('same', 'same', 'theirs'), 'theirs');
    assert.equal(merge3('same', 'mine', 'same'), 'mine');
  });

  it('never loses a character nobody deleted, never brings back one somebody deleted (property)', () => {
    // Each character is unique, so where it went can be checked exactly.
    const text = (from: number) => fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 30 }).map((xs) => [...new Set(xs)].map((x) => String.fromCharCode(from + x)).join(''));
    const edit = (base: string, from: number) =>
      fc.tuple(fc.array(fc.boolean(), { minLength: base.length, maxLength: base.length }), text(from), fc.integer({ min: 0, max: base.length })).map(([keep, inserted, at]) => {
        const kept = [...base].filter((_, i) => keep[i]).join('');
        const pos = Math.min(at, kept.length);
        return kept.slice(0, pos) + inserted + kept.slice(pos);
      });
    const scenario = text(0x4e00).chain((base) => fc.tuple(fc.constant(base), edit(base, 0x3040), edit(base, 0x0400)));
    fc.assert(
      fc.property(scenario, ([base, mine, theirs]) => {
        const merged = merge3(base, mine, theirs);
        const has = new Set(merged);
        for (const ch of base) assert.equal(has.has(ch), mine.includes(ch) && theirs.includes(ch), `base character ${ch}`);
        for (const ch of mine) if (!base.includes(ch)) assert.ok(has.has(ch), `my insertion ${ch}`);
        for (const ch of theirs) if (!base.includes(ch)) assert.ok(has.has(ch), `their insertion ${ch}`);
        assert.equal(merged.length, has.size, 'nothing duplicated');
      }),
      { numRuns: 2000 },
    );
  });
});
