/**
 * `search`, `export` and `import` in real CLI peer processes: a search sees local edits and what
 * arrives from a peer at once (no rebuild), and a space exported by one peer is imported by
 * another as drafts, with every file it skipped reported.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CLI, CliPeer, tempDir, type Line } from '../helpers/cli-peer.js';

const peers: CliPeer[] = [];
const dirs: string[] = [];
async function dir(name: string): Promise<string> {
  const d = await tempDir(`sn-${name}-`);
  dirs.push(d);
  return d;
}
async function start(name: string, extra: string[] = []): Promise<CliPeer> {
  const peer = await CliPeer.start(name, await dir(name), extra);
  peers.push(peer);
  return peer;
}
after(async () => {
  await Promise.all(peers.map((p) => p.kill()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

type Hit = { id: string; field: string; title: string; snippet: { text: string; matchStart: number; matchEnd: number } };
const hitsOf = (l: Line) => l.hits as Hit[];
const matched = (h: Hit) => h.snippet.text.slice(h.snippet.matchStart, h.snippet.matchEnd);
const idOf = (l: Line) => (l.entry as { id: string }).id;

describe('CLI search, export and import', { timeout: 180_000 }, () => {
  it('finds local and arriving entries by any word, ignoring case and accents, with the match in context', async () => {
    const ann = await start('Ann', ['--new-space', 'Kitchen']);
    const bob = await start('Bob', ['--join', ann.ready.invite]);
    const brulee = idOf(await ann.run('create recipe Crème brûlée|cream, sugar, eggs|Bake in a bain-marie, then caramelise the sugar'));
    await ann.run(`publish ${brulee}`);
    const soup = idOf(await ann.run('create note Winter soup|Leeks, potatoes\\nSimmer 30 minutes'));

    let r = await ann.run('search CREME');
    assert.equal(r.total, 1);
    assert.equal(hitsOf(r)[0]?.id, brulee);
    assert.equal(matched(hitsOf(r)[0]!), 'Crème');
    r = await ann.run('search simmer leeks');
    assert.deepEqual(hitsOf(r).map((h) => h.id), [soup]);
    assert.equal(hitsOf(r)[0]?.field, 'body');

    // A local edit is found at once; the old word is gone.
    await ann.run(`edit ${soup} body=Leeks, potatoes\\nStew 30 minutes`);
    assert.equal((await ann.run('search simmer')).total, 0);
    assert.equal((await ann.run('search stew')).total, 1);

    // What arrives from a peer is searchable as soon as it arrived (here by a whole-document catch-up).
    r = await bob.until('the recipe arrived', () => bob.run('search caramélise'), (l) => l.total === 1);
    assert.equal(hitsOf(r)[0]?.field, 'instructions');
    assert.equal(matched(hitsOf(r)[0]!), 'caramelise');
    const pancakes = idOf(await bob.run('create note Pancakes|for Zoë'));
    await bob.run(`publish ${pancakes}`);
    // And after a change arrived by gossip.
    await ann.waitFor((l) => l.type === 'entry' && l.id === pancakes, 30_000);
    r = await ann.run('search bob');
    assert.deepEqual(hitsOf(r).map((h) => [h.id, h.field]), [[pancakes, 'author']], 'authors are searched');
    assert.equal((await ann.run('search zoe')).total, 1);
    assert.equal((await ann.run('search nothing-like-this')).total, 0);
  });

  it('exports a space to markdown files and imports them in another peer as drafts, reporting what it skipped', async () => {
    const ann = peers[0]!;
    const out = join(await dir('export'), 'Kitchen notes');
    const exported = await ann.run(`export "${out}"`);
    const files = (exported.files as Array<{ file: string; state: string }>).map((f) => f.file).sort();
    assert.deepEqual(files, ['Crème brûlée.md', 'Pancakes.md', 'Winter soup.md']);
    assert.deepEqual((await readdir(out)).sort(), files);
    const soupFile = await readFile(join(out, 'Winter soup.md'), 'utf8');
    assert.match(soupFile, /^---\nid: [0-9a-f]{32}\nkind: note\nstate: draft\nauthor: "Ann"\n/);
    assert.ok(soupFile.endsWith('---\n# Winter soup\n\nLeeks, potatoes\nStew 30 minutes\n'));
    await writeFile(join(out, 'photo.jpg'), 'not text');
    await writeFile(join(out, 'broken.md'), '---\nkind: recipe\n---\n# No sections\n');

    const cy = await start('Cy', ['--new-space', 'Elsewhere']);
    const report = await cy.run(`import "${out}"`);
    const imported = report.imported as Array<{ file: string; id: string }>;
    assert.deepEqual(imported.map((i) => i.file), ['Crème brûlée.md', 'Pancakes.md', 'Winter soup.md']);
    assert.deepEqual(report.skipped, [
      { file: 'broken.md', reason: 'not a recipe as exported: a recipe needs an "## Ingredients" section' },
      { file: 'photo.jpg', reason: 'not markdown (.md or .markdown)' },
    ]);
    const list = await cy.run('ls');
    const entries = list.entries as Array<{ state: string; author: { name: string } }>;
    assert.equal(entries.length, 3);
    assert.ok(entries.every((e) => e.state === 'draft' && e.author.name === 'Cy'));
    const recipe = await cy.show(imported[0]!.id);
    assert.deepEqual(
      { name: (recipe.entry as Record<string, string>).name, instructions: (recipe.entry as Record<string, string>).instructions },
      { name: 'Crème brûlée', instructions: 'Bake in a bain-marie, then caramelise the sugar' },
    );
    // Export of a selection by id prefix, into the same folder: new names, nothing replaced.
    const pancakes = ((await ann.run('search pancakes')).hits as Hit[])[0]!.id;
    const again = await ann.run(`export "${out}" ${pancakes.slice(0, 6)}`);
    assert.deepEqual((again.files as Array<{ file: string }>).map((f) => f.file), ['Pancakes (2).md']);
  });

  it('prints readable results without --json', async () => {
    const data = await dir('plain');
    const child = spawn(process.execPath, [CLI, '--data', data, '--no-mdns', '--name', 'Dee', '--listen', '/ip4/127.0.0.1/tcp/0/ws', '--new-space', 'Plain'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stdin.end('create note Garage sale|Saturday morning, bring the old bikes\nsearch BIKES\nsearch nope\n');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
    assert.match(stdout, /\n1 entry matches "BIKES"\n {2}[0-9a-f]{8} {2}note {4}Garage sale +Dee · .*\[draft\]\n {12}body: Saturday morning, bring the old \[bikes\]\n/);
    assert.match(stdout, /\nno entry matches "nope"\n/);
  });
});
