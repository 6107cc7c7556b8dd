import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { appendFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { memoryLogger } from '../../src/core/logger.js';
import type { StoreProblem } from '../../src/core/ports.js';
import { loadShard } from '../../src/core/shards/shard-doc.js';
import { emptyShard, type ShardId } from '../../src/core/shards/shard-layout.js';
import { FileIndexStore } from '../../src/storage/read-index-store.js';
import { FileShardStore } from '../../src/storage/shard-store.js';
import { indexStoreContract, shardStoreContract } from '../contracts/shard-stores.contract.js';
import { makeTempDir } from '../helpers/storage.js';

const shard = 'a1f' as ShardId;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function openStore(label: string) {
  const tmp = await makeTempDir(label);
  const problems: StoreProblem[] = [];
  const store = await FileShardStore.open(tmp.path, { logger: memoryLogger(), onProblem: (p) => problems.push(p) });
  cleanups.push(async () => {
    await store.close().catch(() => undefined);
    await tmp.remove();
  });
  return { store, dir: tmp.path, problems, file: join(tmp.path, 'shards', 'a', 'a1f') };
}

/** Three changes on one shard, as a device writes them. */
function changes(): Uint8Array[] {
  let doc = emptyShard('cc'.repeat(16));
  const out: Uint8Array[] = [];
  for (let i = 0; i < 3; i++) {
    doc = A.change(doc, (d) => {
      d.e[`a1f${String(i).padStart(29, '0')}`] = { n: i };
    });
    out.push(A.getLastLocalChange(doc)!);
  }
  return out;
}

describe('FileShardStore', () => {
  it('a shard with no file holds only its genesis', async () => {
    const { store } = await openStore('shard-empty');
    const stored = await store.read(shard);
    assert.deepEqual(stored, { chunks: [], file: { size: 0, mtimeMs: 0 } });
    assert.equal((await store.states()).size, 0);
  });

  it('appends raw Automerge chunks that load as one concatenation, and reports file states', async () => {
    const { store, file } = await openStore('shard-append');
    const [c1, c2, c3] = changes();
    const s1 = await store.append(shard, [c1!]);
    const s2 = await store.append(shard, [c2!, c3!]);
    assert.ok(s2.size > s1.size);
    assert.equal((await stat(file)).size, s2.size);
    assert.equal((await store.states()).get(shard)?.size, s2.size);
    const stored = await store.read(shard);
    assert.equal(stored.chunks.length, 3);
    const { doc, bad } = loadShard(stored.chunks);
    assert.equal(bad, 0);
    assert.equal(Object.keys(doc.e).length, 3);
  });

  it('a burst of appends to one shard is written together, each resolving with the size after its own chunk', async () => {
    const { store, file } = await openStore('shard-burst');
    let doc = emptyShard('cc'.repeat(16));
    const all: Uint8Array[] = [];
    for (let i = 0; i < 12; i++) {
      doc = A.change(doc, (d) => {
        d.e[`a1f${String(i).padStart(29, '0')}`] = { n: i };
      });
      all.push(A.getLastLocalChange(doc)!);
    }
    const states = await Promise.all(all.map((c) => store.append(shard, [c])));
    const sizes = states.map((st) => st.size);
    assert.deepEqual(sizes, [...sizes].sort((a, b) => a - b));
    assert.equal(new Set(sizes).size, sizes.length);
    assert.equal(sizes.at(-1), (await stat(file)).size);
    const stored = await store.read(shard);
    assert.deepEqual(stored.chunks.map((c) => Buffer.from(c).toString('hex')), all.map((c) => Buffer.from(c).toString('hex')));
    assert.deepEqual(A.getHeads(loadShard(stored.chunks).doc), A.getHeads(doc));
  });

  it('compaction replaces the log with one saved document', async () => {
    const { store } = await openStore('shard-compact');
    const all = changes();
    await store.append(shard, all);
    const { doc } = loadShard((await store.read(shard)).chunks);
    await store.compact(shard, A.save(doc));
    const stored = await store.read(shard);
    assert.equal(stored.chunks.length, 1);
    assert.deepEqual(A.getHeads(loadShard(stored.chunks).doc), A.getHeads(doc));
  });

  it('cuts a torn last write and keeps every whole chunk; the next append goes after them', async () => {
    const { store, file, problems, dir } = await openStore('shard-torn');
    const [c1, c2, c3] = changes();
    await store.append(shard, [c1!, c2!]);
    await store.close();
    const whole = (await stat(file)).size;
    await appendFile(file, Buffer.from([0xe5, 0x52, 200, 0, 0, 0, 1, 2])); // a frame cut short by a crash
    const reopened = await FileShardStore.open(dir, { logger: memoryLogger(), onProblem: (p) => problems.push(p) });
    cleanups.push(() => reopened.close());
    await reopened.append(shard, [c3!]);
    assert.deepEqual(problems.map((p) => p.kind), ['torn-tail']);
    const stored = await reopened.read(shard);
    assert.equal(stored.chunks.length, 3);
    assert.ok(stored.file.size > whole);
    assert.equal(Object.keys(loadShard(stored.chunks).doc.e).length, 3);
  });

  it('damage in the middle: the original is copied aside and the intact chunks kept', async () => {
    const { store, file, problems, dir } = await openStore('shard-damage');
    const [c1, c2, c3] = changes();
    await store.append(shard, [c1!]);
    const second = await store.append(shard, [c2!]);
    await store.append(shard, [c3!]);
    const bytes = await readFile(file);
    bytes[second.size - 3] = bytes[second.size - 3]! ^ 0xff; // inside the second chunk
    await writeFile(file, bytes);
    const stored = await store.read(shard);
    assert.deepEqual(problems.map((p) => p.kind), ['corrupt-record']);
    assert.equal(stored.chunks.length, 2);
    assert.ok((await readdir(join(dir, 'shards', 'a'))).some((n) => n.startsWith('a1f.corrupt-')));
    // The third change needs the second: the shard loads what applies and counts the rest.
    const loaded = loadShard(stored.chunks);
    assert.equal(Object.keys(loaded.doc.e).length, 1);
    assert.equal(loaded.bad, 1);
  });

  it('refuses a file that is not a shard log, changing nothing', async () => {
    const { store, file } = await openStore('shard-foreign');
    await writeFile(file, 'not a shard');
    await assert.rejects(store.read(shard), { name: 'StoreReadError' });
    assert.equal(await readFile(file, 'utf8'), 'not a shard');
  });

  it('one process at a time: a second open of the same space is refused', async () => {
    const { dir } = await openStore('shard-lock');
    await assert.rejects(FileShardStore.open(dir, { logger: memoryLogger() }), { name: 'StoreLockedError' });
  });

  it('a lock that cannot be written is a StoreWriteError naming the folder, not a bare fs error', async () => {
    // What a full disk does at start (ENOSPC on the LOCK file): here the LOCK name is a folder.
    const tmp = await makeTempDir('shard-lock-fs');
    cleanups.push(tmp.remove);
    await mkdir(join(tmp.path, 'shards', 'LOCK'), { recursive: true });
    await assert.rejects(FileShardStore.open(tmp.path, { logger: memoryLogger() }), (err: Error) => {
      assert.equal(err.name, 'StoreWriteError');
      assert.match(err.message, /could not lock .*shards: /);
      return true;
    });
  });
});

shardStoreContract('FileShardStore', async () => {
  const tmp = await makeTempDir('shard-contract');
  return {
    open: () => FileShardStore.open(tmp.path, { logger: memoryLogger() }),
    reopen: () => FileShardStore.open(tmp.path, { logger: memoryLogger() }),
    dispose: tmp.remove,
  };
});

indexStoreContract('FileIndexStore', async () => {
  const tmp = await makeTempDir('index-contract');
  return { open: async () => new FileIndexStore(tmp.path, memoryLogger()), reopen: async () => new FileIndexStore(tmp.path, memoryLogger()), dispose: tmp.remove };
});
