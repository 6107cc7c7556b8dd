/**
 * The one sanitiser for showing text a peer wrote (titles, names, authors, space names,
 * invalid-entry reasons) in a terminal or an editor. Pure.
 *
 * Nothing is parsed or interpreted: every character that could act instead of being read is
 * replaced by a visible stand-in, so an escape sequence loses its ESC (`␛[2J` is printed as
 * text, the screen is not cleared), a bidi override cannot reorder what follows it, and a
 * newline cannot start a line that looks like our own output.
 */

/**
 * C0 controls, DEL, C1 controls (U+0080–U+009F: a terminal may take U+009B as CSI and U+009D
 * as OSC), line and paragraph separators, lone surrogates, the byte order mark, and the bidi
 * marks, embeddings, overrides and isolates (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069).
 */
export const UNSAFE_CHARS = '[\\p{Cc}\\p{Cs}\\p{Zl}\\p{Zp}\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069\\uFEFF]';
const UNSAFE = new RegExp(UNSAFE_CHARS, 'gu');

/** What stands in for an unsafe character: its control picture (␛ for ESC, ␍ for CR), ⏎ for a line break, else U+FFFD. */
function visible(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (code === 0x0a || code === 0x2028 || code === 0x2029) return '⏎';
  if (code === 0x09) return ' ';
  if (code < 0x20) return String.fromCodePoint(0x2400 + code);
  if (code === 0x7f) return '␡';
  return '\uFFFD';
}

/** One line of peer-written text, safe to print: unsafe characters made visible (newlines as ⏎). */
export function displayLine(text: string, max?: number): string {
  const safe = String(text).replace(UNSAFE, visible).replace(/\s+/gu, ' ').trim();
  return max === undefined ? safe : truncate(safe, max);
}

/** Multi-line peer-written text (a body), safe to print: newlines and tabs kept, every other unsafe character made visible. */
export function displayText(text: string): string {
  return String(text).replace(UNSAFE, (c) => (c === '\n' || c === '\t' ? c : visible(c)));
}

/** True when `text` holds nothing a terminal or an editor could act on (multi-line: newlines and tabs allowed). */
export function isDisplaySafe(text: string, multiline = false): boolean {
  const rest = multiline ? text.replace(/[\n\t]/g, '') : text;
  return !new RegExp(UNSAFE_CHARS, 'u').test(rest);
}

/**
 * `$(name)` made inert. VS Code draws it as an icon in quick pick labels, descriptions and details,
 * tree labels, the status bar and markdown that supports theme icons, so a peer could make its text
 * pass for our own UI. A zero-width joiner after the `$` breaks the syntax and reads the same.
 */
export function withoutIcons(text: string): string {
  return text.replace(/\$\(/g, () => '$\u200D(');
}

/** One line of peer-written text for an editor label, description, detail or tooltip: `displayLine` with icon syntax made inert. */
export function labelLine(text: string, max?: number): string {
  const safe = withoutIcons(displayLine(text));
  return max === undefined ? safe : truncate(safe, max);
}

/** Multi-line peer-written text for an editor (a tooltip's preview): `displayText` with icon syntax made inert. */
export function labelText(text: string): string {
  return withoutIcons(displayText(text));
}

/** At most `max` UTF-16 units, never half of a character, ending with … when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = '';
  for (const char of text) {
    if (cut.length + char.length > max - 1) break;
    cut += char;
  }
  return cut.trimEnd() + '…';
}

/** Characters JSON.stringify leaves raw that a terminal may act on (C1, bidi, separators). */
const JSON_UNSAFE = /[\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029\uFEFF]/g;

/**
 * JSON for one output line: the exact data, with every character a terminal could act on
 * written as a \u escape (JSON.stringify already escapes C0 controls; this adds C1, bidi and
 * separators). These characters can only occur inside JSON strings, so the line parses to the
 * same value.
 */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
