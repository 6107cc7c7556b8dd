import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadShard, rowsOfShard } from '../../../src/core/shards/shard-doc.js';
import { emptyShard, type ShardId } from '../../../src/core/shards/shard-layout.js';

function twoChanges(): Uint8Array[] {
  let doc = emptyShard('cd'.repeat(16));
  const out: Uint8Array[] = [];
  for (const n of [1, 2]) {
    doc = A.change(doc, (d) => {
      d.e[`abc${String(n).padStart(29, '0')}`] = { n };
    });
    out.push(A.getLastLocalChange(doc)!);
  }
  return out;
}

describe('loadShard', () => {
  it('loads the genesis alone for a shard without chunks', () => {
    const { doc, bad } = loadShard([]);
    assert.equal(bad, 0);
    assert.deepEqual(Object.keys(doc.e), []);
  });

  it('keeps every chunk that is within the limits and loads, and counts the others', () => {
    const [c1, c2] = twoChanges();
    const garbage = Uint8Array.from([0x85, 0x6f, 0x4a, 0x83, 1, 2, 3, 4, 1, 200, 1, 2]); // Automerge magic, then nonsense
    const { doc, bad } = loadShard([c1!, garbage, c2!]);
    assert.equal(bad, 1);
    assert.equal(Object.keys(doc.e).length, 2);
  });

  it('drops a change whose dependency is missing, keeping the rest', () => {
    const [, c2] = twoChanges();
    const { doc, bad } = loadShard([c2!]);
    assert.equal(bad, 1);
    assert.deepEqual(Object.keys(doc.e), []);
  });

  it('reads keys that are not this shard\'s entry ids as invalid rows', () => {
    const doc = A.change(emptyShard(), (d) => {
      d.e['fff00000000000000000000000000000'] = { kind: new A.ImmutableString('note') };
    });
    const [row] = rowsOfShard('abc' as ShardId, doc);
    assert.equal(row?.state, 'invalid');
    assert.ok(row?.id.startsWith('abc/'), 'listed under the shard that holds it');
  });
});
