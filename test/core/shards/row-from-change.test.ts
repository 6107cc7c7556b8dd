import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeviceId, EntryId } from '../../../src/core/ids.js';
import { compareRows } from '../../../src/core/shards/index-rows.js';
import { ReadIndex } from '../../../src/core/shards/read-index.js';
import { rowsFromChange } from '../../../src/core/shards/row-from-change.js';
import { rowsOfShard } from '../../../src/core/shards/shard-doc.js';
import { emptyShard, type ShardDoc, type ShardId } from '../../../src/core/shards/shard-layout.js';
import { writeDeleted, writeFields, writePublished } from '../../../src/core/shards/shard-ops.js';

const shard = 'abc' as ShardId;
const ann = { name: 'Ann', device: 'dev-ann' as DeviceId };
const idN = (n: number) => `abc${n.toString(16).padStart(29, '0')}` as EntryId;

/** A shard written by one device, and an index kept current only from decoded changes. */
function setup() {
  let doc = emptyShard('aa'.repeat(16));
  const index = ReadIndex.empty();
  let heads = A.getHeads(doc);
  const step = (fn: (d: ShardDoc) => void) => {
    doc = A.change(doc, { message: 'op', time: 1 }, fn);
    const change = A.getLastLocalChange(doc)!;
    const result = rowsFromChange(shard, change, heads, () => index.shardRows(shard));
    if (result.kind === 'rows') {
      index.apply({ shard, state: { size: 0, mtimeMs: 0, heads: result.heads }, rows: result.rows, replace: false });
      heads = result.heads;
    }
    return { result, change };
  };
  const expected = () => rowsOfShard(shard, doc).sort(compareRows);
  const indexed = () => index.shardRows(shard).sort(compareRows);
  return { step, expected, indexed, doc: () => doc };
}

const publish = (n: number, kind: 'note' | 'recipe' = 'note') => (d: ShardDoc) =>
  writePublished(d, {
    id: idN(n), kind, author: ann, createdAt: 1000 + n, updatedAt: 1000 + n,
    fields: kind === 'note' ? { title: `Note ${n}`, body: `Some *markdown* body ${n}\n\n- a\n- b` } : { name: `Soup ${n}`, ingredients: 'water\nsalt', instructions: 'boil' },
  });

describe('rows from a decoded change (no shard load)', () => {
  it('agree with a full read of the shard after publishes, edits and a delete', () => {
    const s = setup();
    for (const [n, kind] of [[1, 'note'], [2, 'recipe'], [3, 'note']] as const) assert.equal(s.step(publish(n, kind)).result.kind, 'rows');
    assert.equal(s.step((d) => writeFields(d, idN(1), { body: 'Some changed body', title: 'Renamed' }, 5000)).result.kind, 'rows');
    assert.equal(s.step((d) => writeFields(d, idN(2), { instructions: 'boil slowly', name: 'Soup!' }, 5001)).result.kind, 'rows');
    assert.equal(s.step((d) => writeFields(d, idN(3), { body: 'only the body' }, 5002)).result.kind, 'rows');
    assert.equal(s.step((d) => writeDeleted(d, idN(3), { name: 'Bob', device: 'dev-bob' as DeviceId }, 6000)).result.kind, 'rows');
    assert.deepEqual(s.indexed(), s.expected());
    const deleted = s.indexed().find((r) => r.id === idN(3))!;
    assert.deepEqual([deleted.state, deleted.author, deleted.updatedAt, deleted.title], ['deleted', 'Bob', 6000, 'Note 3']);
    assert.equal(s.indexed().find((r) => r.id === idN(1))!.title, 'Renamed');
  });

  it('say the change is known when the indexed heads hold it', () => {
    let doc = emptyShard('aa'.repeat(16));
    doc = A.change(doc, publish(1));
    const change = A.getLastLocalChange(doc)!;
    assert.equal(rowsFromChange(shard, change, A.getHeads(doc), () => []).kind, 'known');
  });

  it('ask for a load when the change is concurrent with what the index holds', () => {
    const base = A.change(emptyShard('aa'.repeat(16)), publish(1));
    const other = A.change(A.clone(base, { actor: 'bb'.repeat(16) }), (d) => writeFields(d, idN(1), { title: 'B' }, 7));
    const mine = A.change(base, (d) => writeFields(d, idN(1), { title: 'A' }, 8));
    const result = rowsFromChange(shard, A.getLastLocalChange(other)!, A.getHeads(mine), () => rowsOfShard(shard, mine));
    assert.equal(result.kind, 'load');
  });

  it('ask for a load for what the product does not write, and never trust the op record', () => {
    const s = setup();
    s.step(publish(1));
    // A map operation on an object the index cannot place (the author map of an existing entry).
    assert.equal(s.step((d) => { (d.e[idN(1)]!.author as Record<string, unknown>).name = new A.ImmutableString('Mallory'); }).result.kind, 'load');
  });

  it('ask for a load for an entry key outside the shard or a removed entry', () => {
    const s = setup();
    assert.equal(s.step((d) => { d.e['fff00000000000000000000000000000'] = { kind: new A.ImmutableString('note') }; }).result.kind, 'load');
    const t = setup();
    t.step(publish(1));
    assert.equal(t.step((d) => { delete d.e[idN(1)]; }).result.kind, 'load');
  });

  it('ask for a load for a new entry that misses a field (the full read says why it is invalid)', () => {
    const s = setup();
    assert.equal(s.step((d) => { d.e[idN(9)] = { kind: new A.ImmutableString('note'), title: new A.ImmutableString('x') }; }).result.kind, 'load');
  });
});
