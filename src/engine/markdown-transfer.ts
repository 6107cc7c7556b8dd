/**
 * Markdown export and import of a space: entries to a folder of `.md` files (one per entry, with
 * front matter), and a folder of markdown files to drafts. Format: core's markdown-file.ts; disk:
 * storage's markdown-folder.ts. Both front ends call these through SpacePeer.
 */
import { join } from 'node:path';
import { checkedDraft, type NewDraft } from '../core/bulk-create.js';
import { fieldsOf } from '../core/entry-markdown.js';
import { titleOf, type Entry, type EntryKind, type EntryState } from '../core/entry.js';
import { EntryNotFoundError, InvalidInputError } from '../core/errors.js';
import { isEntryId, type EntryId } from '../core/ids.js';
import { idsByShard } from '../core/shards/shard-id.js';
import {
  fileNameFor, formatMarkdownFile, MarkdownFileError, MAX_MARKDOWN_FILE_BYTES, parseMarkdownFile, titleFromFileName, type MarkdownFile,
} from '../core/markdown-file.js';
import type { NoteLog } from '../core/note-log.js';
import type { Logger } from '../core/ports.js';
import { existingNames, listMarkdownFolder, readTextFile, writeNewFiles, type SkippedFile } from '../storage/markdown-folder.js';
import { shortId } from '../core/text.js';

/** Files read, then created as drafts (NoteLog.createDrafts: one change per 100), per round; the next round's files are read meanwhile. */
const IMPORT_WINDOW = 1_000;
/** Files being read at once. */
const READ_CONCURRENCY = 32;
/** Most files one import takes; the rest are reported as skipped. */
export const MAX_IMPORT_FILES = 100_000;

export interface ExportedFile {
  readonly id: EntryId;
  readonly file: string;
  readonly kind: EntryKind;
  readonly state: EntryState;
  readonly title: string;
}
export interface ExportReport {
  readonly dir: string;
  readonly files: ExportedFile[];
}

export interface ImportedFile {
  readonly file: string;
  readonly id: EntryId;
  readonly kind: EntryKind;
  readonly title: string;
}
/** How far an import is: files handled (created or skipped) of all the files listed. */
export interface ImportProgress {
  readonly done: number;
  readonly total: number;
}
export interface ImportOptions {
  /** Most files taken (default MAX_IMPORT_FILES); the rest are reported as skipped. */
  readonly maxFiles?: number;
  /** Called as files are handled (after each batch of drafts written). */
  readonly onProgress?: (progress: ImportProgress) => void;
}
export interface ImportReport {
  readonly dir: string;
  /** Each file that became a draft (new id), by file name. */
  readonly imported: ImportedFile[];
  /** Each file or folder that did not, and why, by file name. */
  readonly skipped: SkippedFile[];
}

/**
 * Writes `ids` (default: every draft and published entry) into `dir` as new markdown files; the
 * folder is created if needed and no existing file is replaced (names get " (2)" instead).
 */
export async function exportMarkdown(log: NoteLog, dir: string, ids?: readonly EntryId[]): Promise<ExportReport> {
  const entries: Entry[] = [];
  // A shard at a time (on a sharded space): each group is loaded, read, and may then be evicted.
  for (const group of idsByShard(ids ?? log.summaries().entries.map((e) => e.id)).values()) {
    await log.load(group);
    for (const id of group) entries.push(validEntry(log, id));
  }
  // Oldest first: the first "Soup" keeps the plain name in every export of the space.
  const ordered = [...entries].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  const taken = await existingNames(dir);
  const files = ordered.map((entry) => ({ entry, name: fileNameFor(titleOf(entry), entry.kind, taken), text: formatMarkdownFile(entry) }));
  await writeNewFiles(dir, files);
  return { dir, files: files.map(({ entry, name }) => ({ id: entry.id, file: name, kind: entry.kind, state: entry.state, title: titleOf(entry) })) };
}

/**
 * Creates a draft from each markdown file directly in `dir` (authored by this device, new ids).
 * Files that are not markdown, too large, unreadable, not UTF-8, with bad front matter, or already
 * in the space with the same content (a re-imported export) are skipped, each with its reason.
 * Files are read READ_CONCURRENCY at a time and the drafts written together (NoteLog.createDrafts:
 * one change and one durable append per batch, not per file).
 */
