import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DecodedSizeError, measureChunks, type DecodedLimits } from '../../src/core/decoded-size.js';
import { CHANGE_LIMITS, measureSyncMessage } from '../../src/core/peer-input.js';
import { bombSnapshot, compressedTextChange } from '../chaos/crafted.js';

const open: DecodedLimits = { maxOps: 1e12, maxValueBytes: 1e12, maxChanges: 1e12, maxInflatedBytes: 1e12, documents: true };
type Doc = { s?: string; m?: Record<string, number> };

test('ops, value bytes and changes are counted exactly as Automerge decodes them', () => {
  let doc = A.from<Doc>({ s: 'x'.repeat(1000), m: { a: 1 } });
  doc = A.change(doc, (d) => {
    d.m!.b = 2;
    A.splice(d, ['s'], 10, 500, 'héllo');
  });
  for (const change of A.getAllChanges(doc)) {
    const size = measureChunks(change, open);
    assert.equal(size.ops, A.decodeChange(change).ops.length);
    assert.equal(size.changes, 1);
  }
  const saved = measureChunks(A.save(doc), open);
  assert.equal(saved.ops, A.stats(doc).numOps);
  assert.equal(saved.changes, A.stats(doc).numChanges);
  assert.ok(saved.inflatedBytes > 0, 'a saved document deflates its larger columns');
});

test('a deflate-compressed change is measured by what it inflates to, or refused outright', () => {
  const { plain, compressed } = compressedTextChange(200_000, 0xc1, 'space');
  assert.ok(compressed.byteLength < 2_000, `${compressed.byteLength} bytes on the wire`);
  assert.equal(A.decodeChange(compressed).hash, A.decodeChange(plain).hash, 'Automerge takes it as the same change');
  const size = measureChunks(compressed, open);
  assert.equal(size.ops, 200_001);
  assert.equal(size.valueBytes, 200_000);
  assert.throws(() => measureChunks(compressed, CHANGE_LIMITS), DecodedSizeError);
  assert.throws(() => measureChunks(compressed, { ...open, maxInflatedBytes: 10_000 }), DecodedSizeError);
  assert.throws(() => measureChunks(plain, { ...open, maxOps: 200_000 }), DecodedSizeError);
  assert.throws(() => measureChunks(plain, { ...open, maxValueBytes: 199_999 }), DecodedSizeError);
});

test('a 3 KB snapshot holding 2 million characters is over the limits before it is loaded', () => {
  const bomb = bombSnapshot(2_000_000, 'space');
  assert.ok(bomb.byteLength < 4_000);
  const size = measureChunks(bomb, open);
  assert.ok(size.valueBytes >= 2_000_000 && size.ops >= 2_000_000, `${size.ops} ops, ${size.valueBytes} value bytes`);
  assert.throws(() => measureChunks(bomb, { ...open, maxOps: 1_000_000 }), DecodedSizeError);
  assert.throws(() => measureChunks(bomb, { ...open, documents: false }), DecodedSizeError);
});

test('run-length headers claiming billions of rows, truncation and garbage are refused without allocating', () => {
  const change = A.getLastLocalChange(A.change(A.from<Doc>({}), (d) => void (d.m = { a: 1 })))!;
  for (let cut = 1; cut < change.byteLength; cut += 3) {
    assert.throws(() => measureChunks(change.subarray(0, cut), open), DecodedSizeError, `cut at ${cut}`);
  }
  assert.throws(() => measureChunks(new Uint8Array([1, 2, 3]), open), DecodedSizeError);
  assert.throws(() => measureChunks(new Uint8Array(), open), DecodedSizeError);
  // A forged action column: one run of 2^40 rows, in 7 bytes.
  const huge = Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x00]);
  const started = Date.now();
  assert.throws(() => measureChunks(forgeChange(huge), CHANGE_LIMITS), DecodedSizeError);
  assert.ok(Date.now() - started < 100);
});

test('a sync message is measured as a whole and sliced for applying', () => {
  let doc = A.from<Doc>({ s: '' });
  for (let i = 0; i < 20; i++) doc = A.change(doc, (d) => A.splice(d, ['s'], 0, 0, 'y'.repeat(100)));
  const [, message] = A.generateSyncMessage(doc, { ...A.decodeSyncState(A.encodeSyncState(A.initSyncState())) });
  assert.ok(message);
  const measured = measureSyncMessage(A.encodeSyncMessage({ ...A.decodeSyncMessage(message), changes: A.getAllChanges(doc) }), 'peer', 250);
  assert.equal(measured.size.changes, 21);
  assert.ok(measured.slices.length >= 8, `${measured.slices.length} slices of about 250 ops`);
  assert.throws(() => measureSyncMessage(new Uint8Array([0x42, 1, 2]), 'peer'), (err: Error) => err.name === 'InvalidPeerDataError');
});

/** A change chunk with one action column holding `column` (the checksum is not checked by measuring). */
function forgeChange(column: Uint8Array): Uint8Array {
  const actionSpec = (4 << 4) | 2;
  const body = [0, 1, 0xab, 1, 1, 0, 0, 0, 1, actionSpec, column.byteLength, ...column];
  return Uint8Array.from([0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 1, body.length, ...body]);
}
