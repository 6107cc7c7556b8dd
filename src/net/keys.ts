import { createHash } from 'node:crypto';
import type { PrivateKey } from '@libp2p/interface';
import { MDNS_LABEL, PSK_LABEL, SHARD_TOPIC_LABEL, SPACE_KEY_BYTES, TOPIC_LABEL } from './constants.js';
import { InvalidNetworkConfigError } from './errors.js';
import { loadStack } from './stack.js';

/** sha256(label ‖ 0x00 ‖ input): the label keeps values derived from the same input apart. */
function labelledHash(label: string, input: Uint8Array | string): Buffer {
  return createHash('sha256').update(label).update(new Uint8Array([0])).update(input).digest();
}

/**
 * The pre-shared key of a space's private network, as the swarm key file @libp2p/pnet parses.
 * Hashed rather than used raw, so the space key itself never becomes a transport key.
 */
export function pnetKeyFromSpaceKey(spaceKey: Uint8Array): Uint8Array {
  if (spaceKey.byteLength !== SPACE_KEY_BYTES) {
    throw new InvalidNetworkConfigError(`a space key has ${SPACE_KEY_BYTES} bytes, got ${spaceKey.byteLength}`);
  }
  const psk = labelledHash(PSK_LABEL, spaceKey).toString('hex');
  return new TextEncoder().encode(`/key/swarm/psk/1.0.0/\n/base16/\n${psk}`);
}

/** The gossip topic of a space: a hash, so the topic name reveals nothing about the space. */
export function topicForSpace(spaceId: string): string {
  return `shared-notes/${labelledHash(TOPIC_LABEL, spaceId).toString('hex')}`;
}

/** The gossip topic of the space once sharded (format v2). */
export function shardTopicForSpace(spaceId: string): string {
  return `shared-notes/${labelledHash(SHARD_TOPIC_LABEL, spaceId).toString('hex')}`;
}

/** The space's presence topic: ephemeral, unscored, never applied to the log (presence.ts). */
export function presenceTopicForSpace(spaceId: string): string {
  return `${topicForSpace(spaceId)}/presence`;
}

/** mDNS service tag of a space, so nodes of other spaces on the LAN are not even dialed. */
export function mdnsServiceTagForSpace(spaceId: string): string {
  return `_sn-${labelledHash(MDNS_LABEL, spaceId).toString('hex').slice(0, 16)}._udp.local`;
}

/** A new node identity: an Ed25519 private key as libp2p's protobuf bytes (the engine stores them). */
export async function generateIdentity(): Promise<Uint8Array> {
  const { generateKeyPair, privateKeyToProtobuf } = await loadStack();
  return privateKeyToProtobuf(await generateKeyPair('Ed25519'));
}

/** Decodes stored identity bytes; InvalidNetworkConfigError when they are not a private key. */
export async function privateKeyOf(identity: Uint8Array): Promise<PrivateKey> {
  const { privateKeyFromProtobuf } = await loadStack();
  try {
    return privateKeyFromProtobuf(identity);
  } catch (err) {
    throw new InvalidNetworkConfigError(`identity bytes do not decode as a private key: ${String(err)}`, { cause: err });
  }
}

/** The peer id (base58 text) that identity bytes stand for. Async: libp2p loads lazily (stack.ts). */
export async function peerIdOf(identity: Uint8Array): Promise<string> {
  const { peerIdFromPrivateKey } = await loadStack();
  return peerIdFromPrivateKey(await privateKeyOf(identity)).toString();
}
