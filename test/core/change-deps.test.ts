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
