/**
 * A digest tree of the shard heads, so two peers find the shards they differ on in a few hundred
 * bytes (the sync layer's first step, issue 13): 4,096 shard digests → 64 group digests (64 shards
 * each) → one root. A peer compares roots (32 bytes: in sync when equal), then the 64 group
 * digests (8 bytes each), then the shard digests of the groups that differ. Kept current shard by
 * shard (one shard, its group and the root are rehashed). Pure.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { sameBytes } from '../bytes.js';
import { SHARD_COUNT, shardAt, shardNumber, type ShardId } from './shard-id.js';

/** Shards per group and groups per root: 64 × 64 = 4,096. */
export const GROUP_SIZE = 64;
export const GROUP_COUNT = SHARD_COUNT / GROUP_SIZE;
/** Bytes of a shard or group digest on the wire (a collision only delays finding a difference to the next level's check). */
export const DIGEST_BYTES = 8;

const encoder = new TextEncoder();

/** The digest of one shard's heads (order does not matter; the genesis-only shard has a fixed digest). */
export function shardDigest(heads: readonly string[]): Uint8Array {
  return sha256(encoder.encode([...heads].sort().join(','))).subarray(0, DIGEST_BYTES);
}

export class HeadsDigest {
  private readonly shards = new Uint8Array(SHARD_COUNT * DIGEST_BYTES);
  private readonly groups = new Uint8Array(GROUP_COUNT * DIGEST_BYTES);
  private rootDigest = new Uint8Array(32);
  /** Shards whose heads changed since the digests were last read. */
  private readonly pending = new Map<number, readonly string[]>();

  /** `headsOf(shard)`: the shard's heads (a shard with no log: the genesis heads). */
  constructor(headsOf: (shard: ShardId) => readonly string[]) {
    // Shards without a log share one heads array (the genesis): hashed once.
    const hashed = new Map<readonly string[], Uint8Array>();
    for (let s = 0; s < SHARD_COUNT; s++) {
      const heads = headsOf(shardAt(s));
      let digest = hashed.get(heads);
      if (digest === undefined) hashed.set(heads, (digest = shardDigest(heads)));
      this.shards.set(digest, s * DIGEST_BYTES);
    }
    for (let g = 0; g < GROUP_COUNT; g++) this.rehashGroup(g);
    this.rehashRoot();
  }

  get root(): Uint8Array {
    this.flush();
    return this.rootDigest;
  }

  /** The 64 group digests, concatenated (512 bytes). */
  groupDigests(): Uint8Array {
    this.flush();
    return this.groups.slice();
  }

  /** The 64 shard digests of group `g`, concatenated (512 bytes). */
  shardDigests(g: number): Uint8Array {
    this.flush();
    return this.shards.slice(g * GROUP_SIZE * DIGEST_BYTES, (g + 1) * GROUP_SIZE * DIGEST_BYTES);
  }

  /** One shard's digest (8 bytes). */
  digestOf(shard: ShardId): Uint8Array {
    this.flush();
    return digestAt(this.shards, shardNumber(shard)).slice();
  }

  /** A shard's heads changed (hashed when the digests are next read: an edit pays nothing here). */
  update(shard: ShardId, heads: readonly string[]): void {
    this.pending.set(shardNumber(shard), heads);
  }

  /** Groups whose digest differs from `theirs` (a peer's `groupDigests()`). */
  differingGroups(theirs: Uint8Array): number[] {
    this.flush();
    return differing(this.groups, theirs, GROUP_COUNT);
  }

  /** Shards of group `g` whose digest differs from `theirs` (a peer's `shardDigests(g)`). */
  differingShards(g: number, theirs: Uint8Array): ShardId[] {
    return differing(this.shardDigests(g), theirs, GROUP_SIZE).map((k) => shardAt(g * GROUP_SIZE + k));
  }

  private flush(): void {
    if (this.pending.size === 0) return;
    const groups = new Set<number>();
    for (const [s, heads] of this.pending) {
      this.shards.set(shardDigest(heads), s * DIGEST_BYTES);
      groups.add(Math.floor(s / GROUP_SIZE));
    }
    this.pending.clear();
    for (const g of groups) this.rehashGroup(g);
    this.rehashRoot();
  }

  private rehashGroup(g: number): void {
    this.groups.set(sha256(this.shardDigests(g)).subarray(0, DIGEST_BYTES), g * DIGEST_BYTES);
  }

  private rehashRoot(): void {
    this.rootDigest = sha256(this.groups);
  }
}

/** The `k`th digest of a run of digests (a group's shard digests, the group digests). */
export const digestAt = (digests: Uint8Array, k: number): Uint8Array => digests.subarray(k * DIGEST_BYTES, (k + 1) * DIGEST_BYTES);

function differing(mine: Uint8Array, theirs: Uint8Array, count: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < count; k++) if (!sameBytes(digestAt(mine, k), digestAt(theirs, k))) out.push(k);
  return out;
}
