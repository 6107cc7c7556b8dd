/**
 * The private network's cipher (xsalsa20 via @libp2p/pnet) must survive large writes followed by
 * ordinary traffic; unpatched, the sequence below crashes after ~1,000 small updates with
 * "WebAssembly.Memory.grow(): Maximum memory size exceeded" (see src/net/pnet-cipher.ts).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import XSalsa20 from 'xsalsa20';
import { CIPHER_SLICE_BYTES } from '../../src/net/pnet-cipher.js';

const key = new Uint8Array(randomBytes(32));
const nonce = () => new Uint8Array(randomBytes(24));

test('a large update followed by traffic on two streams never runs the cipher out of memory', () => {
  const a = new XSalsa20(nonce(), key);
  const b = new XSalsa20(nonce(), key);
  a.update(new Uint8Array(1024 * 1024)); // one write of a big note
  const huge = new XSalsa20(nonce(), key).update(new Uint8Array(70 * 1024 * 1024)); // over the 64 MiB memory cap
  assert.equal(huge.length, 70 * 1024 * 1024);
  for (let i = 0; i < 5_000; i++) (i % 2 ? a : b).update(new Uint8Array(100));
});

test('slicing gives the same bytes as the library fed piece by piece, and decrypts back', () => {
  const n = nonce();
  const plain = new Uint8Array(randomBytes(3 * CIPHER_SLICE_BYTES + 17));
  const whole = new XSalsa20(n, key).update(plain);

  const pieces = new XSalsa20(n, key);
  const byPieces = new Uint8Array(plain.length);
  for (let at = 0; at < plain.length; ) {
    const size = Math.min(1 + Math.floor(Math.random() * 5000), plain.length - at);
    byPieces.set(pieces.update(plain.subarray(at, at + size)), at);
    at += size;
  }
  assert.deepEqual(whole, byPieces);
  assert.deepEqual(new XSalsa20(n, key).update(whole), plain);
  assert.notDeepEqual(whole.subarray(0, 64), plain.subarray(0, 64));
});
