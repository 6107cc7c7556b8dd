import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { memoryLogger } from '../../src/core/logger.js';
import { FileHistoryCache } from '../../src/storage/history-cache-file.js';

describe('FileHistoryCache', () => {
  it('stores each log\'s index in the space folder, reads it back, and treats a missing file as none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sn-history-'));
    try {
      const cache = new FileHistoryCache(dir, memoryLogger());
      assert.equal(await cache.read('shared'), undefined);
      await cache.write('shared', 'one\ntwo\n');
      await cache.write('shared', 'three\n'); // replaced whole, never appended to
      await cache.write('local', '');
      assert.equal(await cache.read('shared'), 'three\n');
      assert.equal(await cache.read('local'), '');
      assert.deepEqual((await readdir(dir)).sort(), ['history-local.ndjson', 'history-shared.ndjson']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does not read a file too large to be an index (it is rebuilt), and says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sn-history-'));
    try {
      const logger = memoryLogger();
      await writeFile(join(dir, 'history-shared.ndjson'), '');
      await truncate(join(dir, 'history-shared.ndjson'), 513 * 1024 * 1024); // sparse: no disk used
      assert.equal(await new FileHistoryCache(dir, logger).read('shared'), undefined);
      assert.ok(logger.lines.some((l) => /more than a history index can be/.test(l)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
