/**
 * The realistic fixture of issue 13 (from spikes/scale-shards/src/content.mjs): titles ~40
 * characters, bodies / recipe texts 300–600 characters of markdown, three changes per entry
 * (publish + two text edits, each with the product's op record as its message), ~2 % deleted.
 * Deterministic (seeded), so every run and every machine builds the same content.
 *
 * `shardedSpaceWith(n)` builds a sharded space folder (4,096 shard logs + read index) through
 * the product's own stores and writes (shard-ops.ts), cached under the bench cache folder because
 * 100k entries take minutes. One actor writes everything, as in the spike (best case for
 * compression; the per-change costs do not depend on it).
 */
import * as A from '@automerge/automerge';
import { cp, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Author } from '../src/core/entry.js';
import type { DeviceId, EntryId } from '../src/core/ids.js';
import { memoryLogger } from '../src/core/logger.js';
import { encodeOp } from '../src/core/ops.js';
import { ReadIndex } from '../src/core/shards/read-index.js';
import { rowsOfShard } from '../src/core/shards/shard-doc.js';
import { emptyShard, shardOf, type ShardDoc, type ShardId } from '../src/core/shards/shard-layout.js';
import { writeDeleted, writeFields, writePublished } from '../src/core/shards/shard-ops.js';
import { FileIndexStore } from '../src/storage/read-index-store.js';
import { FileShardStore } from '../src/storage/shard-store.js';
import { cacheDir } from './fixture.js';

/** 2: the index file ends with its CRC-32C (FileIndexStore); a v1 fixture read as damaged and re-indexed every shard at start. */
const FIXTURE_VERSION = 2;

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

const WORDS = (
  'flour sugar butter eggs milk salt pepper garlic onion tomato basil lemon rice pasta cheese bread oven pan ' +
  'minutes stir slowly until golden bake serve chill weekend market list meeting notes project plan idea draft review ' +
  'garden water seeds spring summer trip train station book chapter reading quiet morning evening coffee tea friend family ' +
  'budget invoice repair bike tyre chain shelf paint kitchen window door call email reminder monday friday later soon'
).split(' ');
const pick = (r: () => number, a: readonly string[]): string => a[Math.floor(r() * a.length)]!;

function sentence(r: () => number, min = 6, max = 14): string {
  const n = min + Math.floor(r() * (max - min));
  const w: string[] = [];
  for (let i = 0; i < n; i++) w.push(pick(r, WORDS));
  const s = w.join(' ');
  return `${s[0]!.toUpperCase()}${s.slice(1)}.`;
}

function markdown(r: () => number, target: number): string {
  let out = `## ${sentence(r, 2, 5).slice(0, -1)}\n\n`;
  while (out.length < target) {
    const k = r();
    if (k < 0.35) {
      for (let i = 0; i < 3; i++) out += `- ${sentence(r, 2, 6)}\n`;
      out += '\n';
    } else if (k < 0.45) out += `1. **${pick(r, WORDS)}** ${sentence(r, 3, 8)}\n\n`;
    else out += `${sentence(r)} ${sentence(r)}\n\n`;
  }
  return out.slice(0, target);
}

function title(r: () => number, i: number): string {
  let t = `${sentence(r, 4, 8).slice(0, -1)} #${i}`;
  while (t.length < 36) t += ` ${pick(r, WORDS)}`;
  return t.slice(0, 44);
}

