import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeadsDigest } from '../../../src/core/shards/heads-digest.js';
import { SHARD_GENESIS_HEADS, type ShardId } from '../../../src/core/shards/shard-layout.js';
import { decodeSyncWire, encodeSyncWire, MAX_SHARD_PAYLOAD_BYTES, type SyncWireMessage } from '../../../src/core/shards/shard-sync-codec.js';

const digest = new HeadsDigest(() => SHARD_GENESIS_HEADS);

describe('shard sync wire codec', () => {
  it('round-trips every message kind', () => {
    const messages: SyncWireMessage[] = [
      { kind: 'root', root: digest.root },
      { kind: 'groups', digests: digest.groupDigests() },
      { kind: 'shards', group: 63, digests: digest.shardDigests(63) },
      { kind: 'saved', shard: 'fff' as ShardId, bytes: Uint8Array.of(1, 2, 3) },
      { kind: 'sync', shard: '000' as ShardId, bytes: Uint8Array.of(0x42, 9) },
    ];
    for (const m of messages) assert.deepEqual(decodeSyncWire(encodeSyncWire(m)), m);
    assert.equal(encodeSyncWire(messages[0]!).length, 33);
    assert.equal(encodeSyncWire(messages[1]!).length, 513);
  });

  it('refuses what is malformed before reading it, as a peer-data error', () => {
    const bad = [
      new Uint8Array(0),
      Uint8Array.of(0x10, 1, 2),
      Uint8Array.of(0x12, 64, ...new Uint8Array(512)),
      Uint8Array.of(0x13, 0x10, 0x00, 1),
      Uint8Array.of(0x14, 0, 1),
      Uint8Array.of(0x99),
    ];
    for (const bytes of bad) assert.throws(() => decodeSyncWire(bytes), { name: 'InvalidPeerDataError' });
    const huge = new Uint8Array(3 + MAX_SHARD_PAYLOAD_BYTES + 1);
    huge[0] = 0x14;
    assert.throws(() => decodeSyncWire(huge), { name: 'InvalidPeerDataError' });
  });
});
