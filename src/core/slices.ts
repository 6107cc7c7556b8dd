/**
 * Work done in slices that yield to the event loop, so that building an index over 100k entries
 * never holds it for long (the history index, history-cache.ts and the search index do this). Pure.
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
      next.push(i + 1 < runs.length ? merge(runs[i]!, runs[i + 1]!, compare) : runs[i]!);
      if (slicer.due) {
        await slicer.pause();
        if (!alive()) return undefined;
      }
    }
    runs = next;
  }
  return runs[0] ?? [];
}

function merge<T>(a: readonly T[], b: readonly T[], compare: (a: T, b: T) => number): T[] {
  const out: T[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = compare(b[j]!, a[i]!) < 0 ? b[j++]! : a[i++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}
