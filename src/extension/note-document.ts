/**
 * An entry as an editable markdown document, and back. Pure (unit-tested in plain Node).
 *
 *   note:    # Title⏎⏎body
 *   recipe:  # Name⏎⏎## Ingredients⏎⏎…⏎⏎## Instructions⏎⏎…
 *
 * Saving parses the document and edits only the fields that changed. Leading and trailing blank
 * lines of a section are not significant, so an editor adding a final newline changes nothing.
 * A line of a recipe field that looks like one of its section headings is written with a
 * leading backslash (and read back without it), so any text round-trips.
 */
import { SharedNotesError } from '../core/errors.js';
import type { Entry, EntryKind } from '../core/entry.js';

/** The document does not have the shape of its kind (no title line, a missing section). */
export class DocumentFormatError extends SharedNotesError {}

export type EntryFields = Readonly<Record<string, string>>;

const SECTION = /^\\*## +(ingredients|instructions)\s*$/i;
const TITLE = /^# (.*)$/;

/** The fields of an entry that the document shows, by kind. */
export function fieldsOf(entry: Entry): EntryFields {
  return entry.kind === 'note'
    ? { title: entry.title, body: entry.body }
    : { name: entry.name, ingredients: entry.ingredients, instructions: entry.instructions };
}

export function formatDocument(kind: EntryKind, fields: EntryFields): string {
  if (kind === 'note') {
    return `# ${titleLine(fields.title ?? '')}\n\n${fields.body ?? ''}\n`;
  }
  return [
    `# ${titleLine(fields.name ?? '')}`,
    '',
    '## Ingredients',
    '',
    escapeSections(fields.ingredients ?? ''),
    '',
    '## Instructions',
    '',
    escapeSections(fields.instructions ?? ''),
    '',
  ].join('\n');
}

export const formatEntryDocument = (entry: Entry): string => formatDocument(entry.kind, fieldsOf(entry));

export function parseDocument(kind: EntryKind, text: string): EntryFields {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let first = 0;
  while (first < lines.length && (lines[first] ?? '').trim() === '') first++;
  const title = TITLE.exec(lines[first] ?? '');
  if (!title) throw new DocumentFormatError(`the first line must be the ${kind === 'note' ? 'title' : 'name'}, as "# ${kind === 'note' ? 'Title' : 'Name'}"`);
  const heading = (title[1] ?? '').trim();
  if (heading === '') throw new DocumentFormatError(`the ${kind === 'note' ? 'title' : 'name'} (the "# " line) must not be empty`);
  const rest = lines.slice(first + 1);
  if (kind === 'note') return { title: heading, body: section(rest, false) };

  const ingredientsAt = rest.findIndex((l) => sectionName(l) === 'ingredients');
  const instructionsAt = rest.findIndex((l, i) => i > ingredientsAt && sectionName(l) === 'instructions');
  if (ingredientsAt < 0) throw new DocumentFormatError('a recipe needs an "## Ingredients" section');
  if (instructionsAt < 0) throw new DocumentFormatError('a recipe needs an "## Instructions" section after "## Ingredients"');
  const before = section(rest.slice(0, ingredientsAt));
  if (before !== '') throw new DocumentFormatError('put recipe text under "## Ingredients" or "## Instructions", not between the name and the sections');
  return {
    name: heading,
    ingredients: section(rest.slice(ingredientsAt + 1, instructionsAt)),
    instructions: section(rest.slice(instructionsAt + 1)),
  };
}

/** The fields whose value the document changed, compared the way the document shows them. */
export function changedFields(kind: EntryKind, current: EntryFields, edited: EntryFields): Record<string, string> {
  const shown = parseDocument(kind, formatDocument(kind, current));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(edited)) {
    if (shown[name] !== value) out[name] = value;
  }
  return out;
}

/** `shared-notes:/<id>/<title>.md`: the id identifies the entry, the title is there for the tab. */
export function documentPath(entry: { id: string; kind: EntryKind; title: string }): string {
  const name = entry.title.replace(/[\\/:*?"<>|\s]+/g, ' ').trim().slice(0, 60) || entry.kind;
  return `/${entry.id}/${name}.md`;
}

/** The entry id of a document path, or undefined for paths that are not entries. */
export function entryIdOfPath(path: string): string | undefined {
  const m = /^\/([0-9a-f]{32})(\/|$)/.exec(path);
  return m?.[1];
}

function sectionName(line: string): string | undefined {
  if (line.startsWith('\\')) return undefined;
  return SECTION.exec(line)?.[1]?.toLowerCase();
}

/** Section text without the blank lines around it, unescaped. */
function section(lines: readonly string[], unescape = true): string {
  let start = 0;
  let end = lines.length;
  while (start < end && (lines[start] ?? '').trim() === '') start++;
  while (end > start && (lines[end - 1] ?? '').trim() === '') end--;
  return lines
    .slice(start, end)
    .map((l) => (unescape && SECTION.test(l) && l.startsWith('\\') ? l.slice(1) : l))
    .join('\n');
}

function escapeSections(text: string): string {
  return text
    .split('\n')
    .map((l) => (SECTION.test(l) ? `\\${l}` : l))
    .join('\n');
}

/** A title is one line in the document; line breaks in a stored title are shown as spaces. */
const titleLine = (title: string): string => title.replace(/\s*\n\s*/g, ' ');
