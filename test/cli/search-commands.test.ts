import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommand } from '../../src/cli/commands.js';
import { formatImport, formatSearch } from '../../src/cli/format-search.js';
import type { EntryId } from '../../src/core/ids.js';

describe('CLI search, export and import commands', () => {
  it('parses search text, and a folder as one word or in double quotes', () => {
    assert.deepEqual(parseCommand('search  crème brûlée '), { name: 'search', text: 'crème brûlée' });
    assert.deepEqual(parseCommand('export /tmp/out'), { name: 'export', dir: '/tmp/out', ids: [] });
    assert.deepEqual(parseCommand('export "/tmp/my notes" 1a2b 3c4d'), { name: 'export', dir: '/tmp/my notes', ids: ['1a2b', '3c4d'] });
    assert.deepEqual(parseCommand('import "/tmp/my notes"'), { name: 'import', dir: '/tmp/my notes' });
    assert.throws(() => parseCommand('search'), { name: 'InvalidInputError', message: /usage: search TEXT/ });
    assert.throws(() => parseCommand('export'), { name: 'InvalidInputError', message: /usage: export DIR/ });
    assert.throws(() => parseCommand('import "/tmp/x'), { name: 'InvalidInputError', message: /closing " is missing/ });
    assert.throws(() => parseCommand('import a b'), { name: 'InvalidInputError', message: /usage: import DIR/ });
  });

  it('prints each hit with its match marked in context, and every skipped file with its reason', () => {
    const text = formatSearch({
      query: 'soup',
      total: 3,
      hits: [{ id: 'ab'.repeat(16) as EntryId, kind: 'note', state: 'draft', title: 'Winter soup', author: 'Ann', updatedAt: 0, field: 'body', match: { start: 4, end: 8 }, snippet: { text: 'hot soup today', matchStart: 4, matchEnd: 8 } }],
    }, 60_000);
    assert.match(text, /^3 entries match "soup" \(the first 1 shown\)\n {2}abababab {2}note {4}Winter soup .* Ann · .*\[draft\]\n {12}body: hot \[soup\] today$/);
    assert.equal(formatSearch({ query: 'x', total: 0, hits: [] }), 'no entry matches "x"');
    assert.equal(
      formatImport({ dir: '/d', imported: [], skipped: [{ file: 'a.png', reason: 'not markdown (.md or .markdown)' }] }),
      'imported 0 files from /d as drafts (publish them to share)\nskipped 1:\n  a.png: not markdown (.md or .markdown)',
    );
  });

  it('prints what peers wrote and file names without control or bidi characters', () => {
    const evil = 'x\u001b[2J\u001b]0;owned\u0007\u202Eevil\r\ny';
    const hit = { id: 'ab'.repeat(16) as EntryId, kind: 'note' as const, state: 'published' as const, title: evil, author: evil, updatedAt: 0, field: 'body' as const, match: { start: 0, end: 1 }, snippet: { text: `${evil} soup ${evil}`, matchStart: evil.length + 1, matchEnd: evil.length + 5 } };
    const out = [formatSearch({ query: evil, total: 1, hits: [hit] }, 0), formatImport({ dir: evil, imported: [{ id: hit.id, kind: 'note', file: evil, title: evil }], skipped: [{ file: evil, reason: evil }] })].join('\n');
    const unsafe = [...out].filter((c) => c !== '\n' && (/\p{Cc}/u.test(c) || /[\u202a-\u202e\u2066-\u2069]/u.test(c)));
    assert.deepEqual(unsafe, []);
    assert.match(out, /\[soup\]/);
  });
});
