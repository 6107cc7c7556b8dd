import assert from 'node:assert/strict';
import { chmod, link, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { newSpace } from '../../src/core/invite.js';
import { memoryLogger } from '../../src/core/logger.js';
import { DataFolder } from '../../src/storage/data-folder.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function folder() {
  const root = await mkdtemp(join(tmpdir(), 'sn-data-'));
  dirs.push(root);
  return { root, data: await DataFolder.open(join(root, 'data'), memoryLogger()) };
}

describe('DataFolder', () => {
  it('creates a device profile once and keeps it', async () => {
    const { data } = await folder();
    const first = await data.device('Ann');
    assert.match(first.deviceId, /^[0-9a-f]{16}$/);
    assert.deepEqual(await data.device('Other'), first);
    assert.equal((await data.setDisplayName('Annie')).displayName, 'Annie');
    assert.equal((await data.device('x')).deviceId, first.deviceId);
  });

  it('keeps the identity and space keys private (0600 in a 0700 folder)', async () => {
    const { data } = await folder();
    const id1 = await data.identity(async () => new Uint8Array([1, 2, 3]));
    const id2 = await data.identity(async () => new Uint8Array([9]));
    assert.deepEqual(id2, id1);
    const space = newSpace('Kitchen');
    await data.saveSpace(space);
    assert.equal((await stat(join(data.root, 'identity.key'))).mode & 0o777, 0o600);
    assert.equal((await stat(join(data.spaceDir(space.id), 'space.json'))).mode & 0o777, 0o600);
    assert.equal((await stat(data.root)).mode & 0o777, 0o700);
    const [stored] = await data.listSpaces();
    assert.deepEqual(stored?.space, space);
  });

  it('makes an existing data folder 0700 whoever created it, and says so', { skip: process.platform === 'win32' }, async () => {
    const root = await mkdtemp(join(tmpdir(), 'sn-data-'));
    dirs.push(root);
    const dir = join(root, 'made-by-hand');
    await mkdir(join(dir, 'spaces'), { recursive: true });
    await chmod(dir, 0o755);
    await chmod(join(dir, 'spaces'), 0o777);
    const logger = memoryLogger('info');
    await DataFolder.open(dir, logger);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    assert.equal((await stat(join(dir, 'spaces'))).mode & 0o777, 0o700);
    assert.ok(logger.lines.some((l) => /made .*made-by-hand private \(mode 0700, was 0755\)/.test(l)), logger.lines.join('\n'));
  });

  it('writes secrets into a file created 0600 from its first byte, never into a file left behind', { skip: process.platform === 'win32' }, async () => {
    const { root, data } = await folder();
    // A temp file left behind (a crash, or planted) that another account can read through a second
    // link: opening it again would keep its mode and put the key where the link shows it.
    const spy = join(root, 'spy');
    await writeFile(spy, '');
    await chmod(spy, 0o644);
    await link(spy, join(data.root, 'identity.key.tmp'));
    const old = process.umask(0); // a permissive umask must not matter either
    try {
      await data.identity(async () => new Uint8Array([7, 7, 7]));
    } finally {
      process.umask(old);
    }
    assert.equal((await readFile(spy)).length, 0, 'nothing was written through the leftover file');
    assert.equal((await stat(join(data.root, 'identity.key'))).mode & 0o777, 0o600);
    assert.deepEqual(new Uint8Array(await readFile(join(data.root, 'identity.key'))), new Uint8Array([7, 7, 7]));
    await data.device('Ann');
    assert.equal((await stat(join(data.root, 'device.json'))).mode & 0o777, 0o600, 'every data folder file is private');
  });

  it('reports a damaged file clearly and leaves it untouched', async () => {
    const { data } = await folder();
    await writeFile(join(data.root, 'device.json'), '{"deviceId": ');
    await assert.rejects(data.device('Ann'), { name: 'StoreReadError', message: /device\.json is damaged/ });
    assert.equal(await readFile(join(data.root, 'device.json'), 'utf8'), '{"deviceId": ');
  });

  it('remembers known peers and ignores a malformed peers file', async () => {
    const { data } = await folder();
    const space = newSpace('K');
    await data.saveSpace(space);
    await data.saveKnownPeers(space.id, [{ peerId: 'p1', addrs: ['/ip4/127.0.0.1/tcp/1/ws'] }]);
    assert.deepEqual(await data.knownPeers(space.id), [{ peerId: 'p1', addrs: ['/ip4/127.0.0.1/tcp/1/ws'] }]);
    await writeFile(join(data.spaceDir(space.id), 'peers.json'), 'garbage');
    assert.deepEqual(await data.knownPeers(space.id), []);
  });

  it('keeps the names and device ids of known peers, cleaned, and drops malformed ones', async () => {
    const { data } = await folder();
    const space = newSpace('K');
    await data.saveSpace(space);
    const peers = [
      { peerId: 'p1', addrs: [], name: 'Bob', device: 'bbbbbbbbbbbbbbbb' },
      { peerId: 'p2', addrs: [], name: ' Eve\u202E\n', device: '../../etc' },
    ];
    await data.saveKnownPeers(space.id, peers);
    assert.deepEqual(await data.knownPeers(space.id), [peers[0], { peerId: 'p2', addrs: [], name: 'Eve' }]);
  });

  it('overlapping saves of one file are serialised: every save succeeds and the last one wins', async () => {
    const { data } = await folder();
    const space = newSpace('K');
    await data.saveSpace(space);
    const saves = Array.from({ length: 20 }, (_, i) => data.saveKnownPeers(space.id, [{ peerId: `p${i}`, addrs: [] }]));
    await Promise.all(saves);
    assert.deepEqual(await data.knownPeers(space.id), [{ peerId: 'p19', addrs: [] }]);
  });

  it('refuses an empty path instead of writing into the current directory', async () => {
    await assert.rejects(DataFolder.open('', memoryLogger()), { name: 'InvalidInputError' });
  });

  it('leaving a space keeps its data aside', async () => {
    const { data } = await folder();
    const space = newSpace('K');
    await data.saveSpace(space);
    const kept = await data.leaveSpace(space.id);
    assert.ok((await stat(join(kept, 'space.json'))).isFile());
    assert.deepEqual(await data.listSpaces(), []);
  });
});
