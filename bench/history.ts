/**
 * `history ID` against the number of operations in the space: a NoteLog opened from FileLogStores
 * on disk as the CLI opens it, holding the edited fixture (notes edited several times each). The
 * first `historyDetails` builds the history index from every change's metadata, synchronously;
 * later calls read the index and the entry at each step's version. Measures only; never asserts.
 */
import { editedSpace } from './edited-fixture.js';
import { noteLogFromSaved } from './ours.js';
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
}

export async function benchHistory(ops: number): Promise<HistoryFigures> {
  const space = await editedSpace(ops);
  const { log, openMs } = await noteLogFromSaved(`history-${ops}`, space.saved);
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
    return { ops, entries: space.entries.length, openMs, metaMs, firstMs, firstSteps, nextP50: median(times), nextMax: Math.max(...times), nextSteps: Math.round(nextSteps / times.length) };
  } finally {
    await log.close();
  }
}
