/** FileLogStore after crashes, disk damage, foreign files and failing writes. */
import assert from 'node:assert/strict';
import { appendFile, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { memoryLogger } from '../../src/core/logger.js';
import type { LoadedLog } from '../../src/core/ports.js';
import { FileLogStore } from '../../src/storage/index.js';
import { flipBit, makeTempDir, runFixture } from '../helpers/storage.js';

const HEADER = 6;
const FRAME_OVERHEAD = 10;
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const texts = (records: readonly Uint8Array[]): string[] => records.map((r) => new TextDecoder().decode(r));

async function inTempStore(label: string, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await makeTempDir(label);
  try {
    await body(dir.path);
  } finally {
    await dir.remove();
  }
}

async function seed(dir: string, records: readonly string[], snapshot?: string): Promise<void> {
  const store = await FileLogStore.open(dir, { logger: memoryLogger() });
  if (snapshot !== undefined) await store.compact(bytes(snapshot));
  await store.append(records.map(bytes));
  await store.close();
}

async function reopenAndLoad(dir: string): Promise<{ loaded: LoadedLog; lines: string[] }> {
  const logger = memoryLogger();
  const store = await FileLogStore.open(dir, { logger });
  const loaded = await store.load();
  await store.close();
  return { loaded, lines: logger.lines };
}

describe('FileLogStore recovery', () => {
  it('drops a torn last record, warns, and truncates so later appends are clean', () =>
    inTempStore('torn', async (dir) => {
      await seed(dir, ['alpha', 'beta', 'gamma']);
      const log = join(dir, 'log');
      await truncate(log, (await stat(log)).size - 3);
      const { loaded, lines } = await reopenAndLoad(dir);
      assert.deepEqual(texts(loaded.records), ['alpha', 'beta']);
      assert.deepEqual(loaded.problems.map((p) => p.kind), ['torn-tail']);
      assert.ok(lines.some((l) => l.startsWith('warn') && l.includes('incomplete last write')), lines.join('\n'));
      assert.equal((await stat(log)).size, HEADER + 2 * FRAME_OVERHEAD + 'alphabeta'.length);

      await seed(dir, ['delta']);
      const again = await reopenAndLoad(dir);
      assert.deepEqual(texts(again.loaded.records), ['alpha', 'beta', 'delta']);
      assert.deepEqual(again.loaded.problems, []);
    }));

  it('drops a torn header whose length runs past the end of the file', () =>
    inTempStore('torn-header', async (dir) => {
      await seed(dir, ['one']);
      await appendFile(join(dir, 'log'), Buffer.from([0xe5, 0x52, 0xff, 0xff, 0x00]));
      const { loaded } = await reopenAndLoad(dir);
      assert.deepEqual(texts(loaded.records), ['one']);
      assert.deepEqual(loaded.problems.map((p) => p.kind), ['torn-tail']);
    }));

  it('keeps every intact record around mid-file damage and preserves the damaged original', () =>
    inTempStore('middle', async (dir) => {
      await seed(dir, ['r0', 'r1', 'r2-damaged', 'r3', 'r4']);
      const log = join(dir, 'log');
      const damaged = await readFile(log);
      const r2Payload = HEADER + 2 * FRAME_OVERHEAD + 4 + FRAME_OVERHEAD;
      flipBit(damaged, r2Payload + 3, 2);
      flipBit(damaged, HEADER + 2, 7); // r0's length too: resynchronising must still find r1
      await writeFile(log, damaged);

      const { loaded } = await reopenAndLoad(dir);
      assert.deepEqual(texts(loaded.records), ['r1', 'r3', 'r4']);
      assert.equal(loaded.problems.length, 1);
      const problem = loaded.problems[0]!;
      assert.equal(problem.kind, 'corrupt-record');
      assert.ok(problem.movedTo?.startsWith(join(dir, 'log.corrupt-')), problem.movedTo);
      assert.ok((await readFile(problem.movedTo!)).equals(damaged), 'the damaged original is kept byte for byte');

      await seed(dir, ['r5']);
      const again = await reopenAndLoad(dir);
      assert.deepEqual(texts(again.loaded.records), ['r1', 'r3', 'r4', 'r5']);
      assert.deepEqual(again.loaded.problems, []);
    }));

  it('moves a corrupt snapshot aside and still loads the log', () =>
    inTempStore('snapshot', async (dir) => {
      await seed(dir, ['after-snapshot'], 'the snapshot');
      const file = join(dir, 'snapshot');
      const damaged = await readFile(file);
      flipBit(damaged, damaged.length - 2, 0);
      await writeFile(file, damaged);

      const { loaded } = await reopenAndLoad(dir);
      assert.equal(loaded.snapshot, undefined);
      assert.deepEqual(texts(loaded.records), ['after-snapshot']);
      assert.deepEqual(loaded.problems.map((p) => p.kind), ['corrupt-snapshot']);
      assert.ok((await readFile(loaded.problems[0]!.movedTo!)).equals(damaged));
      await assert.rejects(stat(file), { code: 'ENOENT' });
    }));

  for (const [label, file, content] of [
    ['a foreign log', 'log', 'Dear diary, today I wrote a file named log.'],
    ['a log from a newer version', 'log', 'SNLOG\u0009 future format'],
    ['a foreign snapshot', 'snapshot', '{"some":"json"}'],
  ] as const) {
    it(`refuses ${label} with StoreReadError and changes nothing`, () =>
      inTempStore('foreign', async (dir) => {
        await writeFile(join(dir, file), content);
        const before = (await readdir(dir)).sort();
        for (let attempt = 0; attempt < 2; attempt++) {
          await assert.rejects(FileLogStore.open(dir, { logger: memoryLogger() }), { name: 'StoreReadError' });
        }
        assert.equal(await readFile(join(dir, file), 'utf8'), content);
        assert.deepEqual((await readdir(dir)).sort(), before, 'no lock, no new log, nothing moved');
      }));
  }

  it('ignores temp files left by an interrupted compaction', () =>
    inTempStore('tmp', async (dir) => {
      await seed(dir, ['kept'], 'snap');
      await writeFile(join(dir, 'snapshot.tmp'), 'half a snap');
      await writeFile(join(dir, 'log.tmp'), 'SNLOG');
      const { loaded } = await reopenAndLoad(dir);
      assert.deepEqual(texts([loaded.snapshot!]), ['snap']);
      assert.deepEqual(texts(loaded.records), ['kept']);
      assert.deepEqual(loaded.problems, []);
      assert.deepEqual((await readdir(dir)).sort(), ['log', 'snapshot']);
    }));

  it('loads the new snapshot with the old log after a crash between the two halves of compact', () =>
    inTempStore('half-compact', async (dir) => {
      await seed(dir, ['a', 'b']);
      const oldLog = await readFile(join(dir, 'log'));
      await seed(dir, [], 'covers a and b');
      await writeFile(join(dir, 'log'), oldLog);
      const { loaded } = await reopenAndLoad(dir);
      assert.deepEqual(texts([loaded.snapshot!]), ['covers a and b']);
      assert.deepEqual(texts(loaded.records), ['a', 'b']);
      assert.deepEqual(loaded.problems, []);
    }));
});

interface StepReport {
  readonly step: string;
  readonly ok: boolean;
  readonly name?: string;
  readonly message?: string;
}

describe('FileLogStore write failures', () => {
  // RLIMIT_FSIZE makes the kernel cut a write short and then fail it with EFBIG, as a full disk
  // does with ENOSPC, and unlike file permissions it also binds root, so this is a real failing
  // write through the store's normal code path. 2048 blocks of 512 bytes = 1 MiB per file.
  it('rejects a failed write with StoreWriteError and appends cleanly afterwards', { skip: process.platform === 'win32' }, () =>
    inTempStore('efbig', async (dir) => {
      const result = await runFixture('write-failure.ts', [dir], 'ulimit -f 2048;');
      assert.equal(result.code, 0, result.stderr);
      const steps = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as StepReport);
      assert.deepEqual(steps.map((s) => [s.step, s.ok, s.name]), [
        ['small-1', true, undefined],
        ['too-big', false, 'StoreWriteError'],
        ['small-2', true, undefined],
        ['compact-too-big', false, 'StoreWriteError'],
        ['small-3', true, undefined],
      ]);
      assert.match(steps[1]!.message!, new RegExp(`could not save to ${join(dir, 'log')}: the file is larger than this system allows`));

      const { loaded } = await reopenAndLoad(dir);
      assert.deepEqual(loaded.problems, [], 'the failed write left no partial record behind');
      assert.equal(loaded.snapshot, undefined);
      assert.deepEqual(loaded.records.map((r) => [r.length, r[0]]), [[10240, 1], [10240, 3], [10240, 5]]);
      assert.deepEqual((await readdir(dir)).sort(), ['log'], 'the failed snapshot.tmp was removed');
    }));
});
