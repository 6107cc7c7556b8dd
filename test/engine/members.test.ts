/** How members find each other through the engine: stable ports, invites listing several members. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { decodeInvite, encodeInvite } from '../../src/core/invite.js';
import { memoryLogger } from '../../src/core/logger.js';
import { waitFor } from '../helpers/wait.js';
import { INVITE_UNREACHABLE_MESSAGE, SpacePeer, type SpacePeerInit } from '../../src/engine/space-peer.js';

/** "Any free port" on loopback: the engine keeps the port it picks for the space. */
const LOOPBACK_ANY_PORT = ['/ip4/127.0.0.1/tcp/0/ws'];


/** Starts peers in their own data folders and closes them (and removes the folders) after the test. */
function peers(t: TestContext) {
  const open = new Set<SpacePeer>();
  const dirs: string[] = [];
  t.after(async () => {
    await Promise.allSettled([...open].map((p) => p.close()));
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  return {
    async dir(): Promise<string> {
      const d = await mkdtemp(join(tmpdir(), 'sn-members-'));
      dirs.push(d);
      return d;
    },
    async start(dataDir: string, init: Partial<SpacePeerInit> = {}): Promise<SpacePeer> {
      const peer = await SpacePeer.start({ dataDir, logger: memoryLogger(), listen: LOOPBACK_ANY_PORT, mdns: false, ...init });
      open.add(peer);
      return peer;
    },
    async close(peer: SpacePeer): Promise<void> {
      await peer.close();
      open.delete(peer);
    },
  };
}

const portOf = (peer: SpacePeer): number => Number(/\/tcp\/(\d+)\//.exec(peer.network.addresses()[0] ?? '')?.[1]);
const connected = (a: SpacePeer, b: SpacePeer): boolean => a.network.peers().some((p) => p.peerId === b.network.peerId && p.connected);
const titles = (p: SpacePeer): string[] => p.log.summaries().entries.filter((e) => e.state === 'published').map((e) => e.title);
const publishNote = async (p: SpacePeer, title: string): Promise<void> => {
  await p.log.publish((await p.log.createNote({ title, body: '' })).id);
};

test('a space keeps its listen port across restarts; a new one is chosen (and kept) when it is taken', async (t) => {
  const run = peers(t);
  const dir = await run.dir();
  let a = await run.start(dir, { newSpace: 'Kitchen' });
  const first = portOf(a);
  assert.ok(first > 0);
  const stored = JSON.parse(await readFile(join(a.folder.spaceDir(a.space.id), 'listen.json'), 'utf8'));
  assert.equal(stored.port, first);
  await run.close(a);
  a = await run.start(dir);
  assert.equal(portOf(a), first, 'same port after a restart');
  await run.close(a);

  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen({ host: '127.0.0.1', port: first }, resolve));
  t.after(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
  a = await run.start(dir);
  const second = portOf(a);
  assert.notEqual(second, first, 'the taken port is not used');
  await run.close(a);
  await new Promise<void>((resolve) => squatter.close(() => resolve()));
  a = await run.start(dir);
  assert.equal(portOf(a), second, 'the new port is the one kept from now on');
});

test('after a member restarts on its usual settings, the others reconnect within 10 s', async (t) => {
  const run = peers(t);
  const dirA = await run.dir();
  let a = await run.start(dirA, { newSpace: 'Kitchen', displayName: 'A' });
  const c = await run.start(await run.dir(), { join: a.invite(), displayName: 'C' });
  await waitFor('C connected to A', () => connected(c, a), 10_000);
  await run.close(a);
  await waitFor('C saw A leave', () => !connected(c, a), 10_000);
  a = await run.start(dirA);
  const took = await waitFor('C reconnected to the restarted A', () => connected(c, a) && connected(a, c), 10_000);
  t.diagnostic(`reconnected ${Math.round(took)} ms after A was back`);
  await publishNote(a, 'After the restart');
  await waitFor('C has the note', () => titles(c).includes('After the restart'), 10_000);
});

test('an invite lists several members: a newcomer catches up from C while the inviter A is offline', async (t) => {
  const run = peers(t);
  const a = await run.start(await run.dir(), { newSpace: 'Kitchen', displayName: 'A' });
  const c = await run.start(await run.dir(), { join: a.invite(), displayName: 'C' });
  await publishNote(a, 'Soup');
  await waitFor('C has the note', () => titles(c).includes('Soup'), 10_000);
  const invite = decodeInvite(a.invite());
  assert.ok(invite.addresses.some((x) => x.endsWith(`/p2p/${a.network.peerId}`)), 'lists A');
  assert.ok(invite.addresses.some((x) => x.endsWith(`/p2p/${c.network.peerId}`)), 'lists C, a member A is connected to');
  await run.close(a);
  const n = await run.start(await run.dir(), { join: encodeInvite(invite), displayName: 'N' });
  await waitFor('the newcomer caught up from C', () => titles(n).includes('Soup'), 15_000);
  assert.ok(connected(n, c));
});

test('an invite whose members are all offline says so after a few seconds, and joining goes on until one is back', async (t) => {
  const run = peers(t);
  const dirA = await run.dir();
  let a = await run.start(dirA, { newSpace: 'Kitchen', displayName: 'A' });
  await publishNote(a, 'Soup');
  const code = a.invite();
  await run.close(a);
  const n = await run.start(await run.dir(), { join: code, displayName: 'N' });
  const said: string[] = [];
  n.events.on('invite-unreachable', ({ message }) => said.push(message));
  const took = await waitFor('the unreachable notice', () => said.length > 0, 15_000);
  t.diagnostic(`told after ${Math.round(took)} ms`);
  assert.deepEqual(said, [INVITE_UNREACHABLE_MESSAGE]);
  a = await run.start(dirA);
  await waitFor('the newcomer reached A once it was back, and caught up', () => connected(n, a) && titles(n).includes('Soup'), 30_000);
});
