/**
 * Case- and accent-insensitive matching of a search query against an entry's texts, and the
 * context snippet shown around a match. Pure; used by `SearchIndex` (search-index.ts).
 *
 * Folding is done one code point at a time (lower case, canonical decomposition, combining marks
 * dropped, final sigma as sigma), so that an offset in the folded text maps back to an offset in
 * the original: a snippet and an editor selection show the very characters that matched.
 */

/** Characters of context on each side of a match in a snippet. */
export const SNIPPET_CONTEXT = 40;
/** Longest query considered (characters); the rest is ignored. */
export const MAX_QUERY_LENGTH = 200;

const ASCII = /^[\x20-\x7e\n\t]*$/;
const MARK = /\p{M}/gu;
const NON_ASCII = /[\u0080-\u{10ffff}]/gu;

function foldCodePoint(cp: string): string {
  const lower = cp.toLowerCase();
  if (lower.length === 1 && lower.charCodeAt(0) < 0x80) return lower;
  return lower.normalize('NFD').replace(MARK, '').replace(/ς/g, 'σ');
}

/** The folded form of `text`: what the index stores and queries are matched against. */
export function fold(text: string): string {
  return (ASCII.test(text) ? text : text.replace(NON_ASCII, foldCodePoint)).toLowerCase();
}

/**
 * `text` folded, with the original offset of every folded UTF-16 unit (plus one past the end), so
 * a match found in the folded text can be mapped back. Only computed for texts shown as results.
 */
export function foldWithOffsets(text: string): { folded: string; offsets: number[] } {
  let folded = '';
  const offsets: number[] = [];
  let at = 0;
  for (const cp of text) {
    const f = ASCII.test(cp) ? cp.toLowerCase() : foldCodePoint(cp);
    for (let i = 0; i < f.length; i++) offsets.push(at);
    folded += f;
    at += cp.length;
  }
  offsets.push(text.length);
  return { folded, offsets };
}

/** The words of a query, folded: every one must occur in an entry for it to match. Empty: no query. */
export function queryTerms(query: string): string[] {
  const terms = fold(query.slice(0, MAX_QUERY_LENGTH)).split(/\s+/).filter((t) => t !== '');
  return [...new Set(terms)];
}

/** A match in one field's original text: `start`/`end` are UTF-16 offsets into that text. */
export interface TextMatch {
  readonly start: number;
  readonly end: number;
}

/** The first occurrence of the folded `term` in `text` (original offsets), if any. */
export function findInText(text: string, term: string): TextMatch | undefined {
  if (ASCII.test(text)) {
    // Folding ASCII keeps every offset: no map needed.
    const at = text.toLowerCase().indexOf(term);
    return at < 0 ? undefined : { start: at, end: at + term.length };
  }
  const { folded, offsets } = foldWithOffsets(text);
  const at = folded.indexOf(term);
  if (at < 0) return undefined;
  const start = offsets[at]!;
  // The match ends after the original code point that produced its last folded unit.
  const lastOriginal = offsets[at + term.length - 1]!;
  const cp = text.codePointAt(lastOriginal) ?? 0;
  return { start, end: lastOriginal + (cp > 0xffff ? 2 : 1) };
}

/** One line of context around a match: `text` with the match at [`matchStart`, `matchEnd`). */
export interface Snippet {
  readonly text: string;
  readonly matchStart: number;
  readonly matchEnd: number;
}

/** Up to SNIPPET_CONTEXT characters each side of the match, on one line, `…` where cut. */
export function snippetOf(text: string, match: TextMatch, context = SNIPPET_CONTEXT): Snippet {
  let from = Math.max(0, match.start - context);
  let to = Math.min(text.length, match.end + context);
  // Do not cut a surrogate pair in half.
  if (from > 0 && /[\udc00-\udfff]/.test(text[from] ?? '')) from--;
  if (to < text.length && /[\udc00-\udfff]/.test(text[to] ?? '')) to++;
  const flat = (s: string) => s.replace(/[\r\n\t]/g, ' ');
  const before = (from > 0 ? '…' : '') + flat(text.slice(from, match.start));
  const hit = flat(text.slice(match.start, match.end));
  const after = flat(text.slice(match.end, to)) + (to < text.length ? '…' : '');
  return { text: before + hit + after, matchStart: before.length, matchEnd: before.length + hit.length };
}
