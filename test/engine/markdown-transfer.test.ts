import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MAX_TITLE_LENGTH } from '../../src/core/constants.js';
import { fieldsOf } from '../../src/core/entry-markdown.js';
import { parseMarkdownFile, titleFromFileName } from '../../src/core/markdown-file.js';
import type { NoteLog } from '../../src/core/note-log.js';
import { memoryLogger } from '../../src/core/logger.js';
import { exportMarkdown, importMarkdown } from '../../src/engine/markdown-transfer.js';
import { memoryNoteLog } from '../helpers/core.js';

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sn-markdown-'));
  dirs.push(dir);
  return dir;
};
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('markdown export and import', () => {
  it('exports every entry (drafts marked) and imports them into another space as drafts with the same content', async () => {
    const { log: ann } = await memoryNoteLog('Ann');
    const soup = await ann.createNote({ title: 'Soup', body: '## Leeks\n\n- two leeks\n- one potato\n' });
    await ann.publish(soup.id);
    await ann.createNote({ title: 'Soup', body: 'another soup' });
    await ann.createRecipe({ name: 'Pie: "apple"/pear', ingredients: 'apples\n## Instructions (not a heading here)', instructions: 'bake' });
    const dir = join(await tempDir(), 'export');
    const report = await exportMarkdown(ann, dir);
    assert.equal(report.files.length, 3);
    assert.deepEqual((await readdir(dir)).sort(), ['Pie apple pear.md', 'Soup (2).md', 'Soup.md']);
    const first = await readFile(join(dir, 'Soup.md'), 'utf8');
    assert.match(first, new RegExp(`^---\\nid: ${soup.id}\\nkind: note\\nstate: published\\nauthor: "Ann"\\n`));
    assert.match(await readFile(join(dir, 'Soup (2).md'), 'utf8'), /\nstate: draft\n/);

    const { log: bob } = await memoryNoteLog('Bob', 'dev-bob');
    const imported = await importMarkdown(bob, dir, memoryLogger());
    assert.deepEqual(imported.skipped, []);
    assert.equal(imported.imported.length, 3);
    const drafts = bob.list().entries;
    assert.ok(drafts.every((e) => e.state === 'draft' && e.author.name === 'Bob'));
    const contents = (entries: typeof drafts) => entries.map((e) => JSON.stringify(fieldsOf(e))).sort();
    assert.deepEqual(contents(drafts), contents(ann.list().entries));

    // Exporting again into the same folder never replaces a file.
    const again = await exportMarkdown(ann, dir, [soup.id]);
    assert.deepEqual(again.files.map((f) => f.file), ['Soup (3).md']);
    // Importing the export back into the space it came from skips what is already there.
    const back = await importMarkdown(ann, dir, memoryLogger());
    assert.equal(back.imported.length, 0);
    assert.equal(back.skipped.length, 4);
    assert.ok(back.skipped.every((s) => /already in the space as [0-9a-f]{8} with the same content/.test(s.reason)));
  });

  it('reports every file it skipped, and why', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'good.md'), '# Fine\n\ntext\n');
    await writeFile(join(dir, 'plain.markdown'), 'no title line here\n');
    await writeFile(join(dir, 'picture.png'), 'x');
    await writeFile(join(dir, 'latin1.md'), Buffer.from([0x23, 0x20, 0xe9, 0x0a]));
    await writeFile(join(dir, 'front.md'), '---\nkind: poem\n---\n# T\n');
    await writeFile(join(dir, 'huge.md'), '');
    await truncate(join(dir, 'huge.md'), 9 * 1024 * 1024);
    await symlink(join(dir, 'gone.md'), join(dir, 'dangling.md'));
    await mkdir(join(dir, 'sub.md'));
    execFileSync('mkfifo', [join(dir, 'pipe.md')]);
    const { log } = await memoryNoteLog();
    const report = await importMarkdown(log, dir, memoryLogger());
    assert.deepEqual(report.imported.map((i) => [i.file, i.title]), [['good.md', 'Fine'], ['plain.markdown', 'plain']]);
    const reasons = Object.fromEntries(report.skipped.map((s) => [s.file, s.reason]));
    assert.deepEqual(Object.keys(reasons).sort(), ['dangling.md', 'front.md', 'huge.md', 'latin1.md', 'picture.png', 'pipe.md', 'sub.md']);
    assert.match(reasons['picture.png']!, /not markdown/);
    assert.match(reasons['latin1.md']!, /not UTF-8/);
    assert.match(reasons['front.md']!, /bad front matter: line 2: unknown kind "poem"/);
    assert.match(reasons['huge.md']!, /too large \(9,437,184 bytes; the limit is 8,388,608\)/);
    assert.match(reasons['dangling.md']!, /unreadable: the file or folder no longer exists/);
    assert.match(reasons['sub.md']!, /a folder/);
    assert.match(reasons['pipe.md']!, /not a regular file/);
    await assert.rejects(importMarkdown(log, join(dir, 'missing'), memoryLogger()), { name: 'InvalidInputError' });
  });

  it('creates in bulk the same drafts as one create per file did, across read windows, with progress', async () => {
    const dir = await tempDir();
    const n = 1_100; // more than one window of files read (1,000)
    const names: string[] = [];
    for (let i = 0; i < n; i++) {
      const name = `file ${String(i).padStart(4, '0')}.md`;
      const text = i % 7 === 0 ? `# Cake ${i}\n\n## Ingredients\n\n- ${i} eggs\n\n## Instructions\n\nBake ${i} minutes.\n` : i % 50 === 3 ? `plain text ${i}, no title line\n` : `# Note ${i}\n\nbody ${i}\n- a list\n`;
      await writeFile(join(dir, name), text);
      names.push(name);
    }
    await writeFile(join(dir, 'zz long title.md'), `# ${'x'.repeat(MAX_TITLE_LENGTH + 1)}\n\nbody\n`);
    // The path as it was: one createNote / createRecipe (one change) per file.
    const { log: one } = await memoryNoteLog('Ann');
    const create = (log: NoteLog, name: string, text: string) => {
      const { kind, fields } = parseMarkdownFile(text, titleFromFileName(name));
      return kind === 'note'
        ? log.createNote({ title: fields.title ?? '', body: fields.body ?? '' })
        : log.createRecipe({ name: fields.name ?? '', ingredients: fields.ingredients ?? '', instructions: fields.instructions ?? '' });
    };
    for (const name of names) await create(one, name, await readFile(join(dir, name), 'utf8'));
    const longText = await readFile(join(dir, 'zz long title.md'), 'utf8');
    const oneError = await Promise.resolve().then(() => create(one, 'zz long title.md', longText)).then(() => undefined, (err: Error) => err.message);

    const { log: bulk } = await memoryNoteLog('Ann');
    const progress: number[] = [];
    const report = await importMarkdown(bulk, dir, memoryLogger(), { onProgress: (p) => progress.push(p.done) });
    assert.equal(report.imported.length, n);
    assert.deepEqual(report.skipped, [{ file: 'zz long title.md', reason: oneError }], 'an invalid file is skipped with the reason a single create gives');
    assert.ok(progress.length > 2 && progress.every((p, i) => i === 0 || p >= progress[i - 1]!), 'progress grows');
    assert.equal(progress.at(-1), n + 1);
    const shape = (log: NoteLog) =>
      log.list().entries.map((e) => JSON.stringify([e.kind, e.state, e.author, fieldsOf(e)])).sort();
    assert.deepEqual(shape(bulk), shape(one));
    const byFile = new Map(report.imported.map((i) => [i.file, i]));
    assert.equal(byFile.get('file 0007.md')?.kind, 'recipe');
    assert.equal(byFile.get('file 0003.md')?.title, 'file 0003');
    assert.equal(bulk.get(byFile.get('file 0007.md')!.id)?.status, 'valid');
    assert.deepEqual(bulk.historyOf(byFile.get('file 1099.md')!.id).map((h) => h.op), ['create']);
    assert.ok(bulk.local.changeCount() < n / 10, `${bulk.local.changeCount()} changes for ${n} drafts`);
    // And it round-trips: exported, then imported into another space, the same contents.
    const out = join(await tempDir(), 'out');
    assert.equal((await exportMarkdown(bulk, out)).files.length, n);
    const { log: other } = await memoryNoteLog('Bob', 'dev-bob');
    const back = await importMarkdown(other, out, memoryLogger());
    assert.deepEqual([back.imported.length, back.skipped.length], [n, 0]);
    const contents = (log: NoteLog) => log.list().entries.map((e) => JSON.stringify(fieldsOf(e))).sort();
    assert.deepEqual(contents(other), contents(bulk));
  });

  it('caps the number of files one import takes', async () => {
    const dir = await tempDir();
    for (const n of [1, 2, 3]) await writeFile(join(dir, `${n}.md`), `# N${n}\n`);
    const { log } = await memoryNoteLog();
    const report = await importMarkdown(log, dir, memoryLogger(), { maxFiles: 2 });
    assert.equal(report.imported.length, 2);
    assert.match(report.skipped[0]?.reason ?? '', /over the limit of 2 files/);
  });
});
