/**
 * What the hostile member sends, generated with fast-check from real material of a sharded space
 * (what the product runs): changes of shards (its own, valid ones, and honest ones it overheard),
 * a real shard sync message, and changes whose dependencies no honest peer has (orphans).
 */
import * as Automerge from '@automerge/automerge';
import fc from 'fast-check';
import { newDeviceId } from '../../src/core/ids.js';
import { encodeSyncWire } from '../../src/core/shards/shard-sync-codec.js';
import { emptyShard, type ShardDoc, type ShardId } from '../../src/core/shards/shard-layout.js';
import { shardNumber } from '../../src/core/shards/shard-id.js';
import { memoryShardedNoteLog } from '../helpers/core.js';

export interface GossipAttack {
  readonly kind: 'gossip';
  readonly label: string;
  /** `replay` picks an overheard honest change when it is sent. */
  readonly bytes: Uint8Array | 'replay';
}
export interface SyncAttack {
  readonly kind: 'sync';
  readonly label: string;
  readonly frames?: Uint8Array[];
  readonly raw?: Uint8Array;
}
export type Attack = GossipAttack | SyncAttack;

/** A change and the shard it is for. */
export interface ShardChange {
  readonly shard: ShardId;
  readonly change: Uint8Array;
}

/** Shard gossip as the product sends it (version 2, type 1, shard number, change), unchecked. */
export const gossip = ({ shard, change }: ShardChange): Uint8Array => Uint8Array.from([2, 1, shardNumber(shard) >> 8, shardNumber(shard) & 0xff, ...change]);

/** Changes a member could really make: notes, and entries a validator must refuse to show. */
export interface Material {
  /** Valid changes of this space (notes published by the hostile member), each on its shard's genesis alone. */
  valid: ShardChange[];
  /** Valid Automerge changes whose content is nonsense for a note log, or outside their shard. */
  nonsense: ShardChange[];
  /** Valid changes depending on a change no honest peer will ever get. */
  orphans: ShardChange[];
  /** A real first sync message of a shard, as a frame of the shard protocol. */
  syncMessage: Uint8Array;
}

export async function makeMaterial(count = 40): Promise<Material> {
  const device = newDeviceId();
  const fresh = async () => (await memoryShardedNoteLog('Hostile', device)).log;
  // Each on its own space, so each depends only on its shard's genesis and applies wherever it lands.
  const valid: ShardChange[] = [];
  for (let i = 0; i < count; i++) {
    const log = await fresh();
    const off = log.sharded!.events.on('local-change', (c) => valid.push(c));
    const entry = await log.createNote({ title: `hostile ${i}`, body: 'x'.repeat(i * 10) });
    await log.publish(entry.id);
    off();
  }

  const nonsense: ShardChange[] = [];
  const raw = (shard: string, message: string, fn: (d: ShardDoc) => void) => {
    const doc = Automerge.change(emptyShard(), { message }, fn);
    nonsense.push({ shard: shard as ShardId, change: Automerge.getLastLocalChange(doc)! });
  };
  raw('abc', 'not an op record', (d) => void (d.e['abc00000000000000000000000000000'] = { kind: 'virus' }));
  raw('123', '{"v":1,"op":"create"}', (d) => void (d.e['not-an-id'] = { kind: 'note', title: 5 }));
  raw('fff', '{"v":2}', (d) => void (d.e['fff' + '0'.repeat(29)] = { kind: 'note', state: 'published', title: 't'.repeat(600), body: '', author: { name: 'x', device: 'y' }, createdAt: 1, updatedAt: 1 }));
  raw('000', 'wrong shard', (d) => void (d.e['ffff' + '1'.repeat(28)] = { kind: 'recipe', state: 'published' }));
  raw('555', 'x'.repeat(20_000), (d) => void (d.e['5550' + '2'.repeat(28)] = [1, 2, 3] as unknown as Record<string, unknown>));
  raw('777', 'the root', (d) => void ((d as unknown as Record<string, unknown>).v = 3));

  // Orphans: a fork of one entry whose publish is never sent.
  const forkLog = await fresh();
  const secret = await forkLog.createNote({ title: 'secret', body: '' });
  await forkLog.publish(secret.id);
  const orphans: ShardChange[] = [];
  const offFork = forkLog.sharded!.events.on('local-change', (c) => orphans.push(c));
  for (let i = 0; i < 20; i++) await forkLog.edit(secret.id, { body: `orphan ${i}` });
  offFork();

  // A real sync message of a shard that holds one of the valid entries.
  const first = valid[0]!;
  const holder = await fresh();
  await holder.sharded!.receive(first.shard, first.change);
  const doc = await holder.sharded!.shardDoc(first.shard);
  const [, message] = Automerge.generateSyncMessage(doc, Automerge.initSyncState());
  return { valid, nonsense, orphans, syncMessage: encodeSyncWire({ kind: 'sync', shard: first.shard, bytes: message! }) };
}

