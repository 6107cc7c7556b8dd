/**
 * The disk side of markdown export and import: listing a folder, reading one file within a size
 * bound, writing new files without ever overwriting one. The format is core's markdown-file.ts.
 */
import { mkdir, open, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError, StoreWriteError } from '../core/errors.js';
import { isMarkdownFileName } from '../core/markdown-file.js';
import { describeFsError, errorCode } from './durable-files.js';

/** A file or folder of an import folder that is not read, and why. */
export interface SkippedFile {
  readonly file: string;
  readonly reason: string;
}

export interface MarkdownFolderListing {
  /** Names of the markdown files directly in the folder, sorted. */
  readonly files: string[];
  readonly skipped: SkippedFile[];
}

export type FileText = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

/** The markdown files directly in `dir`; everything else is reported as skipped, with the reason. */
export async function listMarkdownFolder(dir: string, maxFiles: number): Promise<MarkdownFolderListing> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new InvalidInputError(`cannot read the folder ${dir}: ${describeFsError(err)}`, { cause: err });
  }
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.isDirectory()) skipped.push({ file: entry.name, reason: 'a folder (only the files directly in the folder are imported)' });
    else if (!isMarkdownFileName(entry.name)) skipped.push({ file: entry.name, reason: 'not markdown (.md or .markdown)' });
    else if (files.length >= maxFiles) skipped.push({ file: entry.name, reason: `over the limit of ${maxFiles.toLocaleString('en')} files per import` });
    else files.push(entry.name);
  }
  return { files, skipped };
}

/** One file as UTF-8 text, or why not: too large (checked before reading), not UTF-8, unreadable. */
export async function readTextFile(path: string, maxBytes: number): Promise<FileText> {
  let handle;
  try {
    // Checked before opening: opening a named pipe would wait for a writer.
    const info = await stat(path);
    if (!info.isFile()) return { ok: false, reason: 'not a regular file' };
    if (info.size > maxBytes) return { ok: false, reason: `too large (${info.size.toLocaleString('en')} bytes; the limit is ${maxBytes.toLocaleString('en')})` };
    handle = await open(path, 'r');
    // Read at most one byte past the limit: a file that grew meanwhile is still refused.
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, info.size + 1));
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) return { ok: false, reason: `too large (over ${maxBytes.toLocaleString('en')} bytes)` };
    try {
      return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, length)) };
    } catch {
      return { ok: false, reason: 'not UTF-8 text' };
    }
  } catch (err) {
    return { ok: false, reason: `unreadable: ${describeFsError(err)}` };
  } finally {
    await handle?.close();
  }
}

/** Names already in `dir` (lower-cased), so new files never replace one; empty when it does not exist yet. */
export async function existingNames(dir: string): Promise<Set<string>> {
  try {
    return new Set((await readdir(dir)).map((n) => n.toLowerCase()));
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return new Set();
    throw err;
  }
}

/** Writes new files into `dir` (created if needed), a few at a time; an existing file is never replaced. */
export async function writeNewFiles(dir: string, files: ReadonlyArray<{ name: string; text: string }>, concurrency = 16): Promise<void> {
  const fail = (what: string, err: unknown) => new StoreWriteError(`cannot write ${what}: ${describeFsError(err)}`, { cause: err });
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw fail(`the folder ${dir}`, err);
  }
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++]!;
      const path = join(dir, file.name);
      try {
        await writeFile(path, file.text, { flag: 'wx' });
      } catch (err) {
        throw fail(path, err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
}
