/**
 * The shard documents in memory: at most `capacity`, least recently used evicted first and freed
 * (`Automerge.free`), so opening entries across the space never holds more than a few dozen
 * shards of WebAssembly memory. Concurrent requests for one shard share one load. A shard that is
 * held (an entry of it is open in an editor) is never evicted; past `capacity` of held shards,
 * the cache holds them all and evicts the others. Pure.
 */
import * as A from '@automerge/automerge';
import type { ShardDoc, ShardId } from './shard-layout.js';

export class ShardCache {
  /** Insertion order is recency: the first key is the least recently used. */
  private readonly docs = new Map<ShardId, A.Doc<ShardDoc>>();
  private readonly loading = new Map<ShardId, Promise<A.Doc<ShardDoc>>>();
  /** Bumped by `delete`: a load that started before is stale when it ends. */
  private readonly generations = new Map<ShardId, number>();
  /** How many holders each held shard has. */
  private readonly holds = new Map<ShardId, number>();
  /** Shards loaded and evicted so far (the bench and tests read them). */
  loads = 0;
  evictions = 0;

  constructor(
    private readonly capacity: number,
    private readonly load: (shard: ShardId) => Promise<A.Doc<ShardDoc>>,
  ) {}

  get size(): number {
    return this.docs.size;
  }

  /** The shard if it is in memory (and marks it used). */
  peek(shard: ShardId): A.Doc<ShardDoc> | undefined {
    const doc = this.docs.get(shard);
    if (doc !== undefined) this.touch(shard, doc);
    return doc;
  }

  async get(shard: ShardId): Promise<A.Doc<ShardDoc>> {
    const held = this.peek(shard);
    if (held !== undefined) return held;
    let pending = this.loading.get(shard);
    if (pending === undefined) {
      const generation = this.generations.get(shard);
      pending = this.load(shard).finally(() => this.loading.delete(shard));
      this.loading.set(shard, pending);
      const doc = await pending;
      this.loads++;
      if (this.generations.get(shard) !== generation) {
        A.free(doc); // the shard was replaced while this load read the old one
        return this.get(shard);
      }
      this.set(shard, doc);
      return doc;
    }
    await pending;
    return this.get(shard);
  }

  /** Drops the shard (its log was replaced): freed if held, and a load in flight is not kept. */
  delete(shard: ShardId): void {
    this.generations.set(shard, (this.generations.get(shard) ?? 0) + 1);
    const doc = this.docs.get(shard);
    if (doc === undefined) return;
    this.docs.delete(shard);
    A.free(doc);
  }

  /** Replaces the shard's document (after a change: Automerge returns a new one). */
  set(shard: ShardId, doc: A.Doc<ShardDoc>): void {
    this.touch(shard, doc);
    this.evict();
  }

  /** Least recently used first, held shards skipped, until the cache is within its capacity. */
  private evict(): void {
    if (this.docs.size <= this.capacity) return;
    for (const [shard, doc] of this.docs) {
      if (this.docs.size <= this.capacity) return;
      if (this.holds.has(shard)) continue;
      this.docs.delete(shard);
      A.free(doc);
      this.evictions++;
    }
  }

  /**
   * Keeps the shard in memory until the returned function is called (once per hold; holds
   * count). Load it with `get` first: holding does not load.
   */
  hold(shard: ShardId): () => void {
    this.holds.set(shard, (this.holds.get(shard) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.holds.get(shard) ?? 1) - 1;
      if (left > 0) this.holds.set(shard, left);
      else this.holds.delete(shard);
      this.evict();
    };
  }

  isHeld(shard: ShardId): boolean {
    return this.holds.has(shard);
  }

  /** Frees every shard (at close). */
  clear(): void {
    for (const doc of this.docs.values()) A.free(doc);
    this.docs.clear();
  }

  private touch(shard: ShardId, doc: A.Doc<ShardDoc>): void {
    this.docs.delete(shard);
    this.docs.set(shard, doc);
  }
}
