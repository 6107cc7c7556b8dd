import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanDisplayName, MAX_DISPLAY_NAME_LENGTH } from '../../src/core/display-name.js';

describe('cleanDisplayName', () => {
  it('trims and keeps ordinary names, accents and emoji as they are', () => {
    assert.equal(cleanDisplayName('  Ann  '), 'Ann');
    assert.equal(cleanDisplayName('Zoë Œ 李'), 'Zoë Œ 李');
    assert.equal(cleanDisplayName('Ann 👩‍🍳'), 'Ann 👩‍🍳', 'the zero-width joiner of an emoji sequence stays');
  });

  it('turns control characters, line breaks and separators into single spaces', () => {
    assert.equal(cleanDisplayName('Ann\nBob'), 'Ann Bob');
    assert.equal(cleanDisplayName('A\u0000\u0007\u001b[31mB'), 'A [31mB');
    assert.equal(cleanDisplayName('A\u0085\u009bB\u007f'), 'A B', 'C1 controls and DEL');
    assert.equal(cleanDisplayName('A\u2028B\u2029C\tD'), 'A B C D');
  });

  it('removes bidirectional overrides, a BOM and lone surrogates', () => {
    assert.equal(cleanDisplayName('\u202Egnp.exe'), 'gnp.exe');
    assert.equal(cleanDisplayName('\uFEFFAnn\u2066x\u2069'), 'Ann x');
    assert.equal(cleanDisplayName('A\uD800B'), 'A B');
  });

  it('keeps at most 100 UTF-16 units (as an entry\'s author name is checked), never half a character', () => {
    assert.equal(cleanDisplayName('x'.repeat(500)), 'x'.repeat(MAX_DISPLAY_NAME_LENGTH));
    assert.equal(cleanDisplayName('😀'.repeat(150)), '😀'.repeat(50));
    assert.equal(cleanDisplayName(`x${'😀'.repeat(60)}`), `x${'😀'.repeat(49)}`, 'the 50th emoji would be cut in half: it goes');
    assert.equal(cleanDisplayName(`${'a'.repeat(99)} b`), 'a'.repeat(99), 'no trailing space after the cut');
  });

  it('returns an empty string when nothing readable is left', () => {
    assert.equal(cleanDisplayName(''), '');
    assert.equal(cleanDisplayName(' \n\u0000\u202E '), '');
  });
});
