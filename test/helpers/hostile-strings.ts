/**
 * Strings a hostile member could write as a title, a name or a reason: terminal escape sequences,
 * C1 controls, bidi overrides and isolates, line breaks. Shared by the sanitiser's unit tests,
 * the tree item tests and the CLI end-to-end test.
 */
export const HOSTILE_STRINGS: readonly string[] = [
  '\x1b[2J\x1b[HClear screen',
  '\x1b[8mhidden text\x1b[0m',
  '\x1b]0;pwned window title\x07',
  '\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\',
  '\x1bP+q544e\x1b\\ DCS',
  '\x9b2J C1 CSI and \x9d0;title\x9c C1 OSC',
  'abc\u202Etxt.exe',
  'isolates \u2066\u2067\u2068 pop \u2069 marks \u200E\u200F\u061C embed \u202A\u202B\u202C\u202D',
  'two\nlines\r\nand a carriage\roverwrite',
  'line\u2028separator\u2029paragraph',
  'nul\x00bell\x07backspace\x08del\x7f',
  'bom\uFEFF lone \uD800 surrogate',
  '\ttabbed\vvertical\fform',
];

/** Every character a sanitised single line must never contain. */
export const UNSAFE_CHAR = /[\p{Cc}\p{Cs}\u2028\u2029\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/u;
/** The same for multi-line text: newline and tab are allowed there. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const UNSAFE_IN_TEXT = /[\p{Cs}\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/u;
