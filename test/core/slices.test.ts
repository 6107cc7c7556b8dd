import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Slicer, sortInSlices } from '../../src/core/slices.js';

describe('sortInSlices', () => {
  it('sorts as Array.prototype.sort does (stable), whatever the slices', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 9_000 }), async (keys) => {
        const items = keys.map((key, at) => ({ key, at }));
        const compare = (a: { key: number }, b: { key: number }) => a.key - b.key;
        const sorted = await sortInSlices(items, compare, new Slicer(1), () => true);
        assert.deepEqual(sorted, [...items].sort(compare));
      }),
      { numRuns: 25 },
    );
  });

  it('yields to the event loop between slices, and stops when the work is abandoned', async () => {
    const items = Array.from({ length: 20_000 }, (_, i) => (i * 7919) % 20_000);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    const sorted = await sortInSlices(items, (a, b) => a - b, new Slicer(0), () => true);
    clearInterval(ticker);
    assert.deepEqual(sorted, [...items].sort((a, b) => a - b));
    assert.ok(ticks > 0, 'timers ran while it sorted');
    let calls = 0;
    assert.equal(await sortInSlices(items, (a, b) => a - b, new Slicer(0), () => ++calls < 3), undefined);
  });
});
