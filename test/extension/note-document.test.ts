import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  documentPath, entryIdOfPath, formatDocument, parseDocument,
} from '../../src/extension/note-document.js';

const ID = '0123456789abcdef0123456789abcdef';

describe('entry documents (markdown ↔ fields)', () => {
  it('formats a note as "# Title", a blank line, the body and a final newline', () => {
    assert.equal(formatDocument('note', { title: 'Shopping', body: 'milk\neggs' }), '# Shopping\n\nmilk\neggs\n');
    assert.deepEqual(parseDocument('note', '# Shopping\n\nmilk\neggs\n'), { title: 'Shopping', body: 'milk\neggs' });
  });

  it('formats a recipe with Ingredients and Instructions sections', () => {
    const fields = { name: 'Pancakes', ingredients: '- flour\n- eggs', instructions: '1. Mix\n2. Fry' };
    const text = formatDocument('recipe', fields);
    assert.equal(text, '# Pancakes\n\n## Ingredients\n\n- flour\n- eggs\n\n## Instructions\n\n1. Mix\n2. Fry\n');
    assert.deepEqual(parseDocument('recipe', text), fields);
  });

  it('keeps what a person types inside a field exactly: trailing spaces, new empty lines', () => {
    assert.deepEqual(parseDocument('note', '# My title \n\nfirst line\n\n'), { title: 'My title ', body: 'first line\n' });
    assert.deepEqual(parseDocument('note', '# T\n\n\n'), { title: 'T', body: '' });
    assert.deepEqual(parseDocument('recipe', '# R\n\n## Ingredients\n\nsalt\n\n\n## Instructions\n\nstir \n'), { name: 'R', ingredients: 'salt\n', instructions: 'stir ' });
  });

  it('tolerates CRLF, missing blank lines and a missing final newline', () => {
    assert.deepEqual(parseDocument('note', '\r\n# T\r\n\r\nbody\r\n'), { title: 'T', body: 'body' });
    assert.deepEqual(parseDocument('note', '# T\nbody'), { title: 'T', body: 'body' });
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

  it('round-trips any fields exactly, including lines that look like headings (property)', () => {
    const line = fc.oneof(fc.string(), fc.constantFrom('', ' ', '## Ingredients', '\\## Instructions', '## instructions  ', '# Title', '\\\\## Ingredients'));
    const text = fc.array(line, { maxLength: 6 }).map((ls) => ls.join('\n'));
    const title = fc.string({ minLength: 1 }).filter((t) => t.trim() !== '' && !/[\r\n]/.test(t));
    fc.assert(
      fc.property(title, text, text, (name, ingredients, instructions) => {
        const fields = { name, ingredients, instructions };
        const doc = formatDocument('recipe', fields);
        assert.deepEqual(parseDocument('recipe', doc), fields);
        assert.equal(formatDocument('recipe', parseDocument('recipe', doc)), doc);
      }),
    );
    fc.assert(
      fc.property(title, text, (t, body) => {
        assert.deepEqual(parseDocument('note', formatDocument('note', { title: t, body })), { title: t, body });
      }),
    );
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

