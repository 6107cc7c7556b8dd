import { SHARD_COUNT, shardAt, shardNumber, type ShardId } from '../core/shards/shard-id.js';
import { MAX_GOSSIP_MESSAGE_BYTES } from './constants.js';
import { InvalidGossipMessageError, UnsupportedGossipTypeError } from './errors.js';

/**
 * The gossip wire format: byte 0 = format version, byte 1 = message type, then the body.
 *   version 1, type 1 (`change`): the body is one Automerge change.
 * The version is also part of the topic name (keys.ts TOPIC_LABEL), so a peer speaking another
 * version is on another topic: a version byte that is not ours is malformed. New types may be
 * added within a version; older peers ignore them (UnsupportedGossipTypeError, no strike) and
 * still get the data by catch-up sync.
 */
export const GOSSIP_VERSION = 1;
const HEADER_BYTES = 2;

export const GossipType = { change: 1 } as const;

export interface ChangeGossip {
  readonly type: 'change';
  readonly change: Uint8Array;
}

/** Every gossip message; a discriminated union so new types slot in without guessing. */
export type GossipMessage = ChangeGossip;

/** The largest Automerge change that still fits in one gossip message. */
export const MAX_GOSSIP_CHANGE_BYTES = MAX_GOSSIP_MESSAGE_BYTES - HEADER_BYTES;

export function encodeGossip(message: GossipMessage): Uint8Array {
  switch (message.type) {
    case 'change': {
      if (message.change.byteLength === 0) throw new InvalidGossipMessageError('an empty change is not gossip');
      if (message.change.byteLength > MAX_GOSSIP_CHANGE_BYTES) {
        throw new InvalidGossipMessageError(`a change of ${message.change.byteLength} bytes is over the gossip limit`);
      }
      const bytes = new Uint8Array(HEADER_BYTES + message.change.byteLength);
      bytes[0] = GOSSIP_VERSION;
      bytes[1] = GossipType.change;
      bytes.set(message.change, HEADER_BYTES);
      return bytes;
    }
  }
}

/**
 * Validates bytes from the network: InvalidGossipMessageError for anything malformed,
 * UnsupportedGossipTypeError for a well-formed message of a type we do not know.
 */
export function decodeGossip(bytes: Uint8Array): GossipMessage {
  if (bytes.byteLength > MAX_GOSSIP_MESSAGE_BYTES) {
    throw new InvalidGossipMessageError(`gossip of ${bytes.byteLength} bytes is over the ${MAX_GOSSIP_MESSAGE_BYTES}-byte limit`);
  }
  if (bytes.byteLength <= HEADER_BYTES) throw new InvalidGossipMessageError(`gossip of ${bytes.byteLength} bytes is truncated`);
  if (bytes[0] !== GOSSIP_VERSION) throw new InvalidGossipMessageError(`unknown gossip version ${bytes[0]}`);
  switch (bytes[1]) {
    case GossipType.change:
      return { type: 'change', change: bytes.slice(HEADER_BYTES) };
    default:
      throw new UnsupportedGossipTypeError(`gossip type ${bytes[1]} is not known to this version`);
  }
}

/**
 * A sharded space's gossip (its own topic, keys.ts shardTopicForSpace): byte 0 = 2, byte 1 = type
 * 1 (`shard-change`), bytes 2–3 = the shard number (big-endian, below 4,096), then one Automerge
 * change to that shard. The shard a change names is checked against what it writes where it is
 * applied (core/shards/change-scope.ts).
 */
export const SHARD_GOSSIP_VERSION = 2;
const SHARD_HEADER_BYTES = HEADER_BYTES + 2;
export const MAX_SHARD_GOSSIP_CHANGE_BYTES = MAX_GOSSIP_MESSAGE_BYTES - SHARD_HEADER_BYTES;

export interface ShardChangeGossip {
  readonly shard: ShardId;
  readonly change: Uint8Array;
}

export function encodeShardGossip(message: ShardChangeGossip): Uint8Array {
  const n = shardNumber(message.shard);
  if (!(n >= 0 && n < SHARD_COUNT)) throw new InvalidGossipMessageError(`no shard ${message.shard}`);
  if (message.change.byteLength === 0 || message.change.byteLength > MAX_SHARD_GOSSIP_CHANGE_BYTES) {
    throw new InvalidGossipMessageError(`a change of ${message.change.byteLength} bytes is not shard gossip`);
  }
  const bytes = new Uint8Array(SHARD_HEADER_BYTES + message.change.byteLength);
  bytes.set([SHARD_GOSSIP_VERSION, GossipType.change, n >> 8, n & 0xff]);
  bytes.set(message.change, SHARD_HEADER_BYTES);
  return bytes;
}

/** Validates a sharded space's gossip bytes (errors as `decodeGossip`). */
export function decodeShardGossip(bytes: Uint8Array): ShardChangeGossip {
  if (bytes.byteLength > MAX_GOSSIP_MESSAGE_BYTES) throw new InvalidGossipMessageError(`gossip of ${bytes.byteLength} bytes is over the ${MAX_GOSSIP_MESSAGE_BYTES}-byte limit`);
  if (bytes.byteLength <= SHARD_HEADER_BYTES) throw new InvalidGossipMessageError(`shard gossip of ${bytes.byteLength} bytes is truncated`);
  if (bytes[0] !== SHARD_GOSSIP_VERSION) throw new InvalidGossipMessageError(`gossip version ${bytes[0]} on a sharded space's topic`);
  if (bytes[1] !== GossipType.change) throw new UnsupportedGossipTypeError(`shard gossip type ${bytes[1]} is not known to this version`);
  const n = (bytes[2]! << 8) | bytes[3]!;
  if (n >= SHARD_COUNT) throw new InvalidGossipMessageError(`shard gossip names shard ${n}, past the last one`);
  return { shard: shardAt(n), change: bytes.slice(SHARD_HEADER_BYTES) };
}
