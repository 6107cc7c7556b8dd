/**
 * Crafted Automerge data a hostile member sends (docs/RELIABILITY.md, "Hostile input"): small on
 * the wire, huge or poisonous once decoded. Each is checksum-valid, so only decoded-size limits,
 * "snapshots only when asked" and panic recovery stop them.
 */
import * as Automerge from '@automerge/automerge';
import { deflateRawSync } from 'node:zlib';
import { genesisChange } from '../../src/core/replica.js';
import { shardGenesisChange } from '../../src/core/shards/shard-layout.js';

type Doc = { t?: Record<string, number>; s?: string; e?: Record<string, Record<string, unknown>> };

/** The genesis the crafted data builds on: a v1 space document's, or a shard's (what the product runs). */
export type Genesis = 'space' | 'shard';
const genesisOf = (g: Genesis): Uint8Array => (g === 'shard' ? shardGenesisChange() : genesisChange());

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

/** A change of `chars` characters on top of the genesis, re-sent as a deflate-compressed chunk
 *  (chunk type 2, same hash): ~1 KB on the wire for 2 million characters. */
export function compressedTextChange(chars: number, actorByte = 0xc1, genesis: Genesis = 'shard'): { plain: Uint8Array; compressed: Uint8Array } {
  const actor = actorByte.toString(16).padStart(2, '0').repeat(16);
  const [base] = Automerge.applyChanges(Automerge.init<Doc>({ actor }), [genesisOf(genesis)]);
  const plain = Automerge.getLastLocalChange(Automerge.change(base, (d) => void (d.s = 'z'.repeat(chars))))!;
  let pos = 9;
  let len = 0;
  for (let scale = 1; ; scale *= 128) {
    const b = plain[pos++]!;
    len += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) break;
  }
  const body = deflateRawSync(plain.subarray(pos, pos + len));
  const compressed = Uint8Array.from([...plain.subarray(0, 8), 2, ...uleb(body.byteLength), ...body]);
  return { plain, compressed };
}

/** A whole document (genesis + `chars` characters) as Automerge.save bytes: 2 M characters are ~3 KB. */
export function bombSnapshot(chars: number, genesis: Genesis = 'shard'): Uint8Array {
  const [base] = Automerge.applyChanges(Automerge.init<Doc>(), [genesisOf(genesis)]);
  return Automerge.save(Automerge.change(base, (d) => void (d.s = 'z'.repeat(chars))));
}

/**
 * A change with a valid checksum whose content makes Automerge panic once applied, and the change
 * it builds on. On a shard both write inside entry `entryId` (a member may write only there).
 */
export function poisonedChange(genesis: Genesis = 'shard', entryId = 'abc' + '0'.repeat(29)): { before: Uint8Array; poison: Uint8Array } {
  let doc = Automerge.applyChanges(Automerge.init<Doc>(), [genesisOf(genesis)])[0];
  const target = (d: Doc): { t?: Record<string, number> } => (genesis === 'shard' ? (d.e![entryId] as { t?: Record<string, number> }) : d);
  doc = Automerge.change(doc, (d) => {
    if (genesis === 'shard') d.e![entryId] = { t: { a: 1, b: 2, c: 3 } };
    else d.t = { a: 1, b: 2, c: 3 };
  });
  const before = Automerge.getLastLocalChange(doc)!;
  const base = Automerge.save(doc);
  const real = Automerge.getLastLocalChange(Automerge.change(Automerge.load<Doc>(base), (d) => void (target(d).t!.d = 4)))!;
  let seed = 1;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let attempt = 0; attempt < 20_000; attempt++) {
    const mutant = real.slice();
    const at = 8 + (next() % (mutant.length - 8));
    mutant[at] = mutant[at]! ^ (1 << (next() % 8));
    let forged: Uint8Array;
    try {
      forged = Automerge.encodeChange(Automerge.decodeChange(mutant)); // recomputes the checksum
    } catch {
      continue; // not decodable at all: refused long before it could do harm
    }
    try {
      let trial = Automerge.load<Doc>(base);
      const heads = Automerge.getHeads(trial);
      [trial] = Automerge.applyChanges(trial, [forged]);
      Automerge.getChangesSince(trial, heads);
      Automerge.generateSyncMessage(trial, Automerge.initSyncState());
    } catch (err) {
      if ((err as Error).name === 'PanicError') return { before, poison: forged };
    }
  }
  throw new Error('no poisoned change found');
}
