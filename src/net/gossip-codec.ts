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
