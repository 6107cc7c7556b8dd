/** FileLogStore: the shared LogStore contract on real folders, plus its lock. Recovery tests live in file-log-store-recovery.test.ts. */
import assert from 'node:assert/strict';
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { memoryLogger } from '../../src/core/logger.js';
import { FileLogStore } from '../../src/storage/index.js';
import { logStoreContract } from '../contracts/log-store.contract.js';
import { deadPid, makeTempDir, runFixture } from '../helpers/storage.js';

logStoreContract('FileLogStore', async () => {
  const dir = await makeTempDir('contract');
  const open = () => FileLogStore.open(dir.path, { logger: memoryLogger() });
  return { open, reopen: open, dispose: dir.remove };
});

logStoreContract('FileLogStore with a group-commit delay', async () => {
  const dir = await makeTempDir('contract-delay');
  const open = () => FileLogStore.open(dir.path, { logger: memoryLogger(), groupCommitMs: 2 });
  return { open, reopen: open, dispose: dir.remove };
});

interface OpenReport {
  readonly opened: boolean;
  readonly name?: string;
  readonly message?: string;
}

async function openInChild(dir: string, holdMs = 0): Promise<OpenReport> {
  const result = await runFixture('open-store.ts', [dir, String(holdMs)]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout.trim()) as OpenReport;
}

async function writeLock(dir: string, content: string, ageMs = 0): Promise<void> {
  const path = join(dir, 'LOCK');
  await writeFile(path, content);
  if (ageMs > 0) {
    const then = new Date(Date.now() - ageMs);
    await utimes(path, then, then);
  }
}

describe('FileLogStore lock', () => {
  it('refuses a second process while the store is open, naming the folder and pid', async () => {
    const dir = await makeTempDir('lock');
    try {
      const store = await FileLogStore.open(dir.path);
      const report = await openInChild(dir.path);
      assert.equal(report.opened, false);
      assert.equal(report.name, 'StoreLockedError');
      assert.match(report.message ?? '', new RegExp(`pid ${process.pid}`));
      assert.ok(report.message?.includes(store.dir), report.message);
      await store.close();
      assert.deepEqual(await openInChild(dir.path), { opened: true });
    } finally {
      await dir.remove();
    }
  });

  it('refuses the same folder twice in one process, also via another spelling of its path', async () => {
    const dir = await makeTempDir('lock-twice');
    try {
      const store = await FileLogStore.open(dir.path);
      await assert.rejects(FileLogStore.open(dir.path), { name: 'StoreLockedError' });
      await assert.rejects(FileLogStore.open(join(dir.path, '.', '..', basename(dir.path))), { name: 'StoreLockedError' });
      await store.close();
      const again = await FileLogStore.open(dir.path);
      await again.close();
    } finally {
      await dir.remove();
    }
  });

  it('takes over a lock left by a process that is gone, with a warning', async () => {
    const dir = await makeTempDir('lock-stale');
    try {
      const pid = await deadPid();
      await writeLock(dir.path, JSON.stringify({ pid, hostname: hostname(), startedAt: new Date().toISOString() }));
      const logger = memoryLogger();
      const store = await FileLogStore.open(dir.path, { logger });
      assert.ok(logger.lines.some((line) => line.startsWith('warn') && line.includes('stale lock')), logger.lines.join('\n'));
      const lock = JSON.parse(await readFile(join(dir.path, 'LOCK'), 'utf8')) as { pid: number };
      assert.equal(lock.pid, process.pid);
      await store.close();
      await assert.rejects(stat(join(dir.path, 'LOCK')), { code: 'ENOENT' });
    } finally {
      await dir.remove();
    }
  });

  it('lets exactly one of several processes racing for a stale lock win it', async () => {
    const dir = await makeTempDir('lock-race');
    try {
      await writeLock(dir.path, JSON.stringify({ pid: await deadPid(), hostname: hostname(), startedAt: 'long ago' }));
      // The winner holds the store long enough for every loser to have tried while it is held.
      const reports = await Promise.all([0, 1, 2, 3].map(() => openInChild(dir.path, 3_000)));
      assert.equal(reports.filter((r) => r.opened).length, 1, JSON.stringify(reports));
      assert.ok(reports.every((r) => r.opened || r.name === 'StoreLockedError'), JSON.stringify(reports));
    } finally {
      await dir.remove();
    }
  });

  it('takes over an unreadable lock only once it is a few seconds old', async () => {
    const dir = await makeTempDir('lock-garbage');
    try {
      await writeLock(dir.path, '{"pid": 12');
      await assert.rejects(FileLogStore.open(dir.path, { logger: memoryLogger() }), { name: 'StoreLockedError' });
      await writeLock(dir.path, '\u0000garbage', 60_000);
      const store = await FileLogStore.open(dir.path, { logger: memoryLogger() });
      await store.close();
    } finally {
      await dir.remove();
    }
  });

  it('never takes over a lock held by another computer, since its processes cannot be checked', async () => {
    const dir = await makeTempDir('lock-host');
    try {
      await writeLock(dir.path, JSON.stringify({ pid: await deadPid(), hostname: `not-${hostname()}`, startedAt: 'x' }), 3_600_000);
      await assert.rejects(FileLogStore.open(dir.path, { logger: memoryLogger() }), (err: Error) => {
        assert.equal(err.name, 'StoreLockedError');
        assert.match(err.message, /another computer/);
        return true;
      });
    } finally {
      await dir.remove();
    }
  });
});
