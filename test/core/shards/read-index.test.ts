import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IndexFormatError } from '../../../src/core/shards/errors.js';
import { compareRows, decodeRow, encodeRow, type IndexRow } from '../../../src/core/shards/index-rows.js';
import { decodeUpdate, encodeUpdate, listClassOf, ReadIndex, type ListClass } from '../../../src/core/shards/read-index.js';
import type { ShardId } from '../../../src/core/shards/shard-layout.js';

const actor = 'ab'.repeat(16);
const row = (id: string, updatedAt: number, title = `title ${id.slice(0, 6)}`, state: IndexRow['state'] = 'published'): IndexRow => ({
  id, kind: 'note', state, updatedAt, author: 'Ann', title, obj: `${updatedAt % 97 + 1}@${actor}`,
});
const id = (prefix: string, n: number) => prefix + n.toString(16).padStart(32 - prefix.length, '0');
const state = (size: number) => ({ size, mtimeMs: 1000 + size, heads: ['h'.repeat(64)] });

function indexWith(rows: IndexRow[]): ReadIndex {
  const index = ReadIndex.empty();
  const byShard = new Map<string, IndexRow[]>();
  for (const r of rows) byShard.set(r.id.slice(0, 3), [...(byShard.get(r.id.slice(0, 3)) ?? []), r]);
  for (const [shard, rs] of byShard) index.apply({ shard: shard as ShardId, state: state(rs.length), rows: rs, replace: true });
  return ReadIndex.parse(index.encode());
}

describe('index rows', () => {
  it('round-trip through a line, tabs, newlines and backslashes in titles included', () => {
    const r = { ...row(id('a', 1), 5), title: 'a\tb\nc\\d\re', author: 'x\ty' };
    assert.deepEqual(decodeRow(encodeRow(r)), r);
  });
  it('refuse a line that is not a row', () => {
    assert.throws(() => decodeRow('abc\tn'), IndexFormatError);
    assert.throws(() => decodeRow('abc\tq\tp\t1\ta\t\tt'), IndexFormatError);
  });
});