function flipBits(bytes: Uint8Array, flips: ReadonlyArray<readonly [number, number]>): Uint8Array {
  const out = bytes.slice();
  for (const [at, bit] of flips) out[at % out.length] = out[at % out.length]! ^ (1 << bit);
  return out;
}

/** Random, truncated, mutated, replayed and nonsense gossip. */
export function gossipAttacks(m: Material): fc.Arbitrary<GossipAttack> {
  const real = [...m.valid, ...m.nonsense];
  const at = (label: string, arb: fc.Arbitrary<Uint8Array | 'replay'>) => arb.map((bytes): GossipAttack => ({ kind: 'gossip', label, bytes }));
  const flips = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 });
  return fc.oneof(
    { weight: 3, arbitrary: at('random bytes', fc.uint8Array({ maxLength: 2048 })) },
    { weight: 2, arbitrary: at('gossip header + random body', fc.tuple(fc.integer({ min: 0, max: 4095 }), fc.uint8Array({ minLength: 1, maxLength: 2048 })).map(([n, b]) => Uint8Array.from([2, 1, n >> 8, n & 0xff, ...b]))) },
    { weight: 3, arbitrary: at('truncated real change', fc.tuple(fc.constantFrom(...real), fc.nat()).map(([c, n]) => gossip({ shard: c.shard, change: c.change.slice(0, 1 + (n % (c.change.length - 1))) }))) },
    { weight: 3, arbitrary: at('bit-flipped real change', fc.tuple(fc.constantFrom(...real), flips).map(([c, f]) => gossip({ shard: c.shard, change: flipBits(c.change, f) }))) },
    { weight: 1, arbitrary: at('real change for another shard', fc.tuple(fc.constantFrom(...m.valid), fc.integer({ min: 0, max: 4095 })).map(([c, n]) => Uint8Array.from([2, 1, n >> 8, n & 0xff, ...c.change]))) },
    {
      weight: 1,
      arbitrary: at('bad version or unknown type', fc.tuple(fc.constantFrom(...real), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }))
        .filter(([, v, t]) => !(v === 2 && t === 1))
        .map(([c, v, t]) => Uint8Array.from([v, t, ...gossip(c).slice(2)]))),
    },
    { weight: 1, arbitrary: at('valid change (a member may write)', fc.constantFrom(...m.valid).map(gossip)) },
    { weight: 1, arbitrary: at('nonsense entry (valid change)', fc.constantFrom(...m.nonsense).map(gossip)) },
    { weight: 1, arbitrary: at('orphan change (unknown dependency)', fc.constantFrom(...m.orphans).map(gossip)) },
    { weight: 1, arbitrary: at('replayed honest change', fc.constant('replay' as const)) },
  );
}

/** Sync streams: random, truncated and mutated frames, broken turn-taking, bad length prefixes. */
export function syncAttacks(m: Material): fc.Arbitrary<SyncAttack> {
  const frames = (label: string, arb: fc.Arbitrary<Uint8Array[]>) => arb.map((f): SyncAttack => ({ kind: 'sync', label, frames: f }));
  const raw = (label: string, arb: fc.Arbitrary<Uint8Array>) => arb.map((r): SyncAttack => ({ kind: 'sync', label, raw: r }));
  const msg = m.syncMessage;
  const flips = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 });
  return fc.oneof(
    { weight: 3, arbitrary: frames('random frame', fc.uint8Array({ minLength: 1, maxLength: 4096 }).map((b) => [b])) },
    { weight: 2, arbitrary: frames('truncated sync message', fc.nat().map((n) => [msg.slice(0, 1 + (n % (msg.length - 1)))])) },
    { weight: 3, arbitrary: frames('bit-flipped sync message', flips.map((f) => [flipBits(msg, f)])) },
    { weight: 1, arbitrary: frames('real message, then garbage', fc.uint8Array({ minLength: 1, maxLength: 512 }).map((b) => [msg, b])) },
    { weight: 1, arbitrary: frames('several frames without waiting', fc.array(fc.uint8Array({ minLength: 1, maxLength: 256 }), { minLength: 2, maxLength: 5 })) },
    {
      weight: 1,
      arbitrary: raw('length prefix over the frame limit', fc.integer({ min: 16 * 1024 * 1024 + 1, max: 2 ** 31 - 1 }).map((n) => {
        const bytes: number[] = [];
        for (let v = n; v > 0x7f; v >>>= 7) bytes.push((v & 0x7f) | 0x80);
        bytes.push(n >>> (7 * bytes.length));
        return Uint8Array.from(bytes);
      })),
    },
    { weight: 1, arbitrary: raw('not even a varint', fc.uint8Array({ minLength: 10, maxLength: 64 }).map((b) => b.map((x) => x | 0x80))) },
  );
}
