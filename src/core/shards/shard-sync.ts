/**
 * Sync of one shard with one peer, the step after the digest tree (heads-digest.ts) named the
 * shards two peers differ on: the saved shard to a peer that holds only its genesis (loading a
 * saved document is far cheaper than applying every change), otherwise the Automerge sync
 * protocol on that shard alone. Sync states are per (peer, shard) and live only for a session.
 * Transport-free: the network layer (next) frames these messages. Pure.
 */
import * as A from '@automerge/automerge';
import { InvalidPeerDataError } from '../errors.js';
import { ConflictingChangeError } from './errors.js';
import { measureSyncMessage } from '../peer-input.js';
import type { ShardedSpace } from './sharded-space.js';
import { isShardGenesisOnly, type ShardId } from './shard-layout.js';

export type ShardMessage =
  /** The whole shard (`Automerge.save`), for a peer that holds only the shard genesis. */
  | { readonly kind: 'saved'; readonly shard: ShardId; readonly bytes: Uint8Array }
  /** An Automerge sync message on that shard. */
  | { readonly kind: 'sync'; readonly shard: ShardId; readonly bytes: Uint8Array };

/** One peer's sync states, per shard, for one session. */
export class ShardSyncStates {
  private readonly states = new Map<ShardId, A.SyncState>();
  private readonly savedSent = new Set<ShardId>();

  get(shard: ShardId): A.SyncState {
    return this.states.get(shard) ?? A.initSyncState();
  }

  set(shard: ShardId, state: A.SyncState): void {
    this.states.set(shard, state);
  }

  /** Once per session: whether the saved shard may still be sent (it was not yet). */
  takeSaved(shard: ShardId): boolean {
    if (this.savedSent.has(shard)) return false;
    this.savedSent.add(shard);
    return true;
  }

  restart(shard: ShardId): void {
    this.states.delete(shard);
  }
}

/**
 * What to send the peer about `shard` next, or undefined when this side has nothing more to say.
 * `peerHasOnlyGenesis`: what the peer's digest of the shard says; `saved`: the saved shard, read ahead.
 */
export async function nextShardMessage(space: ShardedSpace, shard: ShardId, states: ShardSyncStates, peerHasOnlyGenesis: boolean, saved?: Promise<Uint8Array>): Promise<ShardMessage | undefined> {
  if (peerHasOnlyGenesis && !isShardGenesisOnly(space.shardState(shard).heads) && states.takeSaved(shard)) {
    states.restart(shard);
    return { kind: 'saved', shard, bytes: await (saved ?? space.savedShard(shard)) };
  }
  const doc = await space.shardDoc(shard);
  const [next, message] = A.generateSyncMessage(doc, states.get(shard));
  states.set(shard, next);
  return message ? { kind: 'sync', shard, bytes: message } : undefined;
}

/** Applies what the peer sent about a shard (bounded before decoding); resolves once it is durable. */
export async function receiveShardMessage(space: ShardedSpace, states: ShardSyncStates, message: ShardMessage): Promise<void> {
  const { shard } = message;
  if (message.kind === 'saved') {
    // Only a shard that holds nothing but its genesis takes a whole saved shard (never over data).
    if (!isShardGenesisOnly(space.shardState(shard).heads)) throw new InvalidPeerDataError(`a saved shard ${shard} sent to a peer that holds more than its genesis`);
    await space.adoptSaved(shard, message.bytes);
    states.restart(shard);
    return;
  }
  measureSyncMessage(message.bytes, 'peer');
  await space.adoptFrom(shard, (doc) => {
    try {
      const [next, state] = A.receiveSyncMessage(doc, states.get(shard), message.bytes);
      states.set(shard, state);
      return next;
    } catch (err) {
      if (/duplicate seq/.test(String(err))) throw new ConflictingChangeError(`shard ${shard}: the peer holds another version of a change held here (${String(err).slice(0, 200)})`, { cause: err });
      throw new InvalidPeerDataError(`a sync message for shard ${shard} does not apply: ${String(err)}`, { cause: err });
    }
  });
}
