import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openBy, openKey, peerColor, presenceLabel, selectionRanges, withAlpha, type PresenceView } from '../../src/extension/presence-model.js';

const E1 = 'ab'.repeat(16);
const E2 = 'cd'.repeat(16);
const p = (peerId: string, entry: string, name?: string, selections: PresenceView['selections'] = []): PresenceView => ({
  peerId, entry, selections, ...(name !== undefined ? { name } : {}),
});

describe('presence in the editor', () => {
  it('gives each peer a stable colour from its id, and translucent variants', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `12D3KooW${i}xyz`);
    for (const id of ids) {
      assert.match(peerColor(id), /^#[0-9a-f]{6}$/);
      assert.equal(peerColor(id), peerColor(id));
    }
    assert.ok(new Set(ids.map(peerColor)).size > 3, 'peers get different colours');
    assert.equal(withAlpha('#e06c75', 0x40), '#e06c7540');
    assert.equal(withAlpha('#e06c75', 999), '#e06c75ff');
  });

  it('labels a peer with its hello name, else its short id', () => {
    assert.equal(presenceLabel({ peerId: '12D3KooWAbCdEfGhIjKlMnOp', name: 'Carol' }), 'Carol');
    assert.equal(presenceLabel({ peerId: '12D3KooWAbCdEfGhIjKlMnOp' }), '…IjKlMnOp');
  });

  it('says who has an entry open, each label once', () => {
    const list = [p('a', E1, 'Carol'), p('b', E2, 'Dan'), p('c', E1), p('d', E1, 'Carol')];
    assert.deepEqual(openBy(list, E1), ['Carol', 'c']);
    assert.deepEqual(openBy(list, E2), ['Dan']);
    assert.deepEqual(openBy(list, 'ef'.repeat(16)), []);
  });

  it('changes its tree key on open, close and rename, not on cursor moves', () => {
    const base = openKey([p('a', E1, 'Carol', [{ anchor: 1, active: 1 }])]);
    assert.equal(openKey([p('a', E1, 'Carol', [{ anchor: 5, active: 9 }])]), base);
    assert.notEqual(openKey([p('a', E2, 'Carol')]), base);
    assert.notEqual(openKey([p('a', E1, 'Caroline')]), base);
    assert.notEqual(openKey([]), base);
    assert.equal(openKey([p('a', E1), p('b', E2)]), openKey([p('b', E2), p('a', E1)]), 'order does not matter');
  });

  it('turns selections into cursors and highlighted ranges, clamped to the document', () => {
    assert.deepEqual(selectionRanges([{ anchor: 2, active: 2 }, { anchor: 9, active: 4 }, { anchor: 50, active: 80 }], 20), {
      cursors: [2, 4, 20],
      ranges: [[4, 9]],
    });
    assert.deepEqual(selectionRanges([{ anchor: 3, active: 30 }], 10), { cursors: [10], ranges: [[3, 10]] });
    assert.deepEqual(selectionRanges([], 10), { cursors: [], ranges: [] });
    assert.deepEqual(selectionRanges([{ anchor: 5, active: 5 }], 0), { cursors: [0], ranges: [] }, 'an empty document');
  });
});
