/**
 * Sizes and figures of the chaos suite. `CHAOS_FULL=1` (npm run chaos) runs the full sizes; the
 * default is the short version that runs inside `npm test`. Every scenario prints its figures as a
 * small markdown table on stdout, so a run's output can be pasted into docs/RELIABILITY.md.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FULL = process.env.CHAOS_FULL === '1';

/** The short size in `npm test`, the full one under CHAOS_FULL=1. */
export function scaled<T>(short: T, full: T): T {
  return FULL ? full : short;
}

export type Figure = readonly [label: string, value: string | number];

/** Prints a two-column table (and appends it to .tmp/chaos-figures.md for the record). */
export function printFigures(title: string, figures: readonly Figure[]): void {
  const width = Math.max(...figures.map(([label]) => label.length), 6);
  const lines = [
    '',
    `### ${title} (${FULL ? 'full' : 'short'} run)`,
    '',
    `| ${'figure'.padEnd(width)} | value |`,
    `|${'-'.repeat(width + 2)}|-------|`,
    ...figures.map(([label, value]) => `| ${label.padEnd(width)} | ${value} |`),
    '',
  ];
  const text = lines.join('\n');
  console.log(text);
  try {
    const dir = join(__dirname, '..', '..', '.tmp');
    mkdirSync(dir, { recursive: true });
    appendFileSync(join(dir, 'chaos-figures.md'), `${text}\n<!-- ${new Date().toISOString()} -->\n`);
  } catch (err) {
    console.log(`(could not save the figures to .tmp: ${String(err)})`);
  }
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Resident memory of a process in MiB (Linux /proc); NaN elsewhere. */
export function rssMiB(pid: number | undefined): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : NaN;
  } catch {
    return NaN; // not Linux: the figure is left out
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function randomInt(min: number, maxInclusive: number): number {
  return min + Math.floor(Math.random() * (maxInclusive - min + 1));
}

export function pickOne<T>(items: readonly T[]): T {
  if (items.length === 0) throw new Error('pickOne of nothing');
  return items[Math.floor(Math.random() * items.length)]!;
}
