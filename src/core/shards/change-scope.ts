/**
 * What a peer may write into a shard: entries of that shard only. Every shard document holds the
 * genesis's root keys (`v`, `e`) and, under `e`, entries whose ids start with the shard's three
 * hex digits. A change from a peer (gossip, sync) whose operations touch the root or a key of `e`
 * that belongs to another shard is refused at the network boundary, before it is stored: left in,
 * it would list as an invalid row here and travel on to every peer. Pure.
 */
import * as A from '@automerge/automerge';
import { InvalidPeerDataError } from '../errors.js';
import { SHARD_ENTRIES_OBJ } from './shard-genesis.js';
import { belongsTo, type ShardDoc, type ShardId } from './shard-layout.js';

/** Throws InvalidPeerDataError when `change` (decoded or not) writes outside `shard`. */
export function assertChangeInShard(shard: ShardId, change: Uint8Array | A.DecodedChange): void {
  const decoded = change instanceof Uint8Array ? A.decodeChange(change) : change;
  for (const op of decoded.ops) {
    if (op.obj === '_root') throw new InvalidPeerDataError(`a change for shard ${shard} writes the document root (${String(op.key)})`);
    if (op.obj === SHARD_ENTRIES_OBJ && typeof op.key === 'string' && !belongsTo(op.key, shard)) {
      throw new InvalidPeerDataError(`a change for shard ${shard} writes entry ${op.key.slice(0, 40)}, which belongs to another shard`);
    }
  }
}

/** Throws InvalidPeerDataError when a whole shard (e.g. a peer's saved shard) holds anything outside it. */
export function assertDocInShard(shard: ShardId, doc: A.Doc<ShardDoc>): void {
  const root = Object.keys(doc);
  if (root.some((k) => k !== 'v' && k !== 'e')) throw new InvalidPeerDataError(`a saved shard ${shard} has root keys besides v and e`);
  for (const key of Object.keys(doc.e ?? {})) {
    if (!belongsTo(key, shard)) throw new InvalidPeerDataError(`a saved shard ${shard} holds entry ${key.slice(0, 40)}, which belongs to another shard`);
  }
}
