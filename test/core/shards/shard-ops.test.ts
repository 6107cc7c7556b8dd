import * as A from '@automerge/automerge';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeviceId, EntryId } from '../../../src/core/ids.js';
import { emptyShard, type ShardDoc } from '../../../src/core/shards/shard-layout.js';
import { writeFields, writePublished } from '../../../src/core/shards/shard-ops.js';
import { singleSplice } from '../../../src/core/text-diff.js';

const id = `abc${'0'.repeat(29)}` as EntryId;
function withBody(body: string): A.Doc<ShardDoc> {
  return A.change(emptyShard('ab'.repeat(16)), (d) =>
    writePublished(d, { id, kind: 'note', author: { name: 'A', device: 'd' as DeviceId }, createdAt: 1, updatedAt: 1, fields: { title: 'T', body } }),
  );
}
const bodyOf = (doc: A.Doc<ShardDoc>): string => (doc.e[id] as Record<string, unknown>).body as string;

describe('writeFields', () => {
  it('writes any new text exactly (one splice or a diff), emoji and combining marks included', () => {
    const pieces = fc.constantFrom('a', 'b', ' ', '\n', 'é', 'e\u0301', '😀', '👩‍👩‍👧', '# ', '- ');
    const text = fc.array(pieces, { maxLength: 30 }).map((p) => p.join(''));
    fc.assert(
      fc.property(text, text, (before, after) => {
        const doc = A.change(withBody(before), (d) => writeFields(d, id, { body: after }, 2));
        assert.equal(bodyOf(doc), after);
      }),
      { numRuns: 150 },
    );
  });

  it('finds one splice only for an insertion or a deletion in one place', () => {
    assert.deepEqual(singleSplice('hello world', 'hello big world'), { at: 6, del: 0, ins: 'big ' });
    assert.deepEqual(singleSplice('hello big world', 'hello world'), { at: 6, del: 4, ins: '' });
    assert.equal(singleSplice('hello world', 'jello worlds'), undefined);
    assert.equal(singleSplice('abc', 'xbz'), undefined);
    assert.deepEqual(singleSplice('a😀b', 'a😀😀b'), { at: 3, del: 0, ins: '😀' });
  });

  it('an edit written as one splice merges with a concurrent edit like the diff would', () => {
    const base = withBody('one two three');
    const mine = A.change(A.clone(base, { actor: 'cc'.repeat(16) }), (d) => writeFields(d, id, { body: 'one two and a half three' }, 2));
    const theirs = A.change(A.clone(base, { actor: 'dd'.repeat(16) }), (d) => writeFields(d, id, { body: 'zero one two three' }, 3));
    assert.equal(bodyOf(A.merge(mine, theirs)), 'zero one two and a half three');
  });
});
