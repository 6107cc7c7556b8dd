import * as A from '@automerge/automerge';
import { BUCKET_LEVELS } from './constants.js';
import { EntryNotFoundError, InvalidInputError } from './errors.js';
import { isEntryId, type EntryId } from './ids.js';

/**
 * The space document: `{ v: 1, b: { <hex>: { <hex>: { <hex>: { <entryId>: entry } } } } }`.
 * Entries are spread over 4,096 leaf maps by the first three hex digits of their id, because an
 * Automerge change costs time in proportion to the size of the maps it touches (STACK.md). All
 * bucket maps exist from the genesis change, so no two peers ever create the same map.
 */
export type Bucket = Record<string, Record<string, unknown>>;
export interface SpaceDoc {
  v: number;
  b: Record<string, Record<string, Record<string, Bucket>>>;
}

export const bucketPath = (id: EntryId): string[] => id.slice(0, BUCKET_LEVELS).split('');

/** The leaf map holding `id`, inside a change callback (undefined if a peer damaged the tree). */
export function bucketFor(doc: SpaceDoc, id: EntryId): Bucket | undefined {
  const [a, b, c] = bucketPath(id) as [string, string, string];
  return doc.b?.[a]?.[b]?.[c];
}

/** The raw stored value for `id` in a (read-only) document, or undefined. */
export function rawEntry(doc: A.Doc<SpaceDoc>, id: EntryId): unknown {
  const bucket = bucketFor(doc as SpaceDoc, id);
  return bucket && Object.prototype.hasOwnProperty.call(bucket, id) ? bucket[id] : undefined;
}

/** Every (id, raw value) pair in the document, tolerating a tree a peer wrote wrongly. */
export function* rawEntries(doc: A.Doc<SpaceDoc>): Generator<[string, unknown]> {
  for (const [, bucket] of bucketMaps(doc)) {
    for (const id of Object.keys(bucket)) yield [id, bucket[id]];
  }
}

/** Every leaf map with the keys leading to it (three hex digits, unless a peer wrote other keys). */
export function* bucketMaps(doc: A.Doc<SpaceDoc>): Generator<[path: BucketPath, bucket: Record<string, unknown>]> {
  const root = (doc as SpaceDoc).b;
  if (!isMap(root)) return;
  for (const [a, l1] of Object.entries(root)) {
    if (!isMap(l1)) continue;
    for (const [b, l2] of Object.entries(l1)) {
      if (!isMap(l2)) continue;
      for (const [c, bucket] of Object.entries(l2)) if (isMap(bucket)) yield [[a, b, c], bucket];
    }
  }
}
export type BucketPath = readonly [string, string, string];

/** The raw value under key `id` of the leaf map at `path`, whatever the key (not only valid ids). */
export function rawAt(doc: A.Doc<SpaceDoc>, [a, b, c]: BucketPath, id: string): unknown {
  const bucket = (doc as SpaceDoc).b?.[a]?.[b]?.[c] as unknown;
  return isMap(bucket) && Object.prototype.hasOwnProperty.call(bucket, id) ? bucket[id] : undefined;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !A.isImmutableString(value);
}

/** A full entry id or a unique prefix of one (at least 4 hex digits), as people type them, among the entries of `docs`. */
export function resolveEntryId(text: string, ids: () => Iterable<string>, exists: (id: EntryId) => boolean): EntryId {
  const prefix = text.trim().toLowerCase();
  if (!/^[0-9a-f]{4,32}$/.test(prefix)) throw new InvalidInputError(`"${text}" is not an entry id (hex digits, at least 4)`);
  if (isEntryId(prefix)) {
    if (!exists(prefix)) throw new EntryNotFoundError(`no entry with id ${prefix}`);
    return prefix; // a full id needs no scan
  }
  const matches = new Set<string>();
  for (const id of ids()) if (id.startsWith(prefix)) matches.add(id);
  if (matches.size === 0) throw new EntryNotFoundError(`no entry with id ${prefix}`);
  if (matches.size > 1) throw new InvalidInputError(`"${prefix}" matches ${matches.size} entries; type more of the id`);
  return [...matches][0] as EntryId;
}
