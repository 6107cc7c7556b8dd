/**
 * Co-editing through real CLI peers: a member edits while cut off from the others (its known
 * peers forgotten, no bootstrap), the others change the same entry meanwhile, then it rejoins.
 * Concurrent title edits show as a conflict that `resolve` ends; a delete that raced an edit is
 * undone by `restore` with the edited text; `history` shows the values; `edit ID@VERSION` merges.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CliPeer, tempDir, type Line } from '../helpers/cli-peer.js';

const peers: CliPeer[] = [];
const dirs: string[] = [];
after(async () => {
  await Promise.all(peers.map((p) => p.kill()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
async function start(name: string, extra: string[] = [], dir?: string): Promise<CliPeer> {
  const data = dir ?? (await tempDir(`sn-co-${name}-`));
  if (!dir) dirs.push(data);
  const peer = await CliPeer.start(name, data, extra);
  peers.push(peer);
  return peer;
}

type Shown = { entry?: { title: string; body: string }; tombstone?: { fields?: { body?: string }; deletedBy: { name: string } }; version?: string; conflicts?: Array<{ field: string; values: Array<{ value: string; by?: { name: string } }> }> };
const shown = async (p: CliPeer, id: string) => (await p.show(id)) as Line & Shown;
const sameHeads = async (...ps: CliPeer[]) => {
  const heads = await Promise.all(ps.map(async (p) => [...(await p.status()).heads].sort().join()));
  return heads.every((h) => h === heads[0]);
};
async function converge(...ps: CliPeer[]): Promise<void> {
  const until = Date.now() + 30_000;
  while (!(await sameHeads(...ps))) {
    if (Date.now() > until) throw new Error('peers did not converge in 30 s');
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('co-editing through CLI peers', { timeout: 240_000 }, () => {
  let ann: CliPeer, bob: CliPeer, cat: CliPeer;
  let id = '';

  /** Restarts Cat with no way to reach anyone: what she does now is concurrent with the others. */
  async function isolateCat(): Promise<void> {
    await cat.quit();
    await rm(join(cat.dataDir, 'spaces', ann.ready.space.id, 'peers.json'), { force: true });
    cat = await start('Cat', [], cat.dataDir);
    assert.equal((await cat.status()).connected, 0);
  }
  async function reconnectCat(): Promise<void> {
    await cat.quit();
    cat = await start('Cat', ['--join', ann.ready.invite], cat.dataDir);
    await converge(ann, bob, cat);
  }

  it('sets up three members sharing one note', async () => {
    ann = await start('Ann', ['--new-space', 'Kitchen']);
    bob = await start('Bob', ['--join', ann.ready.invite]);
    cat = await start('Cat', ['--join', ann.ready.invite]);
    const created = (await ann.run('create note Soup|carrots\\nonions')).entry as { id: string };
    id = created.id;
    await ann.run(`publish ${id}`);
    await converge(ann, bob, cat);
    assert.equal((await shown(cat, id)).entry?.body, 'carrots\nonions');
  });

  it('concurrent title edits show the conflict everywhere, and resolve ends it', async () => {
    await isolateCat();
    await cat.run(`edit ${id} title=Carrot soup`);
    await bob.run(`edit ${id} title=Winter soup`);
    await reconnectCat();
    for (const p of [ann, bob, cat]) {
      const s = await shown(p, id);
      const values = s.conflicts?.[0]?.values.map((v) => `${v.value} by ${v.by?.name}`).sort();
      assert.deepEqual(values, ['Carrot soup by Cat', 'Winter soup by Bob'], `${p.name} shows both values and who wrote them`);
    }
    await ann.run(`resolve ${id.slice(0, 8)} title=Winter carrot soup`);
    await converge(ann, bob, cat);
    for (const p of [ann, bob, cat]) {
      const s = await shown(p, id);
      assert.equal(s.entry?.title, 'Winter carrot soup');
      assert.deepEqual(s.conflicts, []);
    }
  });

  it('an edit from a shown version merges with what arrived since', async () => {
    const version = (await shown(bob, id)).version!;
    await ann.run(`edit ${id} body=carrots\\nonions\\nleeks`);
    await converge(ann, bob);
    await bob.run(`edit ${id.slice(0, 8)}@${version} body=butter\\ncarrots\\nonions`); // from the old version
    await converge(ann, bob, cat);
    for (const p of [ann, bob, cat]) assert.equal((await shown(p, id)).entry?.body, 'butter\ncarrots\nonions\nleeks');
  });

  it('a delete racing an edit keeps the edited text, and restore brings it back for everyone', async () => {
    await isolateCat();
    await cat.run(`edit ${id} body=butter\\ncarrots\\nonions\\nleeks\\nCat: add ginger`);
    await bob.run(`delete ${id}`);
    await reconnectCat();
    for (const p of [ann, bob, cat]) {
      const s = await shown(p, id);
      assert.equal(s.tombstone?.deletedBy.name, 'Bob');
      assert.match(s.tombstone?.fields?.body ?? '', /Cat: add ginger/);
    }
    await ann.run(`restore ${id.slice(0, 8)}`);
    await converge(ann, bob, cat);
    for (const p of [ann, bob, cat]) assert.match((await shown(p, id)).entry?.body ?? '', /butter\ncarrots\nonions\nleeks\nCat: add ginger$/);
  });

  it('history shows what each step changed, and restore ID STEP writes a version back', async () => {
    const result = await ann.run(`history ${id}`);
    const history = result.history as Array<{ step: number; op: string; by: { name: string }; changes: Array<{ field: string; before?: string; after?: string }> }>;
    const titles = history.flatMap((h) => h.changes.filter((c) => c.field === 'title').map((c) => `${c.before}→${c.after}`));
    assert.ok(titles.includes('Soup→Carrot soup') && titles.includes('Soup→Winter soup'), `title steps: ${titles.join(' | ')}`);
    assert.deepEqual(history.map((h) => h.op).filter((op) => op === 'delete' || op === 'restore'), ['delete', 'restore']);
    const publish = history.find((h) => h.op === 'publish')!;
    const firstEdit = history.find((h) => h.op === 'edit' && h.step > publish.step && h.changes.some((c) => c.field === 'title'))!;
    await ann.run(`restore ${id} ${firstEdit.step}`);
    await converge(ann, bob, cat);
    const text = await cat.show(id);
    assert.equal((text as Line & Shown).entry?.body, 'carrots\nonions');
  });
});
