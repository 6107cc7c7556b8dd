/** The engine over a real data folder and a real (loopback) network: how it treats display names. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { memoryLogger } from '../../src/core/logger.js';
import { SpacePeer } from '../../src/engine/space-peer.js';

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
