/**
 * An entry as a markdown file of its own (export and import), and the file names given to them.
 * Pure: the files are read and written by src/storage/markdown-folder.ts.
 *
 *   ---
 *   id: 5f0c…(32 hex)
 *   kind: note | recipe
 *   state: draft | published
 *   author: "Ann"
 *   device: "9c1e…"
 *   created: 2026-12-01T10:00:00.000Z
 *   updated: 2026-12-01T10:05:00.000Z
 *   ---
 *   <the entry's document, as the editor shows it (entry-markdown.ts)>
 *
 * The front matter is a small subset of YAML: `key: value` lines, strings in JSON double quotes
 * (any text survives), bare words and ISO dates. Unknown keys are ignored (other tools add some).
 */
import { MAX_TEXT_LENGTH, MAX_TITLE_LENGTH } from './constants.js';
import { fieldsOf, formatDocument, parseDocument, type EntryFields } from './entry-markdown.js';
import { EDITABLE_FIELDS, type Entry, type EntryKind, type EntryState } from './entry.js';
import { SharedNotesError } from './errors.js';
import { isEntryId, type EntryId } from './ids.js';

/** A file that cannot be imported: `message` says why, for the import report. */
export class MarkdownFileError extends SharedNotesError {}

/** File name endings taken as markdown. */
export const MARKDOWN_EXTENSIONS: readonly string[] = ['.md', '.markdown'];
/** Largest file imported (bytes on disk); the fields are then checked against the entry limits. */
export const MAX_MARKDOWN_FILE_BYTES = 8 * 1024 * 1024;
/** Front matter longer than this (characters) is refused before it is parsed. */
const MAX_FRONT_MATTER = 16 * 1024;
/** File names stay well under the 255-byte limit of common file systems. */
const MAX_NAME_BYTES = 120;

export interface MarkdownMeta {
  readonly id?: EntryId;
  readonly kind?: EntryKind;
  readonly state?: EntryState;
  readonly author?: string;
  readonly device?: string;
  readonly created?: number;
  readonly updated?: number;
}

export interface MarkdownFile {
  readonly meta: MarkdownMeta;
  readonly kind: EntryKind;
  readonly fields: EntryFields;
}

export function formatMarkdownFile(entry: Entry): string {
  const lines = [
    '---',
    `id: ${entry.id}`,
    `kind: ${entry.kind}`,
    `state: ${entry.state}`,
    `author: ${JSON.stringify(entry.author.name)}`,
    `device: ${JSON.stringify(entry.author.device)}`,
    `created: ${new Date(entry.createdAt).toISOString()}`,
    `updated: ${new Date(entry.updatedAt).toISOString()}`,
    '---',
  ];
  return `${lines.join('\n')}\n${formatDocument(entry.kind, fieldsOf(entry))}`;
}

/**
 * The entry a markdown file holds. With front matter, its `kind` decides how the text is read;
 * without, a text with "## Ingredients" and "## Instructions" sections is a recipe (as exported)
 * and anything else a note; a text without a "# Title" line is a note titled `fallbackTitle`.
 * Throws MarkdownFileError saying what is wrong.
 */
export function parseMarkdownFile(text: string, fallbackTitle: string): MarkdownFile {
  const { meta, rest } = splitFrontMatter(text.replace(/^\ufeff/, ''));
  const { kind, fields } = readDocument(meta.kind, rest, fallbackTitle);
  for (const [field, type] of Object.entries(EDITABLE_FIELDS[kind])) {
    const value = fields[field] ?? '';
    const max = type === 'title' ? MAX_TITLE_LENGTH : MAX_TEXT_LENGTH;
    if (value.length > max) throw new MarkdownFileError(`the ${field} is ${value.length.toLocaleString('en')} characters; the limit is ${max.toLocaleString('en')}`);
  }
  return { meta, kind, fields };
}

function readDocument(declared: EntryKind | undefined, text: string, fallbackTitle: string): { kind: EntryKind; fields: EntryFields } {
  if (declared !== undefined) {
    try {
      return { kind: declared, fields: parseDocument(declared, text) };
    } catch (err) {
      if (!(err instanceof SharedNotesError)) throw err;
      throw new MarkdownFileError(`not a ${declared} as exported: ${err.message}`);
    }
  }
  for (const kind of looksLikeRecipe(text) ? (['recipe', 'note'] as const) : (['note'] as const)) {
    try {
      return { kind, fields: parseDocument(kind, text) };
    } catch (err) {
      if (!(err instanceof SharedNotesError)) throw err;
    }
  }
  // Plain markdown without a "# " title line: the file name is the title, the whole text the body.
  return { kind: 'note', fields: { title: fallbackTitle.trim() || 'Untitled', body: text.replace(/\r\n?/g, '\n').replace(/\n$/, '') } };
}

