/**
 * `npm run bench -- --import`: markdown import and export at scale. Writes N realistic markdown
 * files (notes with bodies of a few hundred characters, one in five a recipe, a few without a
 * title line), imports them as drafts into a NoteLog on FileLogStores (fsync, as the CLI runs),
 * then exports the space again. Measures only; never asserts.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeviceId } from '../src/core/ids.js';
import { memoryLogger } from '../src/core/logger.js';
import { NoteLog } from '../src/core/note-log.js';
import { parseMarkdownFile, titleFromFileName } from '../src/core/markdown-file.js';
import { exportMarkdown, importMarkdown } from '../src/engine/markdown-transfer.js';
import { FileLogStore } from '../src/storage/file-log-store.js';
import { markdownBody, random } from './edited-fixture.js';
import { tempFolder } from './ours.js';

export interface ImportFigures {
  files: number;
  bytes: number;
  importMs: number;
  /** CPU time of the process during the import (all its threads): the work itself, whatever else runs on the machine. */
  importCpuMs: number;
  imported: number;
  skipped: number;
  exportMs: number;
  exported: number;
  /** The same files imported as before the bulk path: one createNote/createRecipe (one change, one append) per file, 256 at a time. */
  perFileMs?: number;
  perFileCpuMs?: number;
}

/** The import as it was before drafts were created in batches: read 256 files, create each as its own change, repeat. */
async function importOneByOne(log: NoteLog, source: string, names: readonly string[]): Promise<void> {
  for (let i = 0; i < names.length; i += 256) {
    const texts = await Promise.all(names.slice(i, i + 256).map(async (name) => [name, await readFile(join(source, name), 'utf8')] as const));
    await Promise.all(
      texts.map(([name, text]) => {
        const { kind, fields } = parseMarkdownFile(text, titleFromFileName(name));
        return kind === 'note'
          ? log.createNote({ title: fields.title ?? '', body: fields.body ?? '' })
          : log.createRecipe({ name: fields.name ?? '', ingredients: fields.ingredients ?? '', instructions: fields.instructions ?? '' });
      }),
    );
  }
}

const openLog = async (dir: string): Promise<NoteLog> =>
  NoteLog.open(
    { shared: await FileLogStore.open(join(dir, 'shared')), local: await FileLogStore.open(join(dir, 'local')), logger: memoryLogger('warn') },
    { author: { name: 'Bench', device: 'bench-device' as DeviceId } },
  );

/** `perFile`: also time the import as it was (one change per file) into a second space, for a before/after in one run. */
export async function benchImport(n: number, perFile = false): Promise<ImportFigures> {
  const dir = await tempFolder(`import-${n}`);
  const source = join(dir, 'source');
  await mkdir(source);
  const rnd = random(n);
  let bytes = 0;
  const texts: Array<[string, string]> = [];
  for (let i = 0; i < n; i++) {
    const body = markdownBody(rnd);
    const text =
      i % 5 === 0
        ? `# Recipe ${i}\n\n## Ingredients\n\n${body.split('\n').filter((l) => l.startsWith('- ')).join('\n')}\n\n## Instructions\n\n${body.split('\n')[2] ?? ''}\n`
        : i % 50 === 1
          ? body.replace(/^## .*\n\n/, '') // no title line: the file name is the title
          : `# Note ${i}\n\n${body}`;
    bytes += Buffer.byteLength(text);
    texts.push([`file ${String(i).padStart(6, '0')}.md`, text]);
  }
  for (let i = 0; i < texts.length; i += 256) await Promise.all(texts.slice(i, i + 256).map(([name, text]) => writeFile(join(source, name), text)));

  let before: Pick<ImportFigures, 'perFileMs' | 'perFileCpuMs'> = {};
  if (perFile) {
    const old = await openLog(join(dir, 'per-file'));
    try {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      await importOneByOne(old, source, texts.map(([name]) => name));
      const cpu = process.cpuUsage(cpuStart);
      before = { perFileMs: performance.now() - start, perFileCpuMs: (cpu.user + cpu.system) / 1000 };
    } finally {
      await old.close();
    }
  }
  const log = await openLog(dir);
  try {
    const importStart = performance.now();
    const cpuStart = process.cpuUsage();
    const report = await importMarkdown(log, source, memoryLogger('warn'));
    const cpu = process.cpuUsage(cpuStart);
    const importMs = performance.now() - importStart;
    const exportStart = performance.now();
    const exported = await exportMarkdown(log, join(dir, 'export'));
    const exportMs = performance.now() - exportStart;
    return { ...before, files: n, bytes, importMs, importCpuMs: (cpu.user + cpu.system) / 1000, imported: report.imported.length, skipped: report.skipped.length, exportMs, exported: exported.files.length };
  } finally {
    await log.close();
  }
}
