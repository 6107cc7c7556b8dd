/**
 * An entry as a markdown document, and back: the text the editor shows and the body of an
 * exported file (markdown-file.ts). Pure.
 *
 *   note:    # Title⏎⏎body
 *   recipe:  # Name⏎⏎## Ingredients⏎⏎…⏎⏎## Instructions⏎⏎…
 *
 * Parsing is exact (what a person types inside a field is what is stored, spaces and empty lines
 * included), because typing is stored and shared live; only the blank line after each heading and
 * the final newline belong to the format. A line of a recipe field that looks like one of its section headings is written with a
 * leading backslash (and read back without it), so any text round-trips.
 */
import type { Entry, EntryKind } from './entry.js';
import { SharedNotesError } from './errors.js';

/** The document does not have the shape of its kind (no title line, a missing section). */
export class DocumentFormatError extends SharedNotesError {}

export type EntryFields = Readonly<Record<string, string>>;

const SECTION = /^\\*## +(ingredients|instructions)\s*$/i;
/** The title line. `s`: a title may hold U+2028/U+2029, which `.` does not match otherwise (lines are already split on "\n"). */
const TITLE = /^# (.*)$/s;

/** The fields of an entry that the document shows, by kind. */
export function fieldsOf(entry: Entry): EntryFields {
  return entry.kind === 'note'
    ? { title: entry.title, body: entry.body }
    : { name: entry.name, ingredients: entry.ingredients, instructions: entry.instructions };
}

export function formatDocument(kind: EntryKind, fields: EntryFields): string {
  if (kind === 'note') return `# ${titleLine(fields.title ?? '')}\n\n${fields.body ?? ''}\n`;
  return (
    `# ${titleLine(fields.name ?? '')}\n\n## Ingredients\n\n${escapeSections(fields.ingredients ?? '')}\n\n` +
    `## Instructions\n\n${escapeSections(fields.instructions ?? '')}\n`
  );
}

export const formatEntryDocument = (entry: Entry): string => formatDocument(entry.kind, fieldsOf(entry));

/**
 * The fields a document holds. Exact for every document `formatDocument` writes and for every
 * edit a person makes inside a field (a trailing space in the title, a new empty line at the end
 * of the body): live co-editing stores what is typed, so parsing must not normalise it away.
 * Only the separators the format owns (the blank line after a heading, the final newline) are
 * dropped when present.
 */
export function parseDocument(kind: EntryKind, text: string): EntryFields {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let first = 0;
  while (first < lines.length && (lines[first] ?? '').trim() === '') first++;
  const title = TITLE.exec(lines[first] ?? '');
  if (!title) throw new DocumentFormatError(`the first line must be the ${kind === 'note' ? 'title' : 'name'}, as "# ${kind === 'note' ? 'Title' : 'Name'}"`);
  const heading = title[1] ?? '';
  if (heading.trim() === '') throw new DocumentFormatError(`the ${kind === 'note' ? 'title' : 'name'} (the "# " line) must not be empty`);
  const rest = lines.slice(first + 1);
  if (kind === 'note') return { title: heading, body: tail(rest, false) };

  const ingredientsAt = rest.findIndex((l) => sectionName(l) === 'ingredients');
  const instructionsAt = rest.findIndex((l, i) => i > ingredientsAt && sectionName(l) === 'instructions');
  if (ingredientsAt < 0) throw new DocumentFormatError('a recipe needs an "## Ingredients" section');
  if (instructionsAt < 0) throw new DocumentFormatError('a recipe needs an "## Instructions" section after "## Ingredients"');
  if (rest.slice(0, ingredientsAt).some((l) => l.trim() !== '')) {
    throw new DocumentFormatError('put recipe text under "## Ingredients" or "## Instructions", not between the name and the sections');
  }
  return {
    name: heading,
    ingredients: unescape(dropBlank(dropBlank(rest.slice(ingredientsAt + 1, instructionsAt), 0), -1)),
    instructions: tail(rest.slice(instructionsAt + 1), true),
  };
}

function sectionName(line: string): string | undefined {
  if (line.startsWith('\\')) return undefined;
  return SECTION.exec(line)?.[1]?.toLowerCase();
}

/** Removes one empty line at the start (`at` 0) or end (`at` -1), if there is one. */
function dropBlank(lines: readonly string[], at: 0 | -1): string[] {
  const index = at === 0 ? 0 : lines.length - 1;
  return lines.length > 0 && lines[index] === '' ? (at === 0 ? lines.slice(1) : lines.slice(0, -1)) : [...lines];
}

/** The last section of a document: one blank line after its heading and the final newline are the format's. */
function tail(lines: readonly string[], unescapeLines: boolean): string {
  const body = dropBlank(lines, 0);
  // A document ending in a newline splits into a last empty line: that newline is the format's.
  const text = body.join('\n');
  const trimmed = text.endsWith('\n') ? text.slice(0, -1) : text;
  return unescapeLines ? unescape(trimmed.split('\n')) : trimmed;
}

function unescape(lines: readonly string[]): string {
  return lines.map((l) => (SECTION.test(l) && l.startsWith('\\') ? l.slice(1) : l)).join('\n');
}

function escapeSections(text: string): string {
  return text
    .split('\n')
    .map((l) => (SECTION.test(l) ? `\\${l}` : l))
    .join('\n');
}

/** A title is one line in the document; line breaks in a stored title are shown as spaces. */
const titleLine = (title: string): string => title.replace(/\s*\n\s*/g, ' ');

/**
 * Where offset `offset` of `field` lands in `formatDocument(kind, fields)`: how a search match
 * becomes a selection in the opened document.
 */
export function documentOffset(kind: EntryKind, fields: EntryFields, field: string, offset: number): number {
  const title = titleLine(fields[kind === 'note' ? 'title' : 'name'] ?? '');
  if (field === 'title' || field === 'name') return 2 + Math.min(offset, title.length);
  if (kind === 'note') return `# ${title}\n\n`.length + offset;
  const ingredientsAt = `# ${title}\n\n## Ingredients\n\n`.length;
  if (field === 'ingredients') return ingredientsAt + escapedOffset(fields.ingredients ?? '', offset);
  if (field !== 'instructions') return 0;
  const instructionsAt = ingredientsAt + escapeSections(fields.ingredients ?? '').length + '\n\n## Instructions\n\n'.length;
  return instructionsAt + escapedOffset(fields.instructions ?? '', offset);
}

/** `offset` in a recipe field, counting the backslash `escapeSections` puts before heading-like lines up to it. */
function escapedOffset(text: string, offset: number): number {
  let extra = 0;
  let lineStart = 0;
  for (const line of text.split('\n')) {
    if (lineStart > offset) break;
    if (SECTION.test(line)) extra++;
    lineStart += line.length + 1;
  }
  return offset + extra;
}
