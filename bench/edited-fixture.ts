/**
 * A space that has been in use for a while: published notes with markdown bodies of a few hundred
 * characters, most of them edited several times by several people (splices into the body, now and
 * then a new title). `ops` counts operations, i.e. changes in the shared log: about one in five is
 * a publish, the rest edits, which go mostly to recent notes. Built with Automerge directly, one
 * change per operation with our layout and op records, and cached like the other fixtures.
 */
import * as A from '@automerge/automerge';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Author } from '../src/core/entry.js';
import type { DeviceId, EntryId } from '../src/core/ids.js';
import { bucketPath } from '../src/core/layout.js';
import { encodeOp } from '../src/core/ops.js';
import { cacheDir, genesisDoc } from './fixture.js';

const FIXTURE_VERSION = 1;
const PUBLISH_SHARE = 0.2;

const AUTHORS: Author[] = ['Ann', 'Bob', 'Cat', 'Dan'].map((name, i) => ({ name, device: `bench${i}device000000` as DeviceId }));
const WORDS = (
  'flour butter sugar eggs milk salt oven pan minutes stir bake until golden serve with fresh herbs lemon garlic onion ' +
  'tomato pepper olive oil rice beans soup bread cheese slowly meeting notes agenda budget school pickup dentist call ' +
  'garden water plants friday weekend train tickets hotel booking passport remember check list ideas plan draft'
).split(' ');

/** Small deterministic generator (mulberry32), so the fixture's shape does not depend on the run. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const words = (rnd: () => number, n: number): string => Array.from({ length: n }, () => pick(rnd, WORDS)).join(' ');
const sentence = (rnd: () => number): string => {
  const s = words(rnd, 5 + Math.floor(rnd() * 9));
  return `${s[0]!.toUpperCase()}${s.slice(1)}.`;
};

/** A markdown body of roughly 300–600 characters: a heading, a paragraph, a list, a closing line. */
export function markdownBody(rnd: () => number): string {
  const items = Array.from({ length: 4 + Math.floor(rnd() * 5) }, () => `- ${words(rnd, 2 + Math.floor(rnd() * 4))}`);
  return `## ${words(rnd, 3)}\n\n${sentence(rnd)} ${sentence(rnd)}\n\n${items.join('\n')}\n\n${sentence(rnd)} ${sentence(rnd)}\n`;
}

type Backend = ReturnType<typeof A.getBackend>;
const hexId = (rnd: () => number): EntryId => Array.from({ length: 32 }, () => Math.floor(rnd() * 16).toString(16)).join('') as EntryId;

/** The object id under `prop` of map `obj` (the fixture made it, so it exists). */
function child(h: Backend, obj: string, prop: string): string {
  const value = h.getWithType(obj, prop);
  if (!value || (value[0] !== 'map' && value[0] !== 'text')) throw new Error(`fixture: no object at ${prop}`);
  return value[1] as string;
}

/** One realistic body edit at a random place: a sentence added, a few words removed, or a word replaced. */
function spliceBody(h: Backend, text: string, rnd: () => number): void {
  const body = h.text(text);
  const kind = rnd();
  if (kind < 0.5 || body.length < 40) {
    const at = body.lastIndexOf('\n', Math.floor(rnd() * body.length)) + 1;
    h.splice(text, at, 0, `${sentence(rnd)}\n`);
  } else if (kind < 0.8) {
    h.splice(text, Math.floor(rnd() * (body.length - 20)), 3 + Math.floor(rnd() * 15));
  } else {
    const at = Math.floor(rnd() * (body.length - 10));
    h.splice(text, at, Math.min(6, body.length - at), pick(rnd, WORDS));
  }
}

export interface EditedSpace {
  saved: Uint8Array;
  /** Entry ids with their number of operations, most operated-on first. */
  entries: Array<{ id: EntryId; ops: number }>;
}

/** Saved bytes of a space holding `ops` operations (see the module comment), from the cache if built before. */
export async function editedSpace(ops: number, onProgress?: (done: number) => void): Promise<EditedSpace> {
  const file = join(cacheDir(), `edited-${ops}-v${FIXTURE_VERSION}`);
  try {
    const [saved, index] = await Promise.all([readFile(`${file}.automerge`), readFile(`${file}.json`, 'utf8')]);
    return { saved: new Uint8Array(saved), entries: JSON.parse(index) as EditedSpace['entries'] };
  } catch {
    // build it below
  }
  // The fast path: Automerge's backend directly (no JS proxies or materialised document), one
  // commit per operation, with exactly the objects and scalar types NoteLog's writes produce.
  const rnd = random(ops);
  const h = A.getBackend(A.clone(genesisDoc()));
  const ids: EntryId[] = [];
  const entries = new Map<EntryId, { obj: string; ops: number }>();
  const buckets = new Map<string, string>();
  const bucketOf = (id: EntryId): string => {
    const key = bucketPath(id).join('');
    let obj = buckets.get(key);
    if (obj === undefined) {
      obj = bucketPath(id).reduce((parent, hex) => child(h, parent, hex), child(h, '_root', 'b'));
      buckets.set(key, obj);
    }
    return obj;
  };
  let at = 1_700_000_000_000;
  for (let i = 0; i < ops; i++) {
    at += 1_000 + Math.floor(rnd() * 60_000);
    const by = pick(rnd, AUTHORS);
    if (ids.length === 0 || rnd() < PUBLISH_SHARE) {
      const id = hexId(rnd);
      const obj = h.putObject(bucketOf(id), id, {});
      h.put(obj, 'kind', 'note', 'str');
      const author = h.putObject(obj, 'author', {});
      h.put(author, 'name', by.name, 'str');
      h.put(author, 'device', by.device, 'str');
      h.put(obj, 'createdAt', at, 'int');
      h.put(obj, 'updatedAt', at, 'int');
      h.put(obj, 'state', 'published', 'str');
      h.put(obj, 'title', words(rnd, 3), 'str');
      h.putObject(obj, 'body', markdownBody(rnd));
      h.commit(encodeOp({ v: 1, op: 'publish', id, at, by }), Math.floor(at / 1000));
      ids.push(id);
      entries.set(id, { obj, ops: 1 });
      continue;
    }
    // Edits go mostly to recent notes: the index is skewed towards the end of the list.
    const id = ids[Math.floor(ids.length * (1 - rnd() ** 3))] ?? ids.at(-1)!;
    const entry = entries.get(id)!;
    entry.ops++;
    const title = rnd() < 0.1;
    if (title) h.put(entry.obj, 'title', words(rnd, 3), 'str');
    else spliceBody(h, child(h, entry.obj, 'body'), rnd);
    h.put(entry.obj, 'updatedAt', at, 'int');
    h.commit(encodeOp({ v: 1, op: 'edit', id, fields: [title ? 'title' : 'body'], at, by }), Math.floor(at / 1000));
    if (i % 10_000 === 0) onProgress?.(i);
  }
  const saved = h.save();
  const list = [...entries].map(([id, e]) => ({ id, ops: e.ops })).sort((a, b) => b.ops - a.ops);
  await mkdir(cacheDir(), { recursive: true });
  await writeFile(`${file}.json.tmp`, JSON.stringify(list));
  await writeFile(`${file}.automerge.tmp`, saved);
  await rename(`${file}.json.tmp`, `${file}.json`);
  await rename(`${file}.automerge.tmp`, `${file}.automerge`);
  return { saved, entries: list };
}
