import assert from 'node:assert/strict';
import * as A from '@automerge/automerge';
import { test } from 'node:test';
import { changeReadiness } from '../../src/core/change-deps.js';

test('a change is ready when its dependencies are here, known when it is, waiting otherwise; garbage throws', () => {
  let source = A.change(A.init<{ n?: number }>(), (d) => void (d.n = 0));
  const first = A.getLastLocalChange(source)!;
  source = A.change(source, (d) => void (d.n = 1));
  const second = A.getLastLocalChange(source)!;

  const empty = A.init<{ n?: number }>();
  assert.equal(changeReadiness(empty, first), 'ready');
  assert.equal(changeReadiness(empty, second), 'waiting');
  const [withFirst] = A.applyChanges(empty, [first]);
  assert.equal(changeReadiness(withFirst, first), 'known');
  assert.equal(changeReadiness(withFirst, second), 'ready');
  assert.throws(() => changeReadiness(withFirst, Uint8Array.from([1, 2, 3])), { name: 'InvalidPeerDataError' });
});

test('a change whose bytes were altered fails its checksum, wherever the damage is', () => {
  const doc = A.change(A.init<{ text?: string }>(), (d) => void (d.text = 'a few words to carry'));
  const change = A.getLastLocalChange(doc)!;
  let refused = 0;
  for (let at = 8; at < change.length; at++) {
    const damaged = change.slice();
    damaged[at] = damaged[at]! ^ 0x10;
    try {
      changeReadiness(A.init(), damaged);
    } catch (err) {
      assert.equal((err as Error).name, 'InvalidPeerDataError');
      refused++;
    }
  }
  assert.equal(refused, change.length - 8, 'every single-byte alteration after the checksum is refused');
});