export const AUTHORS: readonly Author[] = Array.from({ length: 8 }, (_, k) => ({ name: `Person ${k}`, device: `dev${k}`.padEnd(16, '0') as DeviceId }));
const hex = (r: () => number): string => Array.from({ length: 32 }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');

export interface EntryScript {
  readonly id: EntryId;
  readonly kind: 'note' | 'recipe';
  readonly at: number;
  readonly author: Author;
  readonly fields: Readonly<Record<string, string>>;
  readonly edits: readonly { at: number; field: string; value: string }[];
  readonly deleted: boolean;
  readonly deletedAt: number;
}

/** Entry `i`: its id, kind, fields at publish, two later text edits, and whether it is deleted. */
export function entryScript(i: number, seed = 7): EntryScript {
  const r = rng(seed * 1_000_003 + i * 7919 + 1);
  const id = hex(r) as EntryId;
  const kind = r() < 0.8 ? 'note' : 'recipe';
  const at = 1_700_000_000_000 + i * 60_000;
  const author = AUTHORS[i % AUTHORS.length]!;
  const fields: Record<string, string> =
    kind === 'note'
      ? { title: title(r, i), body: markdown(r, 300 + Math.floor(r() * 300)) }
      : { name: title(r, i), ingredients: markdown(r, 120 + Math.floor(r() * 120)), instructions: markdown(r, 200 + Math.floor(r() * 200)) };
  const textField = kind === 'note' ? 'body' : 'instructions';
  const edits: { at: number; field: string; value: string }[] = [];
  let text = fields[textField]!;
  let pos = Math.floor(r() * text.length);
  text = `${text.slice(0, pos)} ${sentence(r, 4, 8)}${text.slice(pos)}`;
  edits.push({ at: at + 1000, field: textField, value: text });
  pos = Math.floor(r() * (text.length - 10));
  text = text.slice(0, pos) + pick(r, WORDS) + text.slice(pos + 6);
  edits.push({ at: at + 2000, field: textField, value: text });
  const deleted = r() < 0.02;
  return { id, kind, at, author, fields, edits, deleted, deletedAt: at + 3000 };
}

/** Applies an entry's whole script to its shard: publish, two edits, maybe a delete (3–4 changes). */
export function applyScript(doc: A.Doc<ShardDoc>, s: EntryScript): A.Doc<ShardDoc> {
  const msg = (op: Record<string, unknown>) => encodeOp({ v: 1, id: s.id, by: s.author, ...op } as never);
  doc = A.change(doc, { message: msg({ op: 'publish', at: s.at }), time: Math.floor(s.at / 1000) }, (d) =>
    writePublished(d, { id: s.id, kind: s.kind, author: s.author, createdAt: s.at, updatedAt: s.at, fields: s.fields }),
  );
  for (const e of s.edits) {
    doc = A.change(doc, { message: msg({ op: 'edit', fields: [e.field], at: e.at }), time: Math.floor(e.at / 1000) }, (d) => writeFields(d, s.id, { [e.field]: e.value }, e.at));
  }
  if (s.deleted) doc = A.change(doc, { message: msg({ op: 'delete', at: s.deletedAt }), time: Math.floor(s.deletedAt / 1000) }, (d) => writeDeleted(d, s.id, s.author, s.deletedAt));
  return doc;
}

export const shardedFixtureDir = (n: number): string => join(cacheDir(), `sharded-${n}-v${FIXTURE_VERSION}`);

export interface FixtureInfo {
  readonly n: number;
  readonly shards: number;
  readonly changes: number;
  readonly shardBytes: number;
  readonly indexBytes: number;
  readonly buildMs: number;
}

/**
 * A sharded space folder with `n` realistic entries (built once, then read from the cache). Each
 * shard is stored compacted (one saved document), as the product leaves it after compaction.
 */
export async function shardedSpaceWith(n: number, log: (line: string) => void = () => undefined): Promise<{ dir: string; info: FixtureInfo }> {
  const dir = shardedFixtureDir(n);
  try {
    const info = JSON.parse(await readFile(join(dir, 'fixture.json'), 'utf8')) as FixtureInfo;
    return { dir, info };
  } catch {
    // not built yet
  }
  const started = performance.now();
  const building = `${dir}.building`;
  await rm(building, { recursive: true, force: true });
  await mkdir(building, { recursive: true });
  const byShard = new Map<ShardId, EntryScript[]>();
  for (let i = 0; i < n; i++) {
    const s = entryScript(i);
    const list = byShard.get(shardOf(s.id));
    if (list) list.push(s);
    else byShard.set(shardOf(s.id), [s]);
  }
  const logger = memoryLogger('warn');
  const store = await FileShardStore.open(building, { logger });
  const index = ReadIndex.empty();
  let changes = 0;
  let shardBytes = 0;
  let done = 0;
  for (const [shard, scripts] of [...byShard].sort(([a], [b]) => (a < b ? -1 : 1))) {
    let doc = emptyShard('be'.repeat(16));
    for (const s of scripts) doc = applyScript(doc, s);
    changes += A.stats(doc).numChanges - 1;
    const file = await store.compact(shard, A.save(doc));
    shardBytes += file.size;
    index.apply({ shard, state: { ...file, heads: A.getHeads(doc) }, rows: rowsOfShard(shard, doc), replace: true });
    A.free(doc);
    done += scripts.length;
    if (Math.floor(done / 5000) !== Math.floor((done - scripts.length) / 5000)) log(`  fixture ${n}: ${done} entries, ${Math.round((performance.now() - started) / 1000)} s`);
  }
  await store.close();
  const indexStore = new FileIndexStore(building, logger);
  await indexStore.read();
  const bytes = index.encode();
  await indexStore.rewrite(bytes);
  await indexStore.close();
  const info: FixtureInfo = { n, shards: byShard.size, changes, shardBytes, indexBytes: bytes.length, buildMs: Math.round(performance.now() - started) };
  await writeFile(join(building, 'fixture.json'), JSON.stringify(info));
  await rm(dir, { recursive: true, force: true });
  await rename(building, dir);
  return { dir, info };
}

/** A private copy of a fixture (the bench writes to it: edits, journal, index at close). */
export async function copyFixture(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await cp(from, to, { recursive: true, preserveTimestamps: true });
  await stat(to);
}
