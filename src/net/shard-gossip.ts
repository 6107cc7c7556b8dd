import { measureChunks } from '../core/decoded-size.js';
import type { ShardedSpace } from '../core/shards/sharded-space.js';
import type { ShardId } from '../core/shards/shard-id.js';
import { decodeShardGossip, encodeShardGossip, MAX_SHARD_GOSSIP_CHANGE_BYTES } from './gossip-codec.js';
import { GOSSIP_CHANGE_LIMITS, TopicGossip, type GossipVerdict, type TopicGossipComponents } from './gossip.js';

export interface ShardGossipComponents extends TopicGossipComponents {
  space: ShardedSpace;
  /** A change arrived whose dependencies are not here: a sync with the peers brings them. */
  onMissing?(author: string, shard: ShardId): void;
}

/**
 * A sharded space's gossip topic: each message names the shard its change belongs to. An incoming
 * change is bounded by its decoded size, checked to write only inside that shard, and taken by
 * `ShardedSpace.receive` (indexed from the decoded change when the shard is not loaded, applied
 * when it is); relayed once it is stored. One waiting for a change we lack is neither kept nor
 * relayed (`onMissing`: sync brings both).
 */
export class ShardGossip extends TopicGossip {
  private readonly space: ShardedSpace;
  private readonly onMissing: ShardGossipComponents['onMissing'];

  constructor(components: ShardGossipComponents, topic: string) {
    super(components, topic);
    this.space = components.space;
    this.onMissing = components.onMissing;
  }

  /** Publishes one local change to `shard`; never throws (a change that cannot go out reaches peers by sync). */
  publish(shard: ShardId, change: Uint8Array): Promise<void> {
    return this.publishChange(change, MAX_SHARD_GOSSIP_CHANGE_BYTES, () => encodeShardGossip({ shard, change }));
  }

  protected async apply(data: Uint8Array, author: string): Promise<GossipVerdict> {
    const { shard, change } = decodeShardGossip(data);
    measureChunks(change, GOSSIP_CHANGE_LIMITS);
    const result = await this.space.receive(shard, change);
    if (result === 'waiting') {
      this.components.logger.trace(`a gossiped change from ${author} to shard ${shard} waits for one we lack (sync brings both)`);
      this.onMissing?.(author, shard);
    }
    return { relay: result === 'indexed' || result === 'applied' };
  }
}
