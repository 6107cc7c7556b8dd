import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EDITABLE_FIELDS } from '../../src/core/entry.js';
import { SHARD_LAYOUT, SPACE_LAYOUT, type EntryLayout } from '../../src/core/entry-layout.js';
import type { DeviceId, EntryId } from '../../src/core/ids.js';
import { genesisChange } from '../../src/core/replica.js';
import { emptyShard } from '../../src/core/shards/shard-layout.js';
import { containerOf, markDeleted, storedEntry, unmarkDeleted, writeFields } from '../../src/core/stored-entry.js';
import { competingValues, entryAt } from '../../src/core/versions.js';
import { InvalidInputError } from '../../src/core/errors.js';

const id = `abc${'1'.repeat(29)}` as EntryId;
const author = { name: 'Ann', device: 'd1' as DeviceId };
const kinds = EDITABLE_FIELDS.note;

const layouts: Array<{ layout: EntryLayout; fresh: (actor: string) => A.Doc<unknown> }> = [
  { layout: SPACE_LAYOUT, fresh: (actor) => A.applyChanges(A.init<unknown>({ actor }), [genesisChange()])[0] },
  { layout: SHARD_LAYOUT, fresh: (actor) => emptyShard(actor) as A.Doc<unknown> },
];

for (const { layout, fresh } of layouts) {
  describe(`the product's entry writes and version reads on the ${layout.name} layout`, () => {
    it('creates, edits, deletes and restores an entry; every version reads back; concurrent titles compete', () => {
      const empty = fresh('aa'.repeat(16));
      const a0 = A.change(empty, (d) => {
        containerOf(d, id, layout)[id] = storedEntry({ kind: 'note', title: 'Soup', body: 'one pot', author, createdAt: 1, updatedAt: 1, state: 'published' });
      });
      const created = A.getHeads(a0);
      const a1 = A.change(a0, (d) => writeFields(d, id, { names: ['body'], fields: { body: 'one big pot' }, kinds, reference: { body: 'one pot' }, there: { body: 'one pot' }, at: 2 }, layout));
      assert.deepEqual(entryAt(a1, id, A.getHeads(a1), layout)?.fields, { title: 'Soup', body: 'one big pot' });
      assert.deepEqual(entryAt(a1, id, created, layout)?.fields, { title: 'Soup', body: 'one pot' }, 'the version before the edit');

      // A copy made at `created` edits the body while another edit landed: both edits are kept.
      const a2 = A.change(a1, (d) =>
        writeFields(d, id, { names: ['body'], fields: { body: 'one pot, salted' }, kinds, reference: { body: 'one pot' }, there: { body: 'one big pot' }, at: 3 }, layout),
      );
      assert.equal(entryAt(a2, id, A.getHeads(a2), layout)?.fields.body, 'one big pot, salted');

      // Two members retitle at once: both values stay, as competing values.
      let b = A.merge(fresh('bb'.repeat(16)), a2);
      b = A.change(b, (d) => writeFields(d, id, { names: ['title'], fields: { title: 'Stew' }, kinds, reference: {}, there: {}, at: 4 }, layout));
      const a3 = A.merge(A.change(a2, (d) => writeFields(d, id, { names: ['title'], fields: { title: 'Broth' }, kinds, reference: {}, there: {}, at: 4 }, layout)), b);
      assert.deepEqual(competingValues(a3, id, 'title', layout).map((v) => v.value).sort(), ['Broth', 'Stew']);

      const deleted = A.change(a3, (d) => markDeleted(d, id, author, 5, layout));
      assert.equal(entryAt(deleted, id, A.getHeads(deleted), layout)?.deleted, true);
      const restored = A.change(deleted, (d) => unmarkDeleted(d, id, kinds, { title: 'x', body: 'y' }, 6, layout));
      const back = entryAt(restored, id, A.getHeads(restored), layout);
      assert.equal(back?.deleted, false);
      assert.equal(back?.fields.body, 'one big pot, salted', 'the content behind the marker, not the fallback');
      assert.equal(entryAt(restored, id, A.getHeads(empty), layout), undefined, 'before the entry existed');
    });

    it('an edit of an entry the document does not hold is a clear error, not a crash', () => {
      const other = `abc${'2'.repeat(29)}` as EntryId;
      assert.throws(
        () => A.change(fresh('cc'.repeat(16)), (d) => writeFields(d, other, { names: ['body'], fields: { body: 'x' }, kinds, reference: {}, there: {}, at: 1 }, layout)),
        (err: unknown) => err instanceof InvalidInputError && /is not in the/.test(err.message),
      );
    });
  });
}

describe('the shard layout never makes its entry map', () => {
  it('a shard document without `e` (a peer removed it) is refused rather than given a second map', () => {
    const damaged = A.change(emptyShard('dd'.repeat(16)), (d) => {
      delete (d as { e?: unknown }).e;
    });
    assert.throws(() => A.change(damaged, (d) => containerOf(d, id, SHARD_LAYOUT)), /no map for entry/);
  });
});
