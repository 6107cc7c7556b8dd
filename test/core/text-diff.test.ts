import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyEdits, diffEdits } from '../../src/core/text-diff.js';

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
