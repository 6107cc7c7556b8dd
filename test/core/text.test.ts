import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_DISPLAY_NAME, displayNameOr } from '../../src/core/display-name.js';
import { titleOf, tombstoneTitle, type Entry, type Tombstone } from '../../src/core/entry.js';
import type { DeviceId, EntryId } from '../../src/core/ids.js';
import { problemText, shortId, shortPeerId } from '../../src/core/text.js';

const author = { name: 'Ann', device: 'dev-ann' as DeviceId };
const id = '3fa2c1d0aabbccddeeff00112233aabb' as EntryId;

describe('the texts both front ends share', () => {
  it('an entry title: a note\'s title, a recipe\'s name, what a tombstone kept', () => {
    const base = { id, author, createdAt: 1, updatedAt: 1, state: 'published' as const };
    assert.equal(titleOf({ ...base, kind: 'note', title: 'Soup', body: '' } as Entry), 'Soup');
    assert.equal(titleOf({ ...base, kind: 'recipe', name: 'Bread', ingredients: '', instructions: '' } as Entry), 'Bread');
    const tomb = (kind: 'note' | 'recipe', fields?: Record<string, string>): Tombstone => ({ id, kind, deletedAt: 2, deletedBy: author, ...(fields ? { fields } : {}) });
    assert.equal(tombstoneTitle(tomb('note', { title: 'Soup', body: 'x' })), 'Soup');
    assert.equal(tombstoneTitle(tomb('recipe', { name: 'Bread', ingredients: '' })), 'Bread');
    assert.equal(tombstoneTitle(tomb('note')), undefined, 'an old tombstone kept no content');
  });

  it('short ids: 8 hex digits of an entry, device or space id; the tail of a peer id', () => {
    assert.equal(shortId(id), '3fa2c1d0');
    assert.equal(shortPeerId('12D3KooWAbCdEfGhIjKlMnOp'), '…IjKlMnOp');
    assert.equal(shortPeerId('short'), 'short');
  });

  it('a recovery problem in one line, naming where the damaged file is kept once', () => {
    const p = { kind: 'corrupt-record' as const, file: '/d/log', detail: 'damage at byte 40', movedTo: '/d/log.corrupt-1' };
    assert.equal(problemText(p), 'corrupt-record in /d/log: damage at byte 40 (the damaged file is kept as /d/log.corrupt-1)');
    assert.equal(problemText({ ...p, detail: 'moved to /d/log.corrupt-1' }), 'corrupt-record in /d/log: moved to /d/log.corrupt-1');
    assert.equal(problemText({ kind: 'torn-tail', file: '/d/log', detail: 'dropped 3 bytes' }), 'torn-tail in /d/log: dropped 3 bytes');
  });

  it('the default display name: the first readable candidate, else Anonymous', () => {
    assert.equal(displayNameOr(undefined, '  ', 'Ann'), 'Ann');
    assert.equal(displayNameOr(' Bob\n', 'Ann'), 'Bob');
    assert.equal(displayNameOr('\u202E', ''), DEFAULT_DISPLAY_NAME);
    assert.equal(displayNameOr(), DEFAULT_DISPLAY_NAME);
  });
});
