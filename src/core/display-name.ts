/**
 * Display names, as a person types them or a peer announces them: one line of readable text.
 * Pure; the network applies it to every name a peer sends, the engine to our own.
 */
import { MAX_AUTHOR_NAME_LENGTH } from './constants.js';
import { UNSAFE_CHARS } from './display-text.js';

/** The name of a device whose person gave none (and whose account has no name). */
export const DEFAULT_DISPLAY_NAME = 'Anonymous';

/** The first of `candidates` that is readable once cleaned (ours: the setting or `--name`, then the account or stored name), else DEFAULT_DISPLAY_NAME. */
export function displayNameOr(...candidates: ReadonlyArray<string | undefined>): string {
  for (const candidate of candidates) {
    const cleaned = candidate !== undefined ? cleanDisplayName(candidate) : '';
    if (cleaned !== '') return cleaned;
  }
  return DEFAULT_DISPLAY_NAME;
}

/** A display name has at most this many UTF-16 code units, as entry validation counts an author name. */
export const MAX_DISPLAY_NAME_LENGTH = MAX_AUTHOR_NAME_LENGTH;

/** Control characters, separators and bidi controls (display-text.ts): a name holds none of them. */
const UNWANTED = new RegExp(UNSAFE_CHARS, 'gu');

/**
 * Trims, replaces control characters with spaces, collapses runs of white space, and keeps at
 * most MAX_DISPLAY_NAME_LENGTH code units, never half of a character. Returns '' when nothing
 * readable is left.
 */
export function cleanDisplayName(raw: string): string {
  const flat = raw.replace(UNWANTED, ' ').replace(/\s+/gu, ' ').trim();
  if (flat.length <= MAX_DISPLAY_NAME_LENGTH) return flat;
  let cut = '';
  for (const char of flat) {
    if (cut.length + char.length > MAX_DISPLAY_NAME_LENGTH) break;
    cut += char;
  }
  return cut.trimEnd();
}
