/**
 * The sharded space layout (schema v2): the shared space is 4,096 Automerge documents, one per
 * value of the first three hex digits of an entry id (today's leaf bucket), each
 * `{ v: 2, e: { <entryId>: entry } }` and each starting from the same fixed genesis change
 * (shard-genesis.ts), so no two peers ever create the `e` map concurrently. Pure.
 */
import * as A from '@automerge/automerge';
import { isEntryId, type EntryId } from '../ids.js';
import type { ShardId } from './shard-id.js';
import { SHARD_GENESIS_BASE64, SHARD_GENESIS_HASH } from './shard-genesis.js';

export { allShardIds, isShardId, shardOf, SHARD_COUNT, SHARD_DIGITS, type ShardId } from './shard-id.js';

export const SHARD_SCHEMA_VERSION = 2;

export interface ShardDoc {
  v: number;
  e: Record<string, Record<string, unknown>>;
}

let genesisBytes: Uint8Array | undefined;
/** The change every shard document starts from (scripts/make-shard-genesis.mjs). */
export function shardGenesisChange(): Uint8Array {
  return (genesisBytes ??= Uint8Array.from(atob(SHARD_GENESIS_BASE64), (c) => c.charCodeAt(0)));
}

export const SHARD_GENESIS_HEADS: readonly string[] = [SHARD_GENESIS_HASH];

/** True for the heads of a shard that holds its genesis change and nothing else. */
export function isShardGenesisOnly(heads: readonly string[]): boolean {
  return heads.length === 1 && heads[0] === SHARD_GENESIS_HASH;
}

/** A shard document holding only the genesis change. */
export function emptyShard(actor?: string): A.Doc<ShardDoc> {
  return A.applyChanges(A.init<ShardDoc>(actor === undefined ? undefined : { actor }), [shardGenesisChange()])[0];
}

/** The raw stored value for `id` in a (read-only) shard document, or undefined. */
export function rawShardEntry(doc: A.Doc<ShardDoc>, id: string): unknown {
  const map = (doc as ShardDoc).e;
  return isMap(map) && Object.prototype.hasOwnProperty.call(map, id) ? map[id] : undefined;
}

/**
 * Every (key, raw value) pair in the shard's entry map. Keys that are not entry ids of this shard
 * are yielded too (a peer may have written them) so that the reader can report them as invalid.
 */
export function* rawShardEntries(doc: A.Doc<ShardDoc>): Generator<[string, unknown]> {
  const map = (doc as ShardDoc).e;
  if (!isMap(map)) return;
  for (const key of Object.keys(map)) yield [key, map[key]];
}

/** Whether `key` may live in `shard`: an entry id whose first digits name it. */
export const belongsTo = (key: string, shard: ShardId): key is EntryId => isEntryId(key) && key.startsWith(shard);

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !A.isImmutableString(value);
}
