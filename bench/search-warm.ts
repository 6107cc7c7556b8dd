/**
 * `npm run bench -- --search-warm`: the search index's warm-up (what SpacePeer runs ~3 s after
 * start) on a space opened from disk, built in slices that yield to the event loop, against one
 * synchronous build (what warm-up did before, and what a query arriving first still does).
 * Measures only; never asserts.
 */
import { SearchIndex } from '../src/core/search-index.js';
import { noteLogFromSaved } from './ours.js';

export interface WarmFigures {
  entries: number;
  openMs: number;
  /** Sliced warm-up: from the call until the index is complete. */
  slicedMs: number;
  /** The longest the event loop was held meanwhile (ms between two 1-ms timer ticks). */
  longestHoldMs: number;
  /** The longest slice as the index timed it itself, wall and CPU time. */
  longestSliceMs: number;
  longestSliceCpuMs: number;
  /** CPU time of the whole sliced warm-up. */
  slicedCpuMs: number;
  /** One synchronous build of a second index (after the first one, so Automerge is as warm). */
  syncBuildMs: number;
}

export async function benchSearchWarm(prefix: string, saved: Uint8Array): Promise<WarmFigures> {
  const { log, openMs } = await noteLogFromSaved(prefix, saved);
  try {
    const index = new SearchIndex(log);
    let last = performance.now();
    let longestHoldMs = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      longestHoldMs = Math.max(longestHoldMs, now - last);
      last = now;
    }, 1);
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    await index.warm();
    const cpu = process.cpuUsage(cpuStart);
    const slicedMs = performance.now() - started;
    clearInterval(ticker);
    longestHoldMs = Math.max(longestHoldMs, performance.now() - last);
    const entries = index.size;
    index.dispose();

    const sync = new SearchIndex(log);
    const syncStart = performance.now();
    const syncEntries = sync.size; // a query before any warm-up: one synchronous build
    const syncBuildMs = performance.now() - syncStart;
    sync.dispose();
    if (syncEntries !== entries) throw new Error(`the sliced build holds ${entries} entries, the synchronous one ${syncEntries}`);
    return { entries, openMs, slicedMs, slicedCpuMs: (cpu.user + cpu.system) / 1000, longestHoldMs, longestSliceMs: index.longestSliceMs, longestSliceCpuMs: index.longestSliceCpuMs, syncBuildMs };
  } finally {
    await log.close();
  }
}
