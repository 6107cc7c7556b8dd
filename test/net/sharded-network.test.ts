/**
 * SpaceNetwork over a sharded space (format v2): three members on loopback, each with its shards
 * on real files. A newcomer catches up through the shard protocol from the one member it knows,
 * edits reach everyone by shard gossip, the status says in sync only when every shard agrees, and
 * a member of the other format (v1) with the same key is told apart, never synced.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeviceId, EntryId } from '../../src/core/ids.js';
import { memoryLogger } from '../../src/core/logger.js';
import { ShardedSpace } from '../../src/core/shards/sharded-space.js';
import type { ShardDoc } from '../../src/core/shards/shard-layout.js';
import { writeFields, writePublished } from '../../src/core/shards/shard-ops.js';
import { generateIdentity } from '../../src/net/keys.js';
import { SpaceNetwork } from '../../src/net/space-network.js';
import { FileIndexStore } from '../../src/storage/read-index-store.js';
import { FileShardStore } from '../../src/storage/shard-store.js';
import { LOOPBACK, startNode, testSpace, waitFor } from '../helpers/net.js';
import { makeTempDir } from '../helpers/storage.js';

const author = { name: 'Ann', device: 'dev-ann' as DeviceId };
const idOf = (n: number, salt: string) => `${((n * 2654435761) >>> 0).toString(16).padStart(8, '0')}${salt}${String(n).padStart(23, '0')}`.slice(0, 32) as EntryId;
const publish = (id: EntryId, title: string) => (d: ShardDoc) => writePublished(d, { id, kind: 'note', author, createdAt: 1, updatedAt: 1, fields: { title, body: `## ${title}\n\nSome words.` } });

interface Member {
  name: string;
  space: ShardedSpace;
  net: SpaceNetwork;
  logger: ReturnType<typeof memoryLogger>;
  dir: string;
}

test('three members of a sharded space: a newcomer catches up, edits travel by gossip, the status tells the truth; a v1 member is told apart', async (t) => {
  const room = testSpace();
  const members: Member[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  t.after(async () => {
    for (const m of members) await m.net.stop();
    for (const m of members) await m.space.close();
    for (const c of cleanups) await c();
  });
  const start = async (name: string, actor: string, bootstrap: string[] = [], folder?: string): Promise<Member> => {
    let dir = folder;
    if (dir === undefined) {
      const tmp = await makeTempDir(`sharded-net-${name}`);
      cleanups.push(tmp.remove);
      dir = tmp.path;
    }
    const logger = memoryLogger('debug');
    const space = await ShardedSpace.open({ shards: await FileShardStore.open(dir, { logger }), index: new FileIndexStore(dir, logger), logger }, { actor });
    const net = new SpaceNetwork({ sharded: space, logger: logger.child(name) }, { listen: LOOPBACK, mdns: false, ...room, identity: await generateIdentity(), bootstrap });
    await net.start();
    const m = { name, space, net, logger, dir };
    members.push(m);
    return m;
  };
  const titles = (m: Member) => [...m.space.rows()].map((r) => r.title).sort().join('|');
  const root = (m: Member) => Buffer.from(m.space.headsDigest().root).toString('hex');

  const a = await start('A', 'aa'.repeat(16));
  for (let n = 0; n < 120; n++) await (await a.space.change(idOf(n, 'a'), 'publish', publish(idOf(n, 'a'), `A's note ${n}`))).durable;
  const b = await start('B', 'bb'.repeat(16), a.net.addresses());
  await waitFor('B caught up with A', () => root(b) === root(a), 20_000);
  const c = await start('C', 'cc'.repeat(16), b.net.addresses());
  await waitFor('C caught up through B', () => root(c) === root(a), 20_000);
  assert.equal(titles(c), titles(a));
  await waitFor('everyone in sync with everyone it knows', () => members.every((m) => m.net.summary().connected >= 1 && m.net.summary().inSync === m.net.summary().connected), 15_000);

  // C writes; A and B get it (gossip, or the quick sync after a change).
  const mine = idOf(1, 'c');
  await (await c.space.change(mine, 'publish', publish(mine, "C's note"))).durable;
  await waitFor("A lists C's note", () => titles(a).includes("C's note"), 10_000);
  // A and C edit one entry at once: both edits everywhere.
  const shared = idOf(3, 'a');
  await Promise.all([
    a.space.change(shared, 'edit', (d) => writeFields(d, shared, { title: 'Renamed by A' }, 500)).then((m) => m.durable),
    c.space.change(shared, 'edit', (d) => writeFields(d, shared, { body: 'C wrote this.' }, 501)).then((m) => m.durable),
  ]);
  await waitFor('all three agree', () => root(a) === root(b) && root(b) === root(c), 15_000);
  for (const m of members) {
    const read = await m.space.read(shared);
    assert.ok(read?.status === 'valid' && read.entry.kind === 'note' && read.entry.title === 'Renamed by A' && read.entry.body === 'C wrote this.', `${m.name}: ${JSON.stringify(read)}`);
  }
  await waitFor('in sync again', () => members.every((m) => m.net.summary().inSync === m.net.summary().connected), 15_000);

  // B leaves; A and C go on writing at the same moment; B comes back on its folder and catches up.
  await b.net.stop();
  await b.space.close();
  members.splice(members.indexOf(b), 1);
  const whileAway = idOf(77, 'd');
  await Promise.all([
    a.space.change(whileAway, 'publish', publish(whileAway, 'written while B was away')).then((m) => m.durable),
    c.space.change(shared, 'edit', (d) => writeFields(d, shared, { title: 'Renamed by C while B was away' }, 900)).then((m) => m.durable),
  ]);
  const back = await start('B again', 'bb'.repeat(16), [...a.net.addresses(), ...c.net.addresses()], b.dir);
  await waitFor('B, back, agrees with A and C', () => root(back) === root(a) && root(a) === root(c), 20_000).catch((err: unknown) => {
    for (const m of members) console.log(m.name, root(m).slice(0, 8), JSON.stringify(m.net.summary()), '\n   ' + m.logger.lines.filter((l) => /sync|warn|error/.test(l)).slice(-6).join('\n   '));
    throw err;
  });
  assert.ok(titles(back).includes('written while B was away') && titles(back).includes('Renamed by C while B was away'));

  // A member of the other format, same key: connected, never synced, and the log says why.
  const old = await startNode('OLD', room, { bootstrap: a.net.addresses() });
  cleanups.push(() => old.net.stop());
  await waitFor('A names the other format', () => a.logger.lines.some((l) => l.includes('another version of Shared Notes')) || old.logger.lines.some((l) => l.includes('another version of Shared Notes')), 15_000);
  assert.equal(old.replica.allChanges().length, 1, 'the v1 member got nothing');
  assert.equal(titles(a).split('|').length, 122);
});
