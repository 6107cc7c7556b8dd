/**
 * The shard documents in memory: at most `capacity`, least recently used evicted first and freed
 * (`Automerge.free`), so opening entries across the space never holds more than a few dozen
 * shards of WebAssembly memory. Concurrent requests for one shard share one load. Pure.
 */
import * as A from '@automerge/automerge';
import type { ShardDoc, ShardId } from './shard-layout.js';

export class ShardCache {
  /** Insertion order is recency: the first key is the least recently used. */
  private readonly docs = new Map<ShardId, A.Doc<ShardDoc>>();
  private readonly loading = new Map<ShardId, Promise<A.Doc<ShardDoc>>>();
  /** Bumped by `delete`: a load that started before is stale when it ends. */
  private readonly generations = new Map<ShardId, number>();
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
    while (this.docs.size > this.capacity) {
      const [oldest, old] = this.docs.entries().next().value as [ShardId, A.Doc<ShardDoc>];
      this.docs.delete(oldest);
      A.free(old);
      this.evictions++;
    }
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
