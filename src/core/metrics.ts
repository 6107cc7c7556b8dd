/**
 * Counters, histograms and the Prometheus text exposition format (version 0.0.4), with no
 * dependency: what `shared-notes serve --metrics` renders. Pure: values come from the caller.
 */

export type Labels = Readonly<Record<string, string>>;

/** Cumulative-bucket histogram (Prometheus semantics: `le` buckets, `+Inf`, `_sum`, `_count`). */
export class Histogram {
  private readonly counts: number[];
  private total = 0;
  private observed = 0;

  /** `bounds`: upper bounds in ascending order (seconds for durations). */
  constructor(readonly bounds: readonly number[]) {
    for (let i = 1; i < bounds.length; i++) {
      if (!(bounds[i]! > bounds[i - 1]!)) throw new RangeError('histogram bounds must ascend');
    }
    this.counts = bounds.map(() => 0);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    this.total += value;
    this.observed += 1;
    for (let i = 0; i < this.bounds.length; i++) if (value <= this.bounds[i]!) this.counts[i]! += 1;
  }

  /** Cumulative counts per bound, then the sum and count (the `+Inf` bucket equals `count`). */
  snapshot(): { buckets: Array<{ le: number; count: number }>; sum: number; count: number } {
    return { buckets: this.bounds.map((le, i) => ({ le, count: this.counts[i]! })), sum: this.total, count: this.observed };
  }
}

/** Bounds for latencies from 0.5 ms to 10 s, in seconds. */
export const LATENCY_BUCKETS_S: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Bounds for session durations from 5 ms to 5 min, in seconds. */
export const SESSION_BUCKETS_S: readonly number[] = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

export type MetricFamily =
  | { readonly name: string; readonly help: string; readonly type: 'counter' | 'gauge'; readonly samples: readonly Sample[] }
  | { readonly name: string; readonly help: string; readonly type: 'histogram'; readonly series: ReadonlyArray<{ labels: Labels; histogram: Histogram }> };

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  for (const [key] of entries) if (!LABEL.test(key)) throw new RangeError(`bad label name ${key}`);
  return `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Renders families in the Prometheus text format; every line ends with a newline. */
export function renderPrometheus(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    if (!NAME.test(family.name)) throw new RangeError(`bad metric name ${family.name}`);
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    if (family.type === 'histogram') {
      for (const { labels, histogram } of family.series) {
        const { buckets, sum, count } = histogram.snapshot();
        for (const b of buckets) lines.push(`${family.name}_bucket${formatLabels({ ...labels, le: formatValue(b.le) })} ${b.count}`);
        lines.push(`${family.name}_bucket${formatLabels({ ...labels, le: '+Inf' })} ${count}`);
        lines.push(`${family.name}_sum${formatLabels(labels)} ${formatValue(sum)}`, `${family.name}_count${formatLabels(labels)} ${count}`);
      }
    } else {
      for (const s of family.samples) lines.push(`${family.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
    }
  }
  return lines.map((l) => l + '\n').join('');
}
