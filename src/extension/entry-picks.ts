/**
 * Choosing an entry from a quick pick in a big space. A quick pick hands the workbench every item
 * it is given (100k entries would take as long as the Notes view took before it listed a page at
 * a time): past PICK_MAX entries, the pick lists the newest PICK_MAX and, as the person types, the
 * newest PICK_MAX whose title, author or id contains what was typed. No `vscode` import here.
 */
import type { EntrySummary } from '../core/entry.js';

export const PICK_MAX = 500;

/** Entries whose title, author name or id contain `typed` (any case), in list order (newest first), at most `max`. */
export function entriesMatching<T extends EntrySummary>(entries: readonly T[], typed: string, max = PICK_MAX): T[] {
  const words = typed.toLowerCase().split(/\s+/).filter((w) => w !== '');
  const out: T[] = [];
  for (const entry of entries) {
    if (out.length >= max) break;
    if (words.length === 0) {
      out.push(entry);
      continue;
    }
    const text = `${entry.title}\n${entry.author.name}\n${entry.id}`.toLowerCase();
    if (words.every((w) => text.includes(w))) out.push(entry);
  }
  return out;
}
