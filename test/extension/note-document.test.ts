import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  changedFields, documentPath, entryIdOfPath, formatDocument, parseDocument,
} from '../../src/extension/note-document.js';

const ID = '0123456789abcdef0123456789abcdef';

describe('entry documents (markdown ↔ fields)', () => {
  it('formats a note as "# Title", a blank line and the body', () => {
    assert.equal(formatDocument('note', { title: 'Shopping', body: 'milk\neggs' }), '# Shopping\n\nmilk\neggs\n');
    assert.deepEqual(parseDocument('note', '# Shopping\n\nmilk\neggs\n'), { title: 'Shopping', body: 'milk\neggs' });
  });

  it('formats a recipe with Ingredients and Instructions sections', () => {
    const fields = { name: 'Pancakes', ingredients: '- flour\n- eggs', instructions: '1. Mix\n2. Fry' };
    const text = formatDocument('recipe', fields);
    assert.equal(text, '# Pancakes\n\n## Ingredients\n\n- flour\n- eggs\n\n## Instructions\n\n1. Mix\n2. Fry\n');
    assert.deepEqual(parseDocument('recipe', text), fields);
  });

  it('tolerates CRLF, extra blank lines and trailing whitespace lines', () => {
    assert.deepEqual(parseDocument('note', '\r\n# T \r\n\r\n\r\nbody\r\n\r\n'), { title: 'T', body: 'body' });
    assert.deepEqual(parseDocument('recipe', '# R\n## ingredients\nsalt\n## INSTRUCTIONS\nstir'), { name: 'R', ingredients: 'salt', instructions: 'stir' });
  });

  it('rejects documents without a title or sections, with a DocumentFormatError', () => {
    for (const [kind, text] of [
      ['note', 'no heading'],
      ['note', '#   \nbody'],
      ['note', '## not a title'],
      ['recipe', '# R\n\n## Instructions\nx'],
      ['recipe', '# R\n\n## Ingredients\nx'],
      ['recipe', '# R\n\n## Instructions\nx\n## Ingredients\ny'],
      ['recipe', '# R\nstray text\n## Ingredients\nx\n## Instructions\ny'],
    ] as const) {
      assert.throws(() => parseDocument(kind, text), { name: 'DocumentFormatError' }, text);
    }
  });

  it('round-trips any note and recipe text, including lines that look like headings (property)', () => {
    const line = fc.oneof(fc.string(), fc.constantFrom('## Ingredients', '\\## Instructions', '## instructions  ', '# Title', '\\\\## Ingredients'));
    const text = fc.array(line, { maxLength: 6 }).map((ls) => ls.join('\n'));
    const title = fc.string({ minLength: 1 }).filter((t) => t.trim() !== '' && !/[\r\n]/.test(t));
    const normalize = (t: string) => parseDocument('note', `# x\n\n${t}`).body; // blank lines around a section are not significant
    fc.assert(
      fc.property(title, text, text, (name, ingredients, instructions) => {
        const parsed = parseDocument('recipe', formatDocument('recipe', { name, ingredients, instructions }));
        assert.equal(parsed.name, name.trim());
        assert.equal(parsed.ingredients, sectionNormal(ingredients));
        assert.equal(parsed.instructions, sectionNormal(instructions));
      }),
    );
    fc.assert(
      fc.property(title, text, (t, body) => {
        const parsed = parseDocument('note', formatDocument('note', { title: t, body }));
        assert.deepEqual(parsed, { title: t.trim(), body: normalize(body) });
      }),
    );
  });

  it('reports only the fields a save changed', () => {
    const current = { name: 'Pancakes', ingredients: '- flour\n', instructions: 'Mix' };
    const same = parseDocument('recipe', formatDocument('recipe', current) + '\n\n');
    assert.deepEqual(changedFields('recipe', current, same), {}, 'a trailing newline or blank lines change nothing');
    const edited = parseDocument('recipe', formatDocument('recipe', current).replace('Mix', 'Mix well'));
    assert.deepEqual(changedFields('recipe', current, edited), { instructions: 'Mix well' });
    assert.deepEqual(changedFields('note', { title: 'a', body: 'b' }, { title: 'A', body: 'b' }), { title: 'A' });
  });

  it('names documents by id and title, and reads the id back', () => {
    const path = documentPath({ id: ID, kind: 'note', title: 'a/b: c?' });
    assert.equal(path, `/${ID}/a b c.md`);
    assert.equal(entryIdOfPath(path), ID);
    assert.equal(documentPath({ id: ID, kind: 'recipe', title: '   ' }), `/${ID}/recipe.md`);
    assert.equal(entryIdOfPath('/nothex/x.md'), undefined);
    assert.equal(entryIdOfPath('/'), undefined);
  });
});

/** What a recipe section keeps: the text without its surrounding blank lines. */
function sectionNormal(text: string): string {
  const lines = text.split('\n');
  while (lines.length > 0 && (lines[0] ?? '').trim() === '') lines.shift();
  while (lines.length > 0 && (lines.at(-1) ?? '').trim() === '') lines.pop();
  return lines.join('\n');
}
