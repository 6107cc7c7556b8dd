import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { documentOffset, fieldsOf, formatDocument } from '../../src/core/entry-markdown.js';
import type { Entry } from '../../src/core/entry.js';
import type { DeviceId, EntryId } from '../../src/core/ids.js';
import { fileNameFor, formatMarkdownFile, parseMarkdownFile, titleFromFileName } from '../../src/core/markdown-file.js';

const noCr = (s: string) => s.replace(/\r/g, '');
const title = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }).map((s) => noCr(s).replace(/\n/g, ' ')).filter((s) => s.trim() !== '');
const text = fc.string({ unit: 'grapheme', maxLength: 200 }).map(noCr);
const lines = fc.array(fc.oneof(text, fc.constantFrom('## Ingredients', '## Instructions', '---', '# x', '', '\\## Ingredients')), { maxLength: 6 }).map((ls) => ls.join('\n'));
const base = {
  id: fc.stringMatching(/^[0-9a-f]{32}$/).map((s) => s as EntryId),
  author: fc.record({ name: fc.string({ maxLength: 100 }), device: fc.string({ minLength: 1, maxLength: 20 }).map((s) => s as DeviceId) }),
  createdAt: fc.integer({ min: 0, max: 4_000_000_000_000 }),
  updatedAt: fc.integer({ min: 0, max: 4_000_000_000_000 }),
  state: fc.constantFrom('draft' as const, 'published' as const),
};
const entry: fc.Arbitrary<Entry> = fc.oneof(
  fc.record({ ...base, kind: fc.constant('note' as const), title, body: fc.oneof(text, lines) }),
  fc.record({ ...base, kind: fc.constant('recipe' as const), name: title, ingredients: fc.oneof(text, lines), instructions: fc.oneof(text, lines) }),
);

describe('markdown files', () => {
  it('round-trips every entry: front matter and fields (property)', () => {
    fc.assert(
      fc.property(entry, (e) => {
        const parsed = parseMarkdownFile(formatMarkdownFile(e), 'ignored');
        assert.equal(parsed.kind, e.kind);
        assert.deepEqual(parsed.fields, fieldsOf(e));
        assert.deepEqual(parsed.meta, { id: e.id, kind: e.kind, state: e.state, author: e.author.name, device: e.author.device, created: e.createdAt, updated: e.updatedAt });
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips titles holding line and paragraph separators (U+2028, U+2029), which regexes treat as line ends', () => {
    for (const ws of ['\u2028', '\u2029', '\u0085', '\u00a0']) {
      const note: Entry = { id: 'a'.repeat(32) as EntryId, kind: 'note', state: 'draft', author: { name: 'Ann', device: 'd' as DeviceId }, createdAt: 0, updatedAt: 0, title: `${ws}!`, body: `x${ws}y` };
      assert.deepEqual(parseMarkdownFile(formatMarkdownFile(note), 'x').fields, fieldsOf(note), JSON.stringify(ws));
      const recipe: Entry = { ...note, kind: 'recipe', name: `a${ws}`, ingredients: ws, instructions: '' } as Entry;
      assert.deepEqual(parseMarkdownFile(formatMarkdownFile(recipe), 'x').fields, fieldsOf(recipe), JSON.stringify(ws));
    }
  });

  it('reads plain markdown: a recipe by its sections, a note by its title line, else the file name as title', () => {
    const recipe = parseMarkdownFile('# Pancakes\n\n## Ingredients\n\nflour\n\n## Instructions\n\nfry\n', 'x');
    assert.equal(recipe.kind, 'recipe');
    assert.deepEqual(recipe.fields, { name: 'Pancakes', ingredients: 'flour', instructions: 'fry' });
    assert.deepEqual(recipe.meta, {});
    const note = parseMarkdownFile('\ufeff# Trip\r\n\r\nPack socks\r\n', 'x');
    assert.deepEqual(note.fields, { title: 'Trip', body: 'Pack socks' });
    const loose = parseMarkdownFile('just some text\n- and a list\n', 'My list');
    assert.deepEqual(loose.fields, { title: 'My list', body: 'just some text\n- and a list' });
    const sectionsNoTitle = parseMarkdownFile('## Ingredients\n\na\n\n## Instructions\n\nb', 'Soup');
    assert.equal(sectionsNoTitle.kind, 'note', 'recipe sections without a name line: a note titled by the file');
  });

  it('says what is wrong with bad front matter or a kind that does not fit', () => {
    const bad = (s: string, re: RegExp) => assert.throws(() => parseMarkdownFile(s, 'x'), (err: Error) => err.name === 'MarkdownFileError' && re.test(err.message));
    bad('---\nid: 123\n---\n# T\n', /id is not 32 hex digits/);
    bad('---\nkind: poem\n---\n# T\n', /unknown kind "poem"/);
    bad('---\nstate: secret\n---\n# T\n', /unknown state/);
    bad('---\ncreated: yesterday\n---\n# T\n', /not a date/);
    bad('---\nauthor: "unterminated\n---\n# T\n', /malformed quoted string/);
    bad('---\nthis line has no colon\n---\n# T\n', /not "key: value"/);
    bad('---\nkind: note\n# T\n', /no closing "---"/);
    bad('---\nkind: recipe\n---\n# T\n\nno sections\n', /not a recipe as exported/);
    bad(`# ${'t'.repeat(501)}\n`, /title is 501 characters/);
    assert.deepEqual(parseMarkdownFile("---\ntags: [a, b]\nauthor: 'O''Brien'\n---\n# T\n", 'x').meta, { author: "O'Brien" }, 'unknown keys are ignored');
  });

  it('gives sanitised, unique file names', () => {
    const taken = new Set<string>();
    assert.equal(fileNameFor('Soup: a/b <test>?', 'note', taken), 'Soup a b test.md');
    assert.equal(fileNameFor('soup a b test', 'note', taken), 'soup a b test (2).md', 'unique, case-insensitively');
    assert.equal(fileNameFor('...', 'recipe', taken), 'recipe.md');
    assert.equal(fileNameFor('CON', 'note', taken), '_CON.md');
    assert.equal(fileNameFor('a\u202eb\nc', 'note', taken), 'a b c.md', 'control and bidi characters go');
    const long = fileNameFor('é'.repeat(300), 'note', taken);
    assert.ok(Buffer.byteLength(long) <= 123);
    assert.equal(titleFromFileName('Soup.MD'), 'Soup');
  });

  it('maps a field offset to its place in the document', () => {
    const fields = { name: 'Pie', ingredients: 'apples\n## Instructions\nflour', instructions: 'bake it' };
    const doc = formatDocument('recipe', fields);
    const at = (field: string, offset: number, len: number) => doc.slice(documentOffset('recipe', fields, field, offset), documentOffset('recipe', fields, field, offset) + len);
    assert.equal(at('name', 0, 3), 'Pie');
    assert.equal(at('ingredients', fields.ingredients.indexOf('flour'), 5), 'flour');
    assert.equal(at('instructions', 5, 2), 'it');
    const note = { title: 'T', body: 'hello world' };
    assert.equal(formatDocument('note', note).slice(documentOffset('note', note, 'body', 6)).slice(0, 5), 'world');
  });
});
