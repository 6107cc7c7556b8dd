/**
 * Benchmark fixtures: a space document with N published entries, built the way the product
 * builds it (one Automerge change per published entry, our layout and op messages), cached on
 * disk because building 100k changes takes a while.
 */
import * as A from '@automerge/automerge';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newEntryId, type EntryId } from '../src/core/ids.js';
import { bucketFor, type SpaceDoc } from '../src/core/layout.js';
import { encodeOp } from '../src/core/ops.js';
import { genesisChange } from '../src/core/replica.js';

const FIXTURE_VERSION = 1;
export const cacheDir = (): string => process.env.SHARED_NOTES_BENCH_CACHE ?? join(tmpdir(), 'shared-notes-bench');

const author = { name: 'Bench author', device: 'bench0device0000' };
const imm = (s: string) => new A.ImmutableString(s);

/** The genesis document every space starts from. */
export function genesisDoc(): A.Doc<SpaceDoc> {
  return A.applyChanges(A.init<SpaceDoc>(), [genesisChange()])[0];
}

/** A published note as stored (what `publish` writes); `mk` makes immutable strings of the caller's Automerge copy. */
export function noteValue(i: number, at: number, mk: (s: string) => unknown = imm): Record<string, unknown> {
  return {
    kind: mk('note'),
    author: { name: mk(author.name), device: mk(author.device) },
    createdAt: at,
    updatedAt: at,
    state: mk('published'),
    title: mk(`Shopping list ${i}`),
    body: `Buy ${i % 7} eggs, flour, milk and a little salt for the weekend (${i}).`,
  };
}

/** The op record a publish carries as its change message. */
export const publishMessage = (id: EntryId, at: number): string => encodeOp({ v: 1, op: 'publish', id, at, by: author as never });

/** Adds one published note with a realistic title and body, as one change (what `publish` writes). */
export function publishOne(doc: A.Doc<SpaceDoc>, i: number, at = 1_700_000_000_000 + i): A.Doc<SpaceDoc> {
  const id: EntryId = newEntryId();
  return A.change(doc, { message: publishMessage(id, at), time: Math.floor(at / 1000) }, (d) => {
    bucketFor(d, id)![id] = noteValue(i, at);
  });
}

/** Saved bytes of a space with `n` published entries (one change each), from the cache if built before. */
export async function spaceWith(n: number): Promise<Uint8Array> {
  const file = join(cacheDir(), `space-${n}-v${FIXTURE_VERSION}.automerge`);
  try {
    return new Uint8Array(await readFile(file));
  } catch {
    // build it below
  }
  let doc = genesisDoc();
  for (let i = 0; i < n; i++) doc = publishOne(doc, i);
  const bytes = A.save(doc);
  await mkdir(cacheDir(), { recursive: true });
  await writeFile(`${file}.tmp`, bytes);
  await rename(`${file}.tmp`, file);
  return bytes;
}

/** The same document without its last `missing` changes (a peer that was away for them). */
export function withoutLast(saved: Uint8Array, missing: number): Uint8Array {
  const changes = A.getAllChanges(A.load<SpaceDoc>(saved));
  const kept = changes.slice(0, changes.length - missing);
  return A.save(A.applyChanges(A.init<SpaceDoc>(), kept)[0]);
}
