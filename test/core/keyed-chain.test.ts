import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedChain } from '../../src/core/keyed-chain.js';

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('one key runs in call order, a failure does not stop the next; keys do not wait for each other; idle waits for all', async () => {
  const chain = new KeyedChain<string>();
  const seen: string[] = [];
  let started = false;
  const first = chain.run('a', async () => {
    started = true;
    await later(30);
    seen.push('a1');
    throw new Error('a1 failed');
  });
  assert.equal(started, false, 'a step never runs inside the call that queued it');
  const second = chain.run('a', async () => void seen.push('a2'));
  const other = chain.run('b', async () => void seen.push('b1'));
  assert.equal(chain.busy('a'), true);
  await assert.rejects(first, /a1 failed/);
  await second;
  await other;
  assert.deepEqual(seen, ['b1', 'a1', 'a2']);
  await chain.idle();
  assert.equal(chain.busy('a'), false, 'a key with nothing in flight is forgotten');
  assert.equal(chain.busy('b'), false);
});
