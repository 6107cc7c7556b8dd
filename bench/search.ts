/**
 * `npm run bench -- --search`: the search index on a realistic space (the edited fixture: notes
 * with markdown bodies of a few hundred characters, most edited several times), opened from disk
 * as the CLI opens it. Measures the index build, then every keystroke of typed queries (each
 * prefix is one query, as the quick pick asks), also right after an edit (the stale entry is
 * re-read by that query), against listing and folding the space on every keystroke (no index).
 * Measures only; never asserts.
 */
import { SearchIndex } from '../src/core/search-index.js';
import { fold, queryTerms } from '../src/core/search-text.js';
import { editedSpace } from './edited-fixture.js';
import { noteLogFromSaved } from './ours.js';
import { median, quantile } from './table.js';

/** What people type: common words, a word and a half, a two-word phrase, a miss, an accented word. */
const QUERIES = ['garden', 'bake until golden', 'passport hotel', 'olive oil', 'zucchini', 'crème brûlée'];

export interface SearchFigures {
  ops: number;
  entries: number;
  openMs: number;
  buildMs: number;
  keystrokes: number;
  /** CPU time of the process per keystroke (user + system): the work itself, whatever else runs on the machine. */
  cpuP50: number;
  cpuMax: number;
  p50: number;
  p99: number;
  max: number;
  /** A keystroke right after an edit of one entry. */
  afterEditP50: number;
  afterEditMax: number;
  afterEditCpuMax: number;
  /** One keystroke without an index: list every entry and fold its texts (median of a few). */
  noIndexMs: number;
  /** Heap growth from building the index (JS heap; the texts are also held by Automerge). */
  indexMB: number;
}

export async function benchSearch(ops: number): Promise<SearchFigures> {
  const space = await editedSpace(ops);
  const { log, openMs } = await noteLogFromSaved(`search-${ops}`, space.saved);
  try {
    globalThis.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const index = new SearchIndex(log);
    const buildStart = performance.now();
    index.warm();
    const buildMs = performance.now() - buildStart;
    globalThis.gc?.();
    // Meaningful only with `node --expose-gc` (a collection before each reading); NaN otherwise.
    const indexMB = globalThis.gc ? (process.memoryUsage().heapUsed - heapBefore) / 1e6 : NaN;

    const times: number[] = [];
    const cpu: number[] = [];
    for (const query of QUERIES) {
      for (let n = 1; n <= query.length; n++) {
        const start = performance.now();
        const cpuStart = process.cpuUsage();
        index.search(query.slice(0, n));
        const used = process.cpuUsage(cpuStart);
        times.push(performance.now() - start);
        cpu.push((used.user + used.system) / 1000);
      }
    }
    const afterEdit: number[] = [];
    const afterEditCpu: number[] = [];
    for (const [i, entry] of space.entries.slice(0, 20).entries()) {
      await log.edit(entry.id, { title: `edited ${i} garden` });
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      index.search('garden');
      const used = process.cpuUsage(cpuStart);
      afterEdit.push(performance.now() - start);
      afterEditCpu.push((used.user + used.system) / 1000);
    }
    const noIndex: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      const terms = queryTerms('garden');
      log.list().entries.filter((e) => terms.every((t) => fold(JSON.stringify(e)).includes(t)));
      noIndex.push(performance.now() - start);
    }
    index.dispose();
    return {
      ops, entries: index.size, openMs, buildMs, keystrokes: times.length, cpuP50: median(cpu), cpuMax: Math.max(...cpu), p50: median(times), p99: quantile(times, 0.99), max: Math.max(...times),
      afterEditP50: median(afterEdit), afterEditMax: Math.max(...afterEdit), afterEditCpuMax: Math.max(...afterEditCpu), noIndexMs: median(noIndex), indexMB,
    };
  } finally {
    await log.close();
  }
}
