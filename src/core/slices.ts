/**
 * Work done in slices that yield to the event loop, so that building an index over 100k entries
 * never holds it for long (the search index uses it; the history index slices its own way). Pure.
 */

export const yieldNow = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Times the current slice: `due` once it has run `sliceMs`; `pause` yields and starts the next one. */
export class Slicer {
  /** The longest slice so far, ms of wall time (longer than its CPU time when the machine is busy). */
  longestMs = 0;
  /** The most CPU time one slice took, ms (what the work itself costs, whatever else runs). */
  longestCpuMs = 0;
  private start = performance.now();
  private cpu = process.cpuUsage();

  constructor(private readonly sliceMs: number) {}

  get due(): boolean {
    return performance.now() - this.start >= this.sliceMs;
  }

  async pause(): Promise<void> {
    this.end();
    await yieldNow();
    this.start = performance.now();
    this.cpu = process.cpuUsage();
  }

  /** Records the slice that ends here (call once the work is done). */
  end(): void {
    this.longestMs = Math.max(this.longestMs, performance.now() - this.start);
    const used = process.cpuUsage(this.cpu);
    this.longestCpuMs = Math.max(this.longestCpuMs, (used.user + used.system) / 1000);
  }
}

/** Runs of this many items are sorted at once; each merge step is linear. */
const RUN = 2_048;

/**
 * `items` sorted by `compare` (a stable merge sort), pausing whenever a slice is due; undefined
 * when `alive()` turns false at a pause (the work was abandoned).
 */
export async function sortInSlices<T>(items: readonly T[], compare: (a: T, b: T) => number, slicer: Slicer, alive: () => boolean): Promise<T[] | undefined> {
  let runs: T[][] = [];
  for (let i = 0; i < items.length; i += RUN) {
    runs.push(items.slice(i, i + RUN).sort(compare));
    if (slicer.due) {
      await slicer.pause();
      if (!alive()) return undefined;
    }
  }
  while (runs.length > 1) {
    const next: T[][] = [];
    for (let i = 0; i < runs.length; i += 2) {
      const merged = i + 1 < runs.length ? await merge(runs[i]!, runs[i + 1]!, compare, slicer, alive) : runs[i]!;
      if (merged === undefined) return undefined;
      next.push(merged);
    }
    runs = next;
  }
  return runs[0] ?? [];
}

/** Two sorted runs as one (b's items after a's equal ones), pausing every RUN items when a slice is due. */
async function merge<T>(a: readonly T[], b: readonly T[], compare: (a: T, b: T) => number, slicer: Slicer, alive: () => boolean): Promise<T[] | undefined> {
  const out: T[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (k < out.length) {
    const stop = Math.min(out.length, k + RUN);
    while (k < stop) out[k++] = j >= b.length || (i < a.length && compare(b[j]!, a[i]!) >= 0) ? a[i++]! : b[j++]!;
    if (slicer.due) {
      await slicer.pause();
      if (!alive()) return undefined;
    }
  }
  return out;
}
