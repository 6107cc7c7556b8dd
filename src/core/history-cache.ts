/**
 * The history index kept between runs: per log, the heads it was written at and every change's
 * metadata (what HistoryIndex is built from), one JSON line each. Reading it back and asking
 * Automerge only for the changes since those heads costs milliseconds where a full
 * getChangesMetaSince costs seconds at 100k operations (docs/BENCHMARKS.md). It is a cache: a
 * missing, damaged or foreign file only means one full build.
 */
import type { ChangeMeta } from './history.js';

const FORMAT = 'shared-notes-history/1';
/** Lines handled between two yields to the event loop (a few ms of work each). */
const SLICE = 4_000;

export interface CachedHistory {
  readonly heads: readonly string[];
  readonly metas: ChangeMeta[];
}

const yieldNow = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Serialises in slices, yielding between them, so a large index never blocks for long. */
export async function encodeHistory(heads: readonly string[], metas: readonly ChangeMeta[]): Promise<string> {
  const lines = [JSON.stringify({ format: FORMAT, heads, count: metas.length })];
  for (let i = 0; i < metas.length; i++) {
    const m = metas[i]!;
    lines.push(JSON.stringify([m.hash, m.deps, m.actor, m.startOp, m.message]));
    if (i % SLICE === SLICE - 1) await yieldNow();
  }
  return lines.join('\n') + '\n';
}

/** Parses in slices (line by line, never one split of the whole text); undefined when the text is not a complete cache of this format. */
export async function decodeHistory(text: string): Promise<CachedHistory | undefined> {
  let at = text.indexOf('\n');
  if (at < 0) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(text.slice(0, at));
  } catch {
    return undefined;
  }
  if (!isHeader(header)) return undefined;
  const metas: ChangeMeta[] = [];
  const known = new Set<string>();
  for (let start = at + 1; start < text.length; start = at + 1) {
    at = text.indexOf('\n', start);
    if (at < 0) return undefined; // the last line is cut: a torn write
    const meta = metaOfLine(text.slice(start, at));
    if (!meta) return undefined;
    metas.push(meta);
    known.add(meta.hash);
    if (metas.length % SLICE === 0) await yieldNow();
  }
  if (metas.length !== header.count) return undefined;
  // The heads must be among the changes listed (else the file is not what it claims to be).
  if (!header.heads.every((h) => known.has(h))) return undefined;
  return { heads: header.heads, metas };
}

function isHeader(value: unknown): value is { format: string; heads: string[]; count: number } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.format === FORMAT && Array.isArray(v.heads) && v.heads.every((h) => typeof h === 'string') && typeof v.count === 'number';
}

function metaOfLine(line: string): ChangeMeta | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!Array.isArray(raw) || raw.length !== 5) return undefined;
  const [hash, deps, actor, startOp, message] = raw as unknown[];
  if (typeof hash !== 'string' || !Array.isArray(deps) || !deps.every((d) => typeof d === 'string')) return undefined;
  if (typeof actor !== 'string' || typeof startOp !== 'number' || (message !== null && typeof message !== 'string')) return undefined;
  return { hash, deps: deps as string[], actor, startOp, message };
}
