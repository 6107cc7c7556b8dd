/**
 * The smallest set of range edits that turns one text into another (Myers' O(ND) diff over UTF-16
 * code units, after trimming the common prefix and suffix). Used to bring an open editor document
 * up to date with the stored entry by touching only what others changed, so that the cursor,
 * selection and undo stack of the person typing stay where they are. Pure.
 */

/** Replace `from[start, end)` with `text`; edits are ordered and do not overlap. */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Above this many differences the diff gives up on minimality and replaces the differing middle. */
export const MAX_DIFF_DISTANCE = 2_000;

export function diffEdits(from: string, to: string, maxDistance = MAX_DIFF_DISTANCE): TextEdit[] {
  if (from === to) return [];
  let prefix = 0;
  const shorter = Math.min(from.length, to.length);
  while (prefix < shorter && from.charCodeAt(prefix) === to.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && from.charCodeAt(from.length - 1 - suffix) === to.charCodeAt(to.length - 1 - suffix)) suffix++;
  const a = from.slice(prefix, from.length - suffix);
  const b = to.slice(prefix, to.length - suffix);
  if (a.length === 0 || b.length === 0) return [{ start: prefix, end: prefix + a.length, text: b }];
  const script = myers(a, b, maxDistance);
  if (!script) return [{ start: prefix, end: prefix + a.length, text: b }];
  return script.map((e) => ({ start: e.start + prefix, end: e.end + prefix, text: e.text }));
}

/** Applies ordered, non-overlapping edits (for tests and for previews). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}

/** Myers' greedy shortest edit script, as coalesced range edits; undefined past `max` differences. */
function myers(a: string, b: string, max: number): TextEdit[] | undefined {
  const n = a.length;
  const m = b.length;
  const offset = Math.min(n + m, max) + 1;
  const v = new Int32Array(2 * offset + 1);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= Math.min(n + m, max); d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a.charCodeAt(x) === b.charCodeAt(y)) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    if (found >= 0) break;
  }
  if (found < 0) return undefined;
  // Walk back through the trace, collecting single-character deletes and inserts.
  const ops: Array<{ del: boolean; ai: number; bi: number }> = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const vd = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && vd[offset + k - 1]! < vd[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = vd[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
    }
    if (x === prevX) ops.push({ del: false, ai: x, bi: prevY }); // insert b[prevY] at a-position x
    else ops.push({ del: true, ai: prevX, bi: y }); // delete a[prevX]
    x = prevX;
    y = prevY;
  }
  ops.reverse();
  const edits: Array<{ start: number; end: number; text: string }> = [];
  for (const op of ops) {
    const last = edits.at(-1);
    if (op.del) {
      if (last && last.end === op.ai) last.end++;
      else edits.push({ start: op.ai, end: op.ai + 1, text: '' });
    } else {
      const ch = b[op.bi]!;
      if (last && last.end === op.ai) last.text += ch;
      else edits.push({ start: op.ai, end: op.ai, text: ch });
    }
  }
  return edits;
}

/**
 * Three-way merge of texts: `mine` and `theirs` both started from `base`. Every insertion of either
 * side is kept and every character either side deleted is gone; edits that touch the same span
 * of `base` are combined (the union of what they deleted, then their text, then mine), so no
 * character that nobody deleted can be lost. Used to write an editor's copy made from an older
 * version without asking Automerge to rebuild the whole document at that version.
 */
export function merge3(base: string, mine: string, theirs: string, options: { keepIdentical?: boolean } = {}): string {
  // Both sides ending on the same text is one change seen twice (a save retried), unless the
  // caller knows the other side's change is not its own (`keepIdentical`: two people typed the
  // same characters at the same place, e.g. a space; both are kept).
  if (mine === base || (mine === theirs && !options.keepIdentical)) return theirs;
  if (theirs === base) return mine;
  const edits = [
    ...diffEdits(base, theirs).map((e) => ({ ...e, side: 0 })),
    ...diffEdits(base, mine).map((e) => ({ ...e, side: 1 })),
  ].sort((x, y) => x.start - y.start || x.side - y.side);
  let out = '';
  let at = 0;
  for (let i = 0; i < edits.length; ) {
    const first = edits[i]!;
    let end = first.end;
    const cluster = [first];
    for (i++; i < edits.length; i++) {
      const next = edits[i]!;
      if (!(next.start < end || next.start === first.start)) break;
      cluster.push(next);
      end = Math.max(end, next.end);
    }
    out += base.slice(at, first.start);
    out += cluster.filter((e) => e.side === 0).map((e) => e.text).join('') + cluster.filter((e) => e.side === 1).map((e) => e.text).join('');
    at = end;
  }
  return out + base.slice(at);
}

/**
 * The edit from `before` to `after` as one splice, when it inserts only or deletes only, in one
 * place (then it is the minimal edit); undefined otherwise. Never splits a surrogate pair.
 */
export function singleSplice(before: string, after: string): { at: number; del: number; ins: string } | undefined {
  const max = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < max && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  if (prefix > 0 && isHighSurrogate(before.charCodeAt(prefix - 1))) prefix--;
  let suffix = 0;
  while (suffix < max - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  if (suffix > 0 && isLowSurrogate(before.charCodeAt(before.length - suffix))) suffix--;
  const del = before.length - prefix - suffix;
  const ins = after.slice(prefix, after.length - suffix);
  return del === 0 || ins === '' ? { at: prefix, del, ins } : undefined;
}

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;
