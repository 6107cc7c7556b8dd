import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fieldsOf } from '../../src/core/entry-markdown.js';
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

  it('caps the number of files one import takes', async () => {
    const dir = await tempDir();
    for (const n of [1, 2, 3]) await writeFile(join(dir, `${n}.md`), `# N${n}\n`);
    const { log } = await memoryNoteLog();
    const report = await importMarkdown(log, dir, memoryLogger(), { maxFiles: 2 });
    assert.equal(report.imported.length, 2);
    assert.match(report.skipped[0]?.reason ?? '', /over the limit of 2 files/);
  });
});
