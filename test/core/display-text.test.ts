import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanDisplayName } from '../../src/core/display-name.js';
import { displayLine, displayText, isDisplaySafe, labelLine, labelText, terminalSafeJson, truncate, withoutIcons } from '../../src/core/display-text.js';
import { checkSpaceName } from '../../src/core/invite.js';
import { HOSTILE_STRINGS, UNSAFE_CHAR, UNSAFE_IN_TEXT } from '../helpers/hostile-strings.js';

describe('display sanitiser', () => {
  it('leaves no control, bidi or line-break character in a line, for every hostile string', () => {
    for (const s of HOSTILE_STRINGS) {
      const line = displayLine(s);
      assert.doesNotMatch(line, UNSAFE_CHAR, JSON.stringify(s));
      assert.ok(isDisplaySafe(line), JSON.stringify(s));
      assert.ok(!isDisplaySafe(s), `the corpus string ${JSON.stringify(s)} is unsafe before cleaning`);
    }
  });

  it('keeps newlines and tabs in multi-line text and nothing else a terminal acts on', () => {
    for (const s of HOSTILE_STRINGS) {
      const text = displayText(s);
      assert.doesNotMatch(text, UNSAFE_IN_TEXT, JSON.stringify(s));
      assert.ok(isDisplaySafe(text, true));
    }
    assert.equal(displayText('a\nb\tc'), 'a\nb\tc');
    assert.equal(displayText('a\r\nb'), 'a␍\nb', 'a carriage return cannot overwrite the line it is on');
  });

  it('makes what it removes visible rather than hiding it', () => {
    assert.equal(displayLine('\x1b[2Jx'), '␛[2Jx', 'the escape loses its ESC and is shown as text');
    assert.equal(displayLine('two\nlines'), 'two⏎lines');
    assert.equal(displayLine('abc\u202Etxt'), 'abc\uFFFDtxt');
    assert.equal(displayLine('a\x9bb'), 'a\uFFFDb');
    assert.equal(displayLine('  tabs\tand   spaces  '), 'tabs and spaces');
  });

  it('leaves ordinary text alone, accents, emoji and right-to-left scripts included', () => {
    for (const s of ['Pancakes', 'Crème brûlée 🍮', 'שלום עולם', 'مرحبا', '日本語のメモ', 'a | b \\ c']) {
      assert.equal(displayLine(s), s);
      assert.equal(displayText(s), s);
    }
  });

  it('cuts long lines at a character boundary with an ellipsis', () => {
    assert.equal(truncate('abcdef', 4), 'abc…');
    assert.equal(displayLine('🍮🍮🍮', 4), '🍮…', 'never half of a surrogate pair');
    assert.equal(displayLine('short', 40), 'short');
  });

  it('writes JSON that parses to the exact data with no raw control or bidi character in the line', () => {
    for (const s of HOSTILE_STRINGS) {
      const json = terminalSafeJson({ title: s, nested: [s] });
      assert.doesNotMatch(json, UNSAFE_CHAR, JSON.stringify(s));
      assert.deepEqual(JSON.parse(json), { title: s, nested: [s] }, 'the data is kept exactly');
    }
  });

  it('cleans space names from invites and display names with the same rule', () => {
    for (const s of HOSTILE_STRINGS) {
      assert.doesNotMatch(checkSpaceName(`Space ${s}`), UNSAFE_CHAR);
      assert.doesNotMatch(cleanDisplayName(`Name ${s}`), UNSAFE_CHAR);
    }
    assert.equal(checkSpaceName('  Family\nrecipes '), 'Family recipes');
  });

  it('makes VS Code icon syntax inert in editor labels, reading the same', () => {
    const icons = /\$\([a-z0-9-]+(~[a-z0-9-]*)?\)/i; // what VS Code renders as an icon
    const hostile = ['$(zap) Admin', 'sync $(sync~spin) now', '$($(x))', '\\$(alert)', 'costs $(12) or $5 (each)'];
    for (const s of hostile) {
      const out = withoutIcons(s);
      assert.doesNotMatch(out, icons, JSON.stringify(s));
      assert.doesNotMatch(out, /\$\(/, JSON.stringify(s));
      assert.equal(out.replace(/\u200D/g, ''), s, 'only a zero-width joiner was added');
    }
    assert.equal(withoutIcons('plain $ and ( apart'), 'plain $ and ( apart');
    assert.equal(labelLine('$(zap)\nnext\u202Eline'), '$\u200D(zap)⏎next\uFFFDline', 'the display sanitiser applies too');
    assert.equal(labelLine('$(zap) '.repeat(20), 12).length <= 12, true, 'still at most max');
    assert.equal(labelText('a $(x)\nb\x1b'), 'a $\u200D(x)\nb␛');
    for (const s of HOSTILE_STRINGS) assert.doesNotMatch(labelLine(s), UNSAFE_CHAR, JSON.stringify(s));
  });
});