export async function importMarkdown(log: NoteLog, dir: string, logger: Logger, options: ImportOptions = {}): Promise<ImportReport> {
  const listing = await listMarkdownFolder(dir, options.maxFiles ?? MAX_IMPORT_FILES);
  const imported: ImportedFile[] = [];
  const skipped: SkippedFile[] = [...listing.skipped];
  const total = listing.files.length;
  const windows: string[][] = [];
  for (let i = 0; i < total; i += IMPORT_WINDOW) windows.push(listing.files.slice(i, i + IMPORT_WINDOW));
  let done = 0;
  let reading = windows.length > 0 ? readAll(dir, windows[0]!) : undefined;
  for (let w = 0; w < windows.length; w++) {
    const parsed = await reading!;
    reading = w + 1 < windows.length ? readAll(dir, windows[w + 1]!) : undefined;
    // Awaited next round; if this round fails first, its failure is the one reported.
    reading?.catch((err: unknown) => logger.debug(`import from ${dir}: reading stopped: ${String(err)}`));
    const files: string[] = [];
    const drafts: NewDraft[] = [];
    // Entries the files say they were exported from, at hand for the comparison below.
    await log.load(parsed.flatMap((p) => ('reason' in p || !isEntryId(p.markdown.meta.id) ? [] : [p.markdown.meta.id])));
    for (const p of parsed) {
      if ('reason' in p) {
        skipped.push(p);
        continue;
      }
      const already = alreadyHere(log, p.markdown);
      if (already) {
        skipped.push({ file: p.file, reason: `already in the space as ${shortId(already)} with the same content` });
        continue;
      }
      const draft = draftOf(p.markdown);
      try {
        checkedDraft(draft);
      } catch (err) {
        if (!(err instanceof InvalidInputError)) throw err;
        skipped.push({ file: p.file, reason: err.message });
        continue;
      }
      files.push(p.file);
      drafts.push(draft);
    }
    const before = done;
    const skippedHere = parsed.length - drafts.length;
    const entries = await log.createDrafts(drafts, (made) => options.onProgress?.({ done: before + skippedHere + made, total }));
    entries.forEach((entry, i) => imported.push({ file: files[i]!, id: entry.id, kind: entry.kind, title: titleOf(entry) }));
    done += parsed.length;
    options.onProgress?.({ done, total });
  }
  const byFile = (a: { file: string }, b: { file: string }) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
  imported.sort(byFile);
  skipped.sort(byFile);
  for (const s of skipped) logger.info(`import from ${dir}: skipped ${s.file}: ${s.reason}`);
  logger.info(`import from ${dir}: ${imported.length} draft(s) created, ${skipped.length} skipped`);
  return { dir, imported, skipped };
}

/** Reads and parses `names`, READ_CONCURRENCY at a time, in their order. */
async function readAll(dir: string, names: readonly string[]): Promise<Array<SkippedFile | { file: string; markdown: MarkdownFile }>> {
  const out: Array<SkippedFile | { file: string; markdown: MarkdownFile }> = new Array(names.length);
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const i = next++;
      out[i] = await readMarkdown(dir, names[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, names.length) }, worker));
  return out;
}

async function readMarkdown(dir: string, file: string): Promise<SkippedFile | { file: string; markdown: MarkdownFile }> {
  const read = await readTextFile(join(dir, file), MAX_MARKDOWN_FILE_BYTES);
  if (!read.ok) return { file, reason: read.reason };
  try {
    return { file, markdown: parseMarkdownFile(read.text, titleFromFileName(file)) };
  } catch (err) {
    if (!(err instanceof MarkdownFileError)) throw err;
    return { file, reason: err.message };
  }
}

function draftOf({ kind, fields }: MarkdownFile): NewDraft {
  return kind === 'note'
    ? { kind, fields: { title: fields.title ?? '', body: fields.body ?? '' } }
    : { kind, fields: { name: fields.name ?? '', ingredients: fields.ingredients ?? '', instructions: fields.instructions ?? '' } };
}

/** The id of the entry a file was exported from, when the space still holds it with the same content. */
function alreadyHere(log: NoteLog, { meta, kind, fields }: MarkdownFile): EntryId | undefined {
  if (meta.id === undefined) return undefined;
  const read = log.get(meta.id);
  if (read?.status !== 'valid' || read.entry.kind !== kind) return undefined;
  const current = fieldsOf(read.entry);
  return Object.keys(current).every((k) => current[k] === fields[k]) ? meta.id : undefined;
}

function validEntry(log: NoteLog, id: EntryId): Entry {
  const read = log.get(id);
  if (!read) throw new EntryNotFoundError(`no entry with id ${id}`);
  if (read.status === 'deleted') throw new EntryNotFoundError(`entry ${id} was deleted (restore it to export it)`);
  if (read.status === 'invalid') throw new InvalidInputError(`entry ${id} is invalid (${read.invalid.reason}); it cannot be exported`);
  return read.entry;
}

