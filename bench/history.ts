/**
 * `history ID` against the number of operations in the space: a NoteLog opened from FileLogStores
 * on disk as the CLI opens it, holding the edited fixture (notes edited several times each). The
 * first `historyDetails` builds the history index from every change's metadata, synchronously;
 * later calls read the index and the entry at each step's version. Then the next run: the index
 * stored at close is read back (in slices) plus the changes made since. Measures only.
 */
import { join } from 'node:path';
import type { DeviceId } from '../src/core/ids.js';
import { memoryLogger } from '../src/core/logger.js';
import { NoteLog } from '../src/core/note-log.js';
import { FileLogStore } from '../src/storage/file-log-store.js';
import { FileHistoryCache } from '../src/storage/history-cache-file.js';
import { editedSpace } from './edited-fixture.js';
import { tempFolder } from './ours.js';
import { median } from './table.js';

export interface HistoryFigures {
  ops: number;
  entries: number;
  /** NoteLog.open from disk (the document's load), for scale. */
  openMs: number;
  /** The first `historyDetails` right after open, of the most edited entry: index build plus its steps (blocks the event loop throughout). */
  firstMs: number;
  /** `getChangesMetaSince` over the whole log on its own, called after that (the part of the build inside Automerge). */
  metaMs: number;
  firstSteps: number;
  /** Later `historyDetails` calls on the 20 next most edited entries. */
  nextP50: number;
  nextMax: number;
  nextSteps: number;
  /** Next run (the index stored at close): `historyReady` from the stored index plus 10 changes made since. */
  cachedReadyMs: number;
  /** The longest the event loop was held during that (ms between two 1-ms timer ticks). */
  cachedMaxBlockMs: number;
  /** The first `historyDetails` after it. */
  cachedFirstMs: number;
}

export async function benchHistory(ops: number): Promise<HistoryFigures> {
  const space = await editedSpace(ops);
  const dir = await tempFolder(`history-${ops}`);
  const seed = await FileLogStore.open(join(dir, 'shared'));
  await seed.compact(space.saved);
  await seed.close();

  const open = async () =>
    NoteLog.open(
      { shared: await FileLogStore.open(join(dir, 'shared')), local: await FileLogStore.open(join(dir, 'local')), logger: memoryLogger('warn'), historyCache: new FileHistoryCache(dir, memoryLogger('warn')) },
      { author: { name: 'Bench', device: 'bench-device' as DeviceId } },
    );
  const openStart = performance.now();
  const log = await open();
  const openMs = performance.now() - openStart;
  let figures: Omit<HistoryFigures, 'cachedReadyMs' | 'cachedMaxBlockMs' | 'cachedFirstMs'>;
  try {
    const [first, ...others] = space.entries;
    const firstStart = performance.now();
    const firstSteps = log.historyDetails(first!.id).length;
    const firstMs = performance.now() - firstStart;

    const metaStart = performance.now();
    log.shared.changesMeta();
    const metaMs = performance.now() - metaStart;

    const times: number[] = [];
    let nextSteps = 0;
    for (const entry of others.slice(0, 20)) {
      const start = performance.now();
      nextSteps += log.historyDetails(entry.id).length;
      times.push(performance.now() - start);
    }
    figures = { ops, entries: space.entries.length, openMs, metaMs, firstMs, firstSteps, nextP50: median(times), nextMax: Math.max(...times), nextSteps: Math.round(nextSteps / times.length) };
  } finally {
    await log.close(); // stores the index
  }

  const again = await open();
  try {
    const first = space.entries[0]!;
    for (let i = 0; i < 10; i++) await again.edit(first.id, { body: `edited after the index was stored, ${i}` });
    let last = performance.now();
    let maxBlockMs = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      maxBlockMs = Math.max(maxBlockMs, now - last);
      last = now;
    }, 1);
    const readyStart = performance.now();
    await again.historyReady();
    const cachedReadyMs = performance.now() - readyStart;
    clearInterval(ticker);
    maxBlockMs = Math.max(maxBlockMs, performance.now() - last);
    const firstStart = performance.now();
    again.historyDetails(first.id);
    return { ...figures, cachedReadyMs, cachedMaxBlockMs: maxBlockMs, cachedFirstMs: performance.now() - firstStart };
  } finally {
    await again.close();
  }
}