function looksLikeRecipe(text: string): boolean {
  return /^## +ingredients\s*$/im.test(text) && /^## +instructions\s*$/im.test(text);
}

function splitFrontMatter(text: string): { meta: MarkdownMeta; rest: string } {
  if (!/^---\r?\n/.test(text)) return { meta: {}, rest: text };
  const end = /\r?\n---[ \t]*(\r?\n|$)/.exec(text.slice(0, MAX_FRONT_MATTER + 8));
  if (!end) throw new MarkdownFileError(`bad front matter: no closing "---" line within ${MAX_FRONT_MATTER / 1024} KiB`);
  const block = text.slice(text.indexOf('\n') + 1, end.index);
  const meta: Record<string, unknown> = {};
  for (const [i, line] of block.split(/\r?\n/).entries()) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const m = /^([A-Za-z][\w-]*):[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!m) throw new MarkdownFileError(`bad front matter: line ${i + 2} is not "key: value"`);
    const key = m[1]!.toLowerCase();
    if (!(key in READERS)) continue;
    meta[key] = READERS[key]!(scalar(m[2]!, i + 2), i + 2);
  }
  return { meta: meta as MarkdownMeta, rest: text.slice(end.index + end[0].length) };
}

/** A YAML-like scalar: "JSON string", 'single quoted', or bare. */
function scalar(raw: string, line: number): string {
  if (raw.startsWith('"')) {
    try {
      const value: unknown = JSON.parse(raw);
      if (typeof value === 'string') return value;
    } catch {
      // reported below
    }
    throw new MarkdownFileError(`bad front matter: line ${line} has a malformed quoted string`);
  }
  if (raw.startsWith("'") && raw.endsWith("'") && raw.length >= 2) return raw.slice(1, -1).replace(/''/g, "'");
  return raw;
}

const bad = (what: string, line: number): never => {
  throw new MarkdownFileError(`bad front matter: line ${line}: ${what}`);
};
const date = (value: string, line: number): number => {
  const t = Date.parse(value);
  return Number.isFinite(t) && t >= 0 ? t : bad(`"${value.slice(0, 40)}" is not a date`, line);
};
const READERS: Readonly<Record<string, (value: string, line: number) => unknown>> = {
  id: (v, line) => (isEntryId(v.toLowerCase()) ? v.toLowerCase() : bad('id is not 32 hex digits', line)),
  kind: (v, line) => (v === 'note' || v === 'recipe' ? v : bad(`unknown kind "${v.slice(0, 20)}" (note or recipe)`, line)),
  state: (v, line) => (v === 'draft' || v === 'published' ? v : bad(`unknown state "${v.slice(0, 20)}" (draft or published)`, line)),
  author: (v, line) => (v.length <= 100 ? v : bad('author is over 100 characters', line)),
  device: (v, line) => (v.length <= 100 ? v : bad('device is over 100 characters', line)),
  created: date,
  updated: date,
};

/**
 * A file name for an entry titled `title`: characters that are not allowed (or awkward) in file
 * names on common systems become spaces, at most MAX_NAME_BYTES of UTF-8, never a reserved
 * Windows name, and unique in `taken` (lower-cased names already used; the new one is added).
 */
export function fileNameFor(title: string, kind: EntryKind, taken: Set<string>): string {
  let base = title
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\\/:*?"<>|]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  base = cutToBytes(base, MAX_NAME_BYTES).trimEnd() || kind;
  if (/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(base)) base = `_${base}`;
  let name = `${base}.md`;
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base} (${n}).md`;
  taken.add(name.toLowerCase());
  return name;
}

function cutToBytes(text: string, max: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= max) return text;
  let out = '';
  let bytes = 0;
  for (const cp of text) {
    const n = encoder.encode(cp).length;
    if (bytes + n > max) break;
    out += cp;
    bytes += n;
  }
  return out;
}

/** The title an imported file falls back to: its name without the markdown ending. */
export function titleFromFileName(file: string): string {
  const lower = file.toLowerCase();
  const ending = MARKDOWN_EXTENSIONS.find((e) => lower.endsWith(e));
  return ending ? file.slice(0, -ending.length) : file;
}

export const isMarkdownFileName = (file: string): boolean => titleFromFileName(file) !== file;