describe('ReadIndex', () => {
  const rows = Array.from({ length: 300 }, (_, k) => row(id('0123456789abcdef'[k % 16]! + 'a', k), 1_700_000_000_000 + k * 1000));

  it('stores rows newest first, so the first screen is the first bytes of the file', () => {
    const bytes = indexWith(rows).encode();
    const first = ReadIndex.firstRows(bytes.subarray(0, 2048), 10);
    assert.deepEqual(first.map((r) => r.id), [...rows].sort(compareRows).slice(0, 10).map((r) => r.id));
    assert.equal(first[0]!.updatedAt, 1_700_000_000_000 + 299 * 1000);
  });

  it('gives back every row and the shard table after encode and parse, objects expanded', () => {
    const index = indexWith(rows);
    assert.deepEqual([...index.rows()], [...rows].sort(compareRows));
    assert.equal(index.baseRowCount, 300);
    assert.equal(index.shard('ccc' as ShardId), undefined);
    assert.equal(index.shard('0a0' as ShardId)?.size, 19);
    assert.equal(index.shards().size, 16);
  });

  it('merges changed rows into the list order and hides replaced ones', () => {
    const index = indexWith(rows);
    const changed = { ...rows[5]!, updatedAt: 1_800_000_000_000, title: 'newest' };
    index.apply({ shard: changed.id.slice(0, 3) as ShardId, state: state(99), rows: [changed], replace: false });
    const list = [...index.rows()];
    assert.equal(list.length, 300);
    assert.equal(list[0]!.title, 'newest');
    assert.equal(list.filter((r) => r.id === changed.id).length, 1);
    assert.deepEqual(index.shard(changed.id.slice(0, 3) as ShardId), state(99));
    assert.equal(index.page(3)[0]!.title, 'newest');
  });

  it('replacing a shard drops its rows that are gone and keeps the other shards', () => {
    const index = indexWith(rows);
    const shard = rows[0]!.id.slice(0, 3) as ShardId;
    const before = index.shardRows(shard);
    assert.ok(before.length > 2);
    index.apply({ shard, state: state(1), rows: [before[0]!], replace: true });
    assert.deepEqual(index.shardRows(shard).map((r) => r.id), [before[0]!.id]);
    assert.equal([...index.rows()].length, 300 - before.length + 1);
    const again = ReadIndex.parse(index.encode());
    assert.equal([...again.rows()].length, 300 - before.length + 1);
  });

  it('a changed row replaces its base row even when its key had to be escaped', () => {
    const odd = { ...row('abc/\tkey\\', 5), state: 'invalid' as const };
    const index = indexWith([odd, row(id('abc', 1), 6)]);
    index.apply({ shard: 'abc' as ShardId, state: state(3), rows: [{ ...odd, title: 'still invalid' }], replace: false });
    assert.deepEqual([...index.rows()].map((r) => r.title), [`title ${id('abc', 1).slice(0, 6)}`, 'still invalid']);
  });

  it('counts each list class and lists one class without decoding the others, base and changed rows alike', () => {
    // A mix: published, tombstones, invalid rows (a bad state, no known kind, a key that is no entry id, an escaped key).
    const mixed: IndexRow[] = rows.map((r, k) =>
      k % 10 === 3 ? { ...r, state: 'deleted' } : k % 25 === 7 ? { ...r, state: 'invalid', title: 'bad' } : k % 40 === 11 ? { ...r, kind: '' } : r,
    );
    const built = indexWith(mixed);
    // Keys that are no entry id (one escaped in the file), written into a shard by a peer.
    built.apply({ shard: '000' as ShardId, state: state(9), rows: [{ ...row('zz\tnot-an-id', 5), state: 'invalid', kind: '' }, row(id('A', 1), 6)], replace: false });
    const index = ReadIndex.parse(built.encode());
    // Changes since the base: a published row deleted, a tombstone restored, a new row, a new invalid one.
    const changed: IndexRow[] = [
      { ...mixed[0]!, state: 'deleted', updatedAt: 1_800_000_000_000 },
      { ...mixed[3]!, state: 'published', updatedAt: 1_800_000_000_001 },
      row(id('5a', 9999), 1_800_000_000_002),
      { ...row(id('5a', 9998), 1_800_000_000_003), kind: '' },
    ];
    for (const r of changed) index.apply({ shard: r.id.slice(0, 3) as ShardId, state: state(1), rows: [r], replace: false });
    const all = [...index.rows()];
    for (const c of ['published', 'deleted', 'invalid'] as ListClass[]) {
      const expected = all.filter((r) => listClassOf(r) === c);
      assert.deepEqual([...index.rows((rc) => rc === c)], expected, `${c}: the same rows, in list order`);
      assert.equal(index.listCounts()[c], expected.length, `${c}: counted`);
    }
    assert.ok(index.listCounts().deleted > 0 && index.listCounts().invalid > 4);
    index.apply({ shard: changed[2]!.id.slice(0, 3) as ShardId, state: state(2), rows: [{ ...changed[2]!, state: 'deleted' }], replace: false });
    index.apply({ shard: mixed[5]!.id.slice(0, 3) as ShardId, state: state(3), rows: [{ ...mixed[5]!, state: 'deleted' }], replace: false }); // a base row
    for (const c of ['published', 'deleted', 'invalid'] as ListClass[]) {
      assert.equal(index.listCounts()[c], [...index.rows()].filter((r) => listClassOf(r) === c).length, `${c}: counts follow later changes`);
    }
  });

  it('journal records round-trip', () => {
    const update = { shard: 'abc' as ShardId, state: state(7), rows: [row(id('abc', 1), 9)], replace: true };
    assert.deepEqual(decodeUpdate(encodeUpdate(update)), update);
    assert.throws(() => decodeUpdate('{"s":"zz"}'), IndexFormatError);
    assert.throws(() => decodeUpdate('not json'), IndexFormatError);
  });

  it('refuses a file that is not an index', () => {
    assert.throws(() => ReadIndex.parse(Buffer.from('hello\n')), IndexFormatError);
    assert.throws(() => ReadIndex.parse(Buffer.from('SNIDX 1 3\nonly one\n')), IndexFormatError);
  });
});
