/**
 * Shard ids: the first three hex digits of an entry id (4,096 shards). Kept apart from
 * shard-layout.ts so that reading the index (the first screen) does not load Automerge. Pure.
 */
import type { EntryId } from '../ids.js';

declare const brand: unique symbol;
/** Three lowercase hex digits: which shard an entry id belongs to. */
export type ShardId = string & { readonly [brand]: 'ShardId' };

/** Hex digits of an entry id that name its shard: 16³ = 4,096 shards. */
export const SHARD_DIGITS = 3;
export const SHARD_COUNT = 16 ** SHARD_DIGITS;

export const shardOf = (id: EntryId): ShardId => id.slice(0, SHARD_DIGITS) as ShardId;

export function isShardId(value: unknown): value is ShardId {
  return typeof value === 'string' && /^[0-9a-f]{3}$/.test(value);
}

/** Every shard id, in order ('000' … 'fff'). */
export function allShardIds(): ShardId[] {
  return Array.from({ length: SHARD_COUNT }, (_, i) => i.toString(16).padStart(SHARD_DIGITS, '0') as ShardId);
}
