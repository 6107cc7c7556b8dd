/**
 * Migration of a v1 space (one document, 4,096 bucket maps) to shards, deterministic so that
 * peers converting the same v1 state independently produce byte-identical shard documents (same
 * change hashes, so they sync as if one peer had converted for all). For each non-empty bucket:
 * one change on top of the shard genesis, made by an actor derived from the shard id alone, at
 * time 0, whose message names the v1 heads converted; it writes the bucket's entries in id order,
 * each copied value by value (immutable strings stay immutable, collaborative texts stay texts,
 * tombstones keep their marker and content). What is lost, and kept in the v1 document instead
 * (read-only, for history): the per-entry change history and competing values of a title (the
 * winning one is copied). Pure.
 */
import * as A from '@automerge/automerge';
import { bucketMaps, type SpaceDoc } from '../layout.js';
import { isEntryId, type EntryId } from '../ids.js';
import type { ShardStore } from './ports.js';
import { emptyShard, isShardId, type ShardDoc, type ShardId } from './shard-layout.js';

/** The actor of shard `shard`'s migration change: `5a` + 26 zeros + the shard id + `0`. Never a device's (random) actor. */
export function migrationActor(shard: ShardId): string {
  return `5a${'0'.repeat(26)}${shard}0`;
}

export interface MigratedShard {
  readonly shard: ShardId;
  /** `Automerge.save` of the shard: genesis + the migration change. */
  readonly saved: Uint8Array;
  readonly heads: string[];
  readonly entries: number;
  /** The ids of the entries it holds (valid or not), in id order. */
  readonly ids: EntryId[];
}

export interface Migration {
  readonly shards: MigratedShard[];
  /** The v1 heads converted (sorted): a v1 change after them must be replayed onto the shards. */
  readonly from: string[];
  /** Keys skipped because their bucket path is not three hex digits (a peer wrote the tree wrongly). */
  readonly skipped: number;
}

export const migrationMessage = (from: readonly string[]): string => JSON.stringify({ v: 2, op: 'migrate', from });

/** Converts a loaded v1 space document; shards without entries are left out (they hold only the genesis). */
export function migrateV1(doc: A.Doc<SpaceDoc>): Migration {
  const from = [...A.getHeads(doc)].sort();
  const message = migrationMessage(from);
  const buckets = new Map<ShardId, Record<string, unknown>>();
  let skipped = 0;
  for (const [path, bucket] of bucketMaps(doc)) {
    const shard = path.join('');
    if (!isShardId(shard)) {
      skipped += Object.keys(bucket).length;
      continue;
    }
    if (Object.keys(bucket).length > 0) buckets.set(shard, bucket);
  }
  const shards: MigratedShard[] = [];
  for (const shard of [...buckets.keys()].sort()) {
    const bucket = buckets.get(shard)!;
    const ids = Object.keys(bucket).sort();
    let shardDoc = emptyShard(migrationActor(shard));
    shardDoc = A.change(shardDoc, { message, time: 0 }, (d) => {
      for (const id of ids) d.e[id] = copyValue(bucket[id]) as Record<string, unknown>;
    });
    shards.push({ shard, saved: A.save(shardDoc), heads: A.getHeads(shardDoc), entries: ids.length, ids: ids.filter(isEntryId) });
    A.free(shardDoc);
  }
  return { shards, from, skipped };
}

/** A value of the v1 document as a fresh value for a change: keys in sorted order, types kept. */
function copyValue(value: unknown): unknown {
  if (A.isImmutableString(value)) return new A.ImmutableString(value.val);
  if (typeof value === 'string') return value; // collaborative text (Automerge 3 reads text as a string)
  if (Array.isArray(value)) return value.map(copyValue);
  if (typeof value === 'object' && value !== null) {
    if (value instanceof Date || value instanceof Uint8Array) return value;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = copyValue((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** Reads a migrated shard back (tests, and the first load after a migration). */
export function loadMigrated(shard: MigratedShard): A.Doc<ShardDoc> {
  return A.load<ShardDoc>(shard.saved);
}

/**
 * Writes a migration into a space's shard store (each shard as one saved document). The index is
 * then built by `ShardedSpace.recover` (every shard's log differs from an empty index).
 */
export async function storeMigration(migration: Migration, store: ShardStore): Promise<void> {
  for (const shard of migration.shards) await store.compact(shard.shard, shard.saved);
}
