/**
 * What the hostile member sends, generated with fast-check from real material: changes of the
 * space (its own, valid ones, and honest ones it overheard), a real sync message, and changes
 * whose dependencies no honest peer has (orphans).
 */
import * as Automerge from '@automerge/automerge';
import fc from 'fast-check';
import { newDeviceId } from '../../src/core/ids.js';
import { memoryLogger } from '../../src/core/logger.js';
import { MemoryLogStore } from '../../src/core/memory-store.js';
import { NoteLog } from '../../src/core/note-log.js';
import type { Replica } from '../../src/core/replica.js';
import type { SpaceDoc } from '../../src/core/layout.js';

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

const gossip = (change: Uint8Array) => Uint8Array.from([1, 1, ...change]);

/** Changes a member could really make: notes, and entries a validator must refuse to show. */
export interface Material {
  /** Valid changes of this space (notes published by the hostile member), each on the genesis alone. */
  valid: Uint8Array[];
  /** Valid Automerge changes whose content is nonsense for a note log. */
  nonsense: Uint8Array[];
  /** Valid changes depending on a change no honest peer will ever get. */
  orphans: Uint8Array[];
  /** A real first sync message of the space's document. */
  syncMessage: Uint8Array;
}

export async function makeMaterial(count = 40): Promise<Material> {
  const logger = memoryLogger('warn');
  const author = { name: 'Hostile', device: newDeviceId() };
  const fresh = () => NoteLog.open({ shared: new MemoryLogStore(), local: new MemoryLogStore(), logger }, { author });
  // Each on its own replica, so each depends only on the genesis and applies wherever it lands.
  const valid: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const log = await fresh();
    const off = log.shared.events.on('local-change', (change) => valid.push(change));
    const entry = await log.createNote({ title: `hostile ${i}`, body: 'x'.repeat(i * 10) });
    await log.publish(entry.id);
    off();
  }

  const nonsense: Uint8Array[] = [];
  const raw = async (message: string, fn: (d: SpaceDoc) => void) => {
    const shared = (await fresh()).shared as Replica<SpaceDoc>;
    const change = await shared.change(message, fn as Automerge.ChangeFn<SpaceDoc>);
    if (change) nonsense.push(change);
  };
  const bucket = (d: SpaceDoc, hex: string) => d.b[hex[0]!]![hex[1]!]![hex[2]!]!;
  await raw('not an op record', (d) => void (bucket(d, 'abc')['abc00000000000000000000000000000'] = { kind: 'virus' }));
  await raw('{"v":1,"op":"create"}', (d) => void (bucket(d, '123')['not-an-id'] = { kind: 'note', title: 5 }));
  await raw('{"v":2}', (d) => void (bucket(d, 'fff')['fff' + '0'.repeat(29)] = { kind: 'note', state: 'published', title: 't'.repeat(600), body: '', author: { name: 'x', device: 'y' }, createdAt: 1, updatedAt: 1 }));
  await raw('wrong bucket', (d) => void (bucket(d, '000')['ffff' + '1'.repeat(28)] = { kind: 'recipe', state: 'published' }));
  await raw('x'.repeat(20_000), (d) => void (bucket(d, '555')['5550' + '2'.repeat(28)] = [1, 2, 3] as unknown as Record<string, unknown>));
  const log = await fresh(); // holds every valid change, for a real sync message with some substance
  await log.shared.applyRemoteChanges(valid, 'self');

  // Orphans: a fork of the space whose first change is never sent.
  const forkLog = await fresh();
  const secret = await forkLog.createNote({ title: 'secret', body: '' });
  await forkLog.publish(secret.id);
  const orphans: Uint8Array[] = [];
  const offFork = forkLog.shared.events.on('local-change', (change) => orphans.push(change));
  for (let i = 0; i < 20; i++) await forkLog.edit(secret.id, { body: `orphan ${i}` });
  offFork();

  const [, syncMessage] = log.shared.generateSyncMessage(Automerge.initSyncState());
  return { valid, nonsense, orphans, syncMessage: syncMessage! };
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
    { weight: 2, arbitrary: at('gossip header + random body', fc.uint8Array({ minLength: 1, maxLength: 2048 }).map((b) => gossip(b))) },
    { weight: 3, arbitrary: at('truncated real change', fc.tuple(fc.constantFrom(...real), fc.nat()).map(([c, n]) => gossip(c.slice(0, 1 + (n % (c.length - 1)))))) },
    { weight: 3, arbitrary: at('bit-flipped real change', fc.tuple(fc.constantFrom(...real), flips).map(([c, f]) => gossip(flipBits(c, f)))) },
    {
      weight: 1,
      arbitrary: at('bad version or unknown type', fc.tuple(fc.constantFrom(...real), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }))
        .filter(([, v, t]) => !(v === 1 && t === 1))
        .map(([c, v, t]) => Uint8Array.from([v, t, ...c]))),
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
