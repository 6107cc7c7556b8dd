/**
 * SIGKILLs a process editing a sharded space at random moments, over and over on one folder, and
 * checks after each kill that every acknowledged edit survived, and that after crash recovery the
 * index agrees with a full re-read of every shard (recovery re-indexed what the crash left behind).
 */
import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { it } from 'node:test';
import { memoryLogger } from '../../src/core/logger.js';
import { compareRows } from '../../src/core/shards/index-rows.js';
import { ShardedSpace } from '../../src/core/shards/sharded-space.js';
import { loadShard, rowsOfShard } from '../../src/core/shards/shard-doc.js';
import { FileIndexStore } from '../../src/storage/read-index-store.js';
import { FileShardStore } from '../../src/storage/shard-store.js';
import { FIXTURES, makeTempDir, REPO_ROOT } from '../helpers/storage.js';

const ROUNDS = 8;

function runAndKill(dir: string, killAfterMs: number): Promise<Map<string, number>> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(FIXTURES, 'shard-writer.ts'), dir], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const acked = new Map<string, number>();
  let pending = '';
  let stderr = '';
  let scheduled = false;
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.on('data', (c: Buffer) => {
    pending += c.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const [tag, shard, n] = line.split(' ');
      if (tag !== 'ack') continue;
      acked.set(shard!, Math.max(acked.get(shard!) ?? 0, Number(n)));
      if (!scheduled) {
        scheduled = true;
        void delay(killAfterMs).then(() => child.kill('SIGKILL'));
      }
    }
  });
  return new Promise((resolve, reject) => {
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      if (signal !== 'SIGKILL') reject(new Error(`the writer ended on its own (${code}): ${stderr.slice(-1500)}`));
      else resolve(acked);
    });
  });
}

it(`a sharded space loses no acknowledged edit across ${ROUNDS} SIGKILLs, and recovery makes the index agree with the shards`, { timeout: 300_000 }, async (t) => {
  const tmp = await makeTempDir('shard-crash');
  let reindexedTotal = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const acked = await runAndKill(tmp.path, 20 + Math.floor(Math.random() * 300));
      const logger = memoryLogger('warn');
      const shards = await FileShardStore.open(tmp.path, { logger });
      const space = await ShardedSpace.open({ shards, index: new FileIndexStore(tmp.path, logger), logger });
      reindexedTotal += (await space.recover()).reindexed.length;
      const indexed = [...space.rows()].sort(compareRows);
      // Every acknowledged edit is in its shard's log; the index says what a full read says.
      const expected = [];
      for (const [shard] of await shards.states()) {
        const { doc, bad } = loadShard((await shards.read(shard)).chunks);
        assert.equal(bad, 0, `round ${round}: shard ${shard} has chunks that do not load`);
        expected.push(...rowsOfShard(shard, doc));
        A.free(doc);
      }
      assert.deepEqual(indexed, expected.sort(compareRows), `round ${round}: the index differs from the shards`);
      for (const [shard, n] of acked) {
        const row = indexed.find((r) => r.id.startsWith(shard))!;
        assert.ok(Number(row.title.slice(2)) >= n, `round ${round}: shard ${shard} lost acknowledged edit ${n} (has ${row.title})`);
      }
      await space.close();
    }
    t.diagnostic(`shards re-indexed after the ${ROUNDS} kills: ${reindexedTotal}`);
  } finally {
    await tmp.remove();
  }
});
