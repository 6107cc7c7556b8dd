/**
 * A v1 space folder (the current release's layout: shared/ and local/ logs) converted to shards,
 * on two members that reached the same v1 state in different orders: each converts on its own,
 * both open as v2 and meet over the network already in sync (identical shards), then edits travel
 * by shard gossip. The v1 log stays readable for history; a conversion interrupted before its
 * marker runs again to the same shards.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { DeviceId, EntryId } from '../../src/core/ids.js';
import { memoryLogger } from '../../src/core/logger.js';
import { NoteLog } from '../../src/core/note-log.js';
import { ShardedSpace } from '../../src/core/shards/sharded-space.js';
import { writeFields } from '../../src/core/shards/shard-ops.js';
import { generateIdentity } from '../../src/net/keys.js';
import { SpaceNetwork } from '../../src/net/space-network.js';
import { FileLogStore } from '../../src/storage/file-log-store.js';
import { FileIndexStore } from '../../src/storage/read-index-store.js';
import { FileShardStore } from '../../src/storage/shard-store.js';
import { convertToShards, FORMAT_FILE, spaceFormat } from '../../src/storage/space-format.js';
import { LOOPBACK, testSpace, waitFor } from '../helpers/net.js';
import { makeTempDir } from '../helpers/storage.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function v1Member(name: string): Promise<{ dir: string; log: NoteLog }> {
  const tmp = await makeTempDir(`v1-${name}`);
  cleanups.push(tmp.remove);
  const dir = join(tmp.path, 'spaces', 'space-1');
  const logger = memoryLogger();
  const shared = await FileLogStore.open(join(dir, 'shared'), { logger });
  const local = await FileLogStore.open(join(dir, 'local'), { logger });
  const log = await NoteLog.open({ shared, local, logger }, { author: { name, device: `dev-${name}`.padEnd(16, '0') as DeviceId } });
  return { dir, log };
}

async function openSharded(dir: string) {
  const logger = memoryLogger();
  return ShardedSpace.open({ shards: await FileShardStore.open(dir, { logger }), index: new FileIndexStore(dir, logger), logger });
}

const root = (s: ShardedSpace) => Buffer.from(s.headsDigest().root).toString('hex');
const rowsOf = (s: ShardedSpace) => [...s.rows()].map((r) => `${r.id} ${r.state} ${r.title}`);

describe('a v1 space folder converted to shards', () => {
  it('two members convert on their own, meet as v2 already in sync, and go on syncing; the v1 log keeps the history', async () => {
    const a = await v1Member('ann');
    const b = await v1Member('bob');
    const ids: EntryId[] = [];
    for (let i = 0; i < 25; i++) {
      const e = i % 5 === 0 ? await a.log.createRecipe({ name: `Soup ${i}`, ingredients: '- water', instructions: 'boil' }) : await a.log.createNote({ title: `Note ${i}`, body: `## Day ${i}\n\n${'Words of the day. '.repeat(10)}` });
      await a.log.publish(e.id);
      ids.push(e.id);
    }
    for (let i = 0; i < 8; i++) ids.push((await b.log.publish((await b.log.createNote({ title: `Bob ${i}`, body: 'b' })).id)).id);
    await a.log.edit(ids[2]!, { title: 'Renamed by Ann' });
    await a.log.delete(ids[4]!);
    // The v1 sync, in opposite orders: each takes the other's changes.
    const fromA = a.log.shared.allChanges();
    const fromB = b.log.shared.allChanges();
    await b.log.shared.acceptRemoteChanges([...fromA].reverse(), 'ann').durable.catch(() => undefined);
    await b.log.shared.acceptRemoteChanges(fromA, 'ann').durable;
    await a.log.shared.acceptRemoteChanges(fromB, 'bob').durable;
    assert.deepEqual([...a.log.shared.heads()].sort(), [...b.log.shared.heads()].sort());
    const v1List = a.log.list({ state: 'published' }).entries.map((e) => e.id).sort();
    await a.log.close();
    await b.log.close();

    assert.equal(await spaceFormat(a.dir), 1);
    const converted = await convertToShards(a.dir, memoryLogger());
    assert.equal(converted?.entries, 33);
    await convertToShards(b.dir, memoryLogger());
    assert.equal(await spaceFormat(a.dir), 2);
    assert.equal(await convertToShards(a.dir, memoryLogger()), undefined, 'a converted folder is left alone');

    const sa = await openSharded(a.dir);
    const sb = await openSharded(b.dir);
    cleanups.push(() => sb.close(), () => sa.close());
    assert.equal(root(sa), root(sb), 'identical shards on both');
    assert.deepEqual(rowsOf(sa), rowsOf(sb));
    assert.deepEqual(rowsOf(sa).filter((r) => r.includes(' published ')).map((r) => r.split(' ')[0]).sort(), v1List);
    const renamed = await sa.read(ids[2]!);
    assert.ok(renamed?.status === 'valid' && renamed.entry.kind === 'note' && renamed.entry.title === 'Renamed by Ann');

    // As v2 on the network: in sync at once (the first conversation moves only digests), then edits travel.
    const room = testSpace();
    const start = async (space: ShardedSpace, bootstrap: string[]) => {
      const net = new SpaceNetwork({ sharded: space, logger: memoryLogger() }, { listen: LOOPBACK, mdns: false, ...room, identity: await generateIdentity(), bootstrap });
      await net.start();
      cleanups.push(() => net.stop());
      return net;
    };
    const na = await start(sa, []);
    const nb = await start(sb, na.addresses());
    await waitFor('both in sync', () => na.summary().inSync === 1 && nb.summary().inSync === 1, 15_000);
    const first = nb.peers().find((p) => p.peerId === na.peerId)?.progress;
    assert.ok(first !== undefined && first.snapshotsIn === 0 && first.bytesIn < 1_000, `the first sync moved ${first?.bytesIn} bytes in, ${first?.snapshotsIn} shards`);
    await (await sb.change(ids[6]!, 'edit', (d) => writeFields(d, ids[6]!, { title: 'Edited as v2' }, Date.now()))).durable;
    await waitFor('Ann has Bob’s v2 edit', () => rowsOf(sa).some((r) => r.endsWith('Edited as v2')), 10_000);

    // The v1 log is still there for history.
    const logger = memoryLogger();
    const v1 = await NoteLog.open({ shared: await FileLogStore.open(join(a.dir, 'shared'), { logger }), local: await FileLogStore.open(join(a.dir, 'local'), { logger }), logger }, { author: { name: 'ann', device: 'dev-ann'.padEnd(16, '0') as DeviceId } });
    assert.ok(v1.historyOf(ids[2]!).length >= 3);
    await v1.close();
  });

  it('an interrupted conversion runs again to the same shards; a damaged marker is named, nothing changed', async () => {
    const a = await v1Member('ann');
    for (let i = 0; i < 10; i++) await a.log.publish((await a.log.createNote({ title: `Note ${i}`, body: 'x' })).id);
    await a.log.close();
    await convertToShards(a.dir, memoryLogger());
    const s1 = await openSharded(a.dir);
    const before = root(s1);
    await s1.close();
    // Killed before the marker: the marker is gone and the index half-written.
    await rm(join(a.dir, FORMAT_FILE));
    await writeFile(join(a.dir, 'index'), 'garbage');
    assert.equal(await spaceFormat(a.dir), 1);
    await convertToShards(a.dir, memoryLogger());
    const s2 = await openSharded(a.dir);
    assert.equal(root(s2), before);
    assert.equal(rowsOf(s2).length, 10);
    await s2.close();
    await writeFile(join(a.dir, FORMAT_FILE), '{"format": 7}');
    await assert.rejects(spaceFormat(a.dir), { name: 'StoreReadError', message: /damaged/ });
  });
});
