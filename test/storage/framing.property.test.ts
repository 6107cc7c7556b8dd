/**
 * Properties of the frame format under damage: truncation yields exactly a prefix, bit flips
 * yield only original records in original order; first on the pure scanner, then end to end
 * through FileLogStore on disk.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { memoryLogger } from '../../src/core/logger.js';
import { RECORD_FRAME_MAGIC } from '../../src/storage/constants.js';
import { crc32c } from '../../src/storage/crc32c.js';
import { encodeFrames, scanFrames } from '../../src/storage/framing.js';
import { FileLogStore } from '../../src/storage/index.js';
import { flipBit, makeTempDir } from '../helpers/storage.js';

const HEADER = 6;

const recordLists = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 25 });
const bitFlips = fc.array(fc.record({ at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }), { minLength: 1, maxLength: 8 });

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** Whether `found` is `originals` with some records left out, order kept. */
function isOrderedSubsequence(found: readonly Uint8Array[], originals: readonly Uint8Array[]): boolean {
  let next = 0;
  for (const record of found) {
    while (next < originals.length && !same(originals[next]!, record)) next++;
    if (next === originals.length) return false;
    next++;
  }
  return true;
}

/** How many whole frames fit in the first `length` bytes of the encoding of `records`. */
function wholeFrames(records: readonly Uint8Array[], length: number, start = 0): number {
  let end = start;
  let count = 0;
  for (const record of records) {
    end += 10 + record.length;
    if (end > length) break;
    count++;
  }
  return count;
}

describe('crc32c', () => {
  it('matches the published check value and chains across buffers', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(Buffer.from('6789'), crc32c(Buffer.from('12345'))), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(0)), 0);
  });
});

describe('frame scanning (pure)', () => {
  it('round-trips any list of records', () => {
    fc.assert(fc.property(recordLists, (records) => {
      const scan = scanFrames(encodeFrames(records, RECORD_FRAME_MAGIC), 0, RECORD_FRAME_MAGIC);
      assert.deepEqual(scan.records.map((r) => Buffer.from(r)), records.map((r) => Buffer.from(r)));
      assert.equal(scan.tornTail, undefined);
      assert.deepEqual(scan.damaged, []);
    }));
  });

  it('truncated anywhere, yields exactly the records whose frames are whole', () => {
    fc.assert(fc.property(recordLists, fc.double({ min: 0, max: 1, noNaN: true }), (records, fraction) => {
      const encoded = encodeFrames(records, RECORD_FRAME_MAGIC);
      const cut = Math.floor(encoded.length * fraction);
      const scan = scanFrames(encoded.subarray(0, cut), 0, RECORD_FRAME_MAGIC);
      const expected = records.slice(0, wholeFrames(records, cut));
      assert.deepEqual(scan.records.map((r) => Buffer.from(r)), expected.map((r) => Buffer.from(r)));
      assert.deepEqual(scan.damaged, []);
    }), { numRuns: 500 });
  });

  it('with bits flipped anywhere, yields only original records in their original order', () => {
    fc.assert(fc.property(recordLists, bitFlips, (records, flips) => {
      const encoded = encodeFrames(records, RECORD_FRAME_MAGIC);
      fc.pre(encoded.length > 0);
      for (const { at, bit } of flips) flipBit(encoded, at % encoded.length, bit);
      const scan = scanFrames(encoded, 0, RECORD_FRAME_MAGIC);
      assert.ok(isOrderedSubsequence(scan.records, records));
    }), { numRuns: 1000 });
  });

  it('with bits flipped and then truncated, still yields only original records in order', () => {
    fc.assert(fc.property(recordLists, bitFlips, fc.double({ min: 0, max: 1, noNaN: true }), (records, flips, fraction) => {
      const encoded = encodeFrames(records, RECORD_FRAME_MAGIC);
      fc.pre(encoded.length > 0);
      for (const { at, bit } of flips) flipBit(encoded, at % encoded.length, bit);
      const scan = scanFrames(encoded.subarray(0, Math.floor(encoded.length * fraction)), 0, RECORD_FRAME_MAGIC);
      assert.ok(isOrderedSubsequence(scan.records, records));
    }), { numRuns: 500 });
  });

  it('never trusts a length field beyond the cap', () => {
    const encoded = encodeFrames([new Uint8Array(100)], RECORD_FRAME_MAGIC);
    assert.equal(scanFrames(encoded, 0, RECORD_FRAME_MAGIC, 99).records.length, 0);
  });
});

type Damage = { readonly kind: 'truncate'; readonly fraction: number } | { readonly kind: 'flip'; readonly flips: { at: number; bit: number }[] };

const damages: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('flip' as const), flips: bitFlips }),
);

describe('FileLogStore on a damaged log (on disk)', () => {
  it('opens with only original records in order, a prefix after truncation, or refuses a damaged header', async () => {
    const batches = fc.array(fc.array(fc.uint8Array({ minLength: 1, maxLength: 200 }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 });
    await fc.assert(fc.asyncProperty(batches, damages, async (appends, damage) => {
      const dir = await makeTempDir('prop');
      try {
        const first = await FileLogStore.open(dir.path, { logger: memoryLogger() });
        await Promise.all(appends.map((records) => first.append(records)));
        await first.close();
        const records = appends.flat();

        const file = join(dir.path, 'log');
        const bytes = await readFile(file);
        let touchedHeader: boolean;
        let damaged: Buffer;
        if (damage.kind === 'truncate') {
          const cut = Math.floor(bytes.length * damage.fraction);
          damaged = bytes.subarray(0, cut);
          touchedHeader = cut > 0 && cut < HEADER;
        } else {
          damaged = Buffer.from(bytes);
          const positions = damage.flips.map(({ at }) => at % bytes.length);
          damage.flips.forEach(({ bit }, i) => flipBit(damaged, positions[i]!, bit));
          touchedHeader = positions.some((at) => at < HEADER);
        }
        await writeFile(file, damaged);

        let store: FileLogStore;
        try {
          store = await FileLogStore.open(dir.path, { logger: memoryLogger() });
        } catch (err) {
          assert.ok(touchedHeader && (err as Error).name === 'StoreReadError', `unexpected ${String(err)}`);
          assert.ok((await readFile(file)).equals(damaged), 'a refused file is left untouched');
          return;
        }
        const loaded = await store.load();
        await store.close();
        assert.ok(isOrderedSubsequence(loaded.records, records));
        if (damage.kind === 'truncate') {
          const expected = records.slice(0, wholeFrames(records, damaged.length, HEADER));
          assert.deepEqual(loaded.records.map((r) => Buffer.from(r)), expected.map((r) => Buffer.from(r)));
          assert.ok(loaded.problems.every((p) => p.kind === 'torn-tail'));
        }
        // Whatever was repaired is repaired for good: the next open is clean and agrees.
        const again = await FileLogStore.open(dir.path, { logger: memoryLogger() });
        const reloaded = await again.load();
        await again.close();
        assert.deepEqual(reloaded.problems, []);
        assert.deepEqual(reloaded.records.map((r) => Buffer.from(r)), loaded.records.map((r) => Buffer.from(r)));
      } finally {
        await dir.remove();
      }
    }), { numRuns: 60 });
  });
});
