/**
 * Kills a writer process with SIGKILL at random moments, over and over on the same folder, and
 * checks after each kill that every append the writer saw resolve is still there, in order.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { it } from 'node:test';
import { memoryLogger } from '../../src/core/logger.js';
import { FileLogStore } from '../../src/storage/index.js';
import { decodeRecord, decodeSnapshot } from './fixtures/crash-records.js';
import { FIXTURES, makeTempDir, REPO_ROOT } from '../helpers/storage.js';

const ROUNDS = 20;
const ROUND_TIMEOUT_MS = 20_000;

interface RoundResult {
  readonly acked: number[];
  readonly stderr: string;
  readonly killedBySignal: boolean;
}

/** Runs the writer until it has acknowledged something, lets it run `killAfterMs` more, then SIGKILLs it. */
function runWriterAndKill(dir: string, killAfterMs: number): Promise<RoundResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(FIXTURES, 'writer.ts'), dir], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acked: number[] = [];
  let pending = '';
  let stderr = '';
  let killScheduled = false;
  const guard = setTimeout(() => child.kill('SIGKILL'), ROUND_TIMEOUT_MS);
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? ''; // only whole lines count: a half-printed ack proves nothing
    for (const line of lines) {
      if (!line.startsWith('ack ')) continue;
      acked.push(Number(line.slice(4)));
      if (!killScheduled) {
        killScheduled = true;
        void delay(killAfterMs).then(() => child.kill('SIGKILL'));
      }
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ acked, stderr, killedBySignal: signal === 'SIGKILL' && code === null });
    });
  });
}

it(`loses no acknowledged append across ${ROUNDS} SIGKILLs`, { timeout: 120_000 }, async (t) => {
  const dir = await makeTempDir('crash-loop');
  const everAcked: number[] = [];
  let tornTails = 0;
  const snapshotsSeen = new Set<number>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const killAfterMs = 50 + Math.floor(Math.random() * 350);
      const result = await runWriterAndKill(dir.path, killAfterMs);
      assert.ok(result.killedBySignal && result.acked.length > 0, `round ${round}: writer did not run until killed\n${result.stderr}`);
      everAcked.push(...result.acked);

      // The dead writer's LOCK is still there: opening must take it over, not refuse.
      const logger = memoryLogger();
      const store = await FileLogStore.open(dir.path, { logger });
      const loaded = await store.load();
      await store.close();
      assert.ok(logger.lines.some((l) => l.includes('taking over the stale lock')), `round ${round}: ${logger.lines.join('\n')}`);
      assert.deepEqual(loaded.problems.filter((p) => p.kind !== 'torn-tail'), [], `round ${round}`);

      const covered = decodeSnapshot(loaded.snapshot);
      const seqs = loaded.records.map(decodeRecord);
      for (let i = 1; i < seqs.length; i++) {
        assert.ok(seqs[i]! > seqs[i - 1]!, `round ${round}: records out of order or duplicated at ${i}: ${seqs[i - 1]} then ${seqs[i]}`);
      }
      const present = new Set(seqs);
      const lost = everAcked.filter((seq) => seq > covered && !present.has(seq));
      assert.deepEqual(lost, [], `round ${round}: acknowledged but lost (snapshot covers up to ${covered})`);
      tornTails += loaded.problems.length;
      snapshotsSeen.add(covered);
    }
    t.diagnostic(`${everAcked.length} acknowledged appends, ${tornTails} torn tails repaired, ${snapshotsSeen.size} distinct snapshots seen`);
  } finally {
    await dir.remove();
  }
});
