/** The engine over a real data folder and a real (loopback) network: how it treats display names. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { memoryLogger } from '../../src/core/logger.js';
import { SpacePeer } from '../../src/engine/space-peer.js';
import { waitFor } from '../helpers/wait.js';

const LOOPBACK = ['/ip4/127.0.0.1/tcp/0/ws'];

test('a display name is cleaned before any entry or peer sees it; an empty one is refused', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'sn-engine-'));
  // Longer than an entry's author field allows: written as it is, every entry would read as invalid.
  const peer = await SpacePeer.start({ dataDir, logger: memoryLogger(), newSpace: 'Kitchen', displayName: `\u202EAnn\n${'x'.repeat(300)}`, listen: LOOPBACK, mdns: false });
  t.after(async () => {
    await peer.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const expected = `Ann ${'x'.repeat(96)}`;
  assert.equal(peer.profile.displayName, expected);
  const note = await peer.log.createNote({ title: 'Soup', body: '' });
  const read = peer.log.get(note.id);
  assert.equal(read?.status, 'valid');
  assert.equal(read?.status === 'valid' && read.entry.author.name, expected);
  assert.equal(JSON.parse(await readFile(join(dataDir, 'device.json'), 'utf8')).displayName, expected);

  await peer.setDisplayName(' Bob\tthe cook ');
  assert.equal((await peer.log.createNote({ title: 'Stew', body: '' })).author.name, 'Bob the cook');
  await assert.rejects(peer.setDisplayName('\u0000 \n'), { name: 'InvalidInputError' });
  assert.equal((await peer.log.createNote({ title: 'Pie', body: '' })).author.name, 'Bob the cook', 'a refused name changes nothing');
});

test("the peers' changes taken while a peer starts are kept for the front end that tells arrivals", async (t) => {
  const dirs = await Promise.all(['sn-early-a-', 'sn-early-b-'].map((p) => mkdtemp(join(tmpdir(), p))));
  const a = await SpacePeer.start({ dataDir: dirs[0]!, logger: memoryLogger(), newSpace: 'Kitchen', displayName: 'Ann', listen: LOOPBACK, mdns: false });
  const b: SpacePeer[] = [];
  t.after(async () => {
    await Promise.all([a, ...b].map((p) => p.close()));
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  const ids = new Set<string>();
  for (const title of ['Soup', 'Bread', 'Tea']) ids.add((await a.log.publish((await a.log.createNote({ title, body: 'x' })).id)).id);
  // Bob's catch-up may end before start() returns or just after: either way it is kept until taken.
  b.push(await SpacePeer.start({ dataDir: dirs[1]!, logger: memoryLogger(), join: a.invite(), displayName: 'Bob', listen: LOOPBACK, mdns: false }));
  await waitFor('Bob lists the three notes', () => b[0]!.log.summaries().entries.length === ids.size, 20_000);
  const early = b[0]!.takeEarlyChanges();
  assert.deepEqual(new Set(early.flatMap((c) => c.ids).filter((id) => ids.has(id))), ids, JSON.stringify(early.map((c) => ({ ids: c.ids, bulk: c.bulk }))));
  assert.ok(early.every((c) => c.origin === 'remote'));
  assert.deepEqual(b[0]!.takeEarlyChanges(), [], 'taken once');
});
