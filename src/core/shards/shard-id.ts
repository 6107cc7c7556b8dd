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

/** `ids` grouped by shard, shards and ids in order of first appearance. */
export function idsByShard(ids: Iterable<EntryId>): Map<ShardId, EntryId[]> {
  const groups = new Map<ShardId, EntryId[]>();
  for (const id of ids) {
    const shard = shardOf(id);
    const group = groups.get(shard);
    if (group) group.push(id);
    else groups.set(shard, [id]);
  }
  return groups;
}

export function isShardId(value: unknown): value is ShardId {
  return typeof value === 'string' && /^[0-9a-f]{3}$/.test(value);
}

/** The shard with number `n` (0 … 4,095): its id. */
export const shardAt = (n: number): ShardId => n.toString(16).padStart(SHARD_DIGITS, '0') as ShardId;

/** A shard id's number (0 … 4,095). */
export const shardNumber = (shard: ShardId): number => parseInt(shard, 16);

/** Every shard id, in order ('000' … 'fff'). */
export function allShardIds(): ShardId[] {
  return Array.from({ length: SHARD_COUNT }, (_, i) => shardAt(i));
}
