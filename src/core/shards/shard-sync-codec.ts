/**
 * Wire form of the sharded sync (for the network layer to frame; not used on the wire yet). One
 * message per frame: a type byte, then fixed-size digests or a shard number (u16, big-endian) and
 * Automerge bytes. Decoding checks every length before anything is read; Automerge bytes are then
 * bounded by their decoded size where they are applied (shard-sync.ts). Pure.
 */
import { InvalidPeerDataError } from '../errors.js';
import { DIGEST_BYTES, GROUP_COUNT, GROUP_SIZE } from './heads-digest.js';
import { SHARD_COUNT, shardAt, shardNumber } from './shard-id.js';
import type { ShardMessage } from './shard-sync.js';

/** A saved shard or a sync message larger than this is refused before it is read (a shard of
 *  ~250 realistic entries, the most 4,096 shards hold at 1 M entries, saves to ~1 MB). */
export const MAX_SHARD_PAYLOAD_BYTES = 16 * 1024 * 1024;

export type SyncWireMessage =
  | { readonly kind: 'root'; readonly root: Uint8Array }
  | { readonly kind: 'groups'; readonly digests: Uint8Array }
  | { readonly kind: 'shards'; readonly group: number; readonly digests: Uint8Array }
  | ShardMessage;

const TYPE = { root: 0x10, groups: 0x11, shards: 0x12, saved: 0x13, sync: 0x14 } as const;
const ROOT_BYTES = 32;
const GROUP_DIGESTS_BYTES = GROUP_COUNT * DIGEST_BYTES;
const SHARD_DIGESTS_BYTES = GROUP_SIZE * DIGEST_BYTES;

export function encodeSyncWire(m: SyncWireMessage): Uint8Array {
  switch (m.kind) {
    case 'root':
      return Uint8Array.from([TYPE.root, ...m.root]);
    case 'groups':
      return Uint8Array.from([TYPE.groups, ...m.digests]);
    case 'shards':
      return Uint8Array.from([TYPE.shards, m.group, ...m.digests]);
    case 'saved':
    case 'sync': {
      const out = new Uint8Array(3 + m.bytes.length);
      const n = shardNumber(m.shard);
      out[0] = TYPE[m.kind];
      out[1] = n >> 8;
      out[2] = n & 0xff;
      out.set(m.bytes, 3);
      return out;
    }
  }
}

export function decodeSyncWire(bytes: Uint8Array): SyncWireMessage {
  const fail = (why: string): never => {
    throw new InvalidPeerDataError(`a shard sync message ${why}`);
  };
  if (bytes.length === 0) fail('is empty');
  const body = bytes.subarray(1);
  switch (bytes[0]) {
    case TYPE.root:
      return body.length === ROOT_BYTES ? { kind: 'root', root: body.slice() } : fail(`root has ${body.length} bytes, ${ROOT_BYTES} expected`);
    case TYPE.groups:
      return body.length === GROUP_DIGESTS_BYTES ? { kind: 'groups', digests: body.slice() } : fail(`group digests have ${body.length} bytes`);
    case TYPE.shards: {
      const group = body[0] ?? GROUP_COUNT;
      if (group >= GROUP_COUNT || body.length !== 1 + SHARD_DIGESTS_BYTES) fail(`shard digests are malformed (group ${group}, ${body.length} bytes)`);
      return { kind: 'shards', group, digests: body.slice(1) };
    }
    case TYPE.saved:
    case TYPE.sync: {
      if (body.length < 3) fail('has no shard payload');
      const n = (body[0]! << 8) | body[1]!;
      if (n >= SHARD_COUNT) fail(`names shard ${n}, past the last one`);
      if (body.length - 2 > MAX_SHARD_PAYLOAD_BYTES) fail(`carries ${body.length - 2} bytes, over ${MAX_SHARD_PAYLOAD_BYTES}`);
      const shard = shardAt(n);
      return { kind: bytes[0] === TYPE.saved ? 'saved' : 'sync', shard, bytes: body.slice(2) };
    }
    default:
      return fail(`has an unknown type ${bytes[0]}`);
  }
}
