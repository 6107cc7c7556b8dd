import * as A from '@automerge/automerge';
import { InvalidPeerDataError } from './errors.js';

/**
 * Whether a change from a peer can be applied now: `ready` (every change it depends on is here),
 * `known` (it is here already) or `waiting` (it depends on a change we lack). Automerge would
 * queue a waiting change in memory, unbounded and unchecked against what arrives later; callers
 * on the gossip path leave it to catch-up sync, which delivers changes in order.
 *
 * Throws InvalidPeerDataError when the bytes are not a change, or when they fail the checksum in
 * the change's header: Automerge 3.5 decodes and applies a change without checking it, and some
 * damaged changes then corrupt the document in memory (later calls panic with `MissingOps`).
 */
export function changeReadiness(doc: A.Doc<unknown>, change: Uint8Array): 'ready' | 'known' | 'waiting' {
  let decoded: A.DecodedChange;
  try {
    decoded = A.decodeChange(change);
  } catch (err) {
    throw new InvalidPeerDataError(`undecodable change: ${String(err)}`, { cause: err });
  }
  if (decoded.hash === undefined || !checksumMatches(change, decoded.hash)) {
    throw new InvalidPeerDataError('the change fails its checksum (damaged or altered bytes)');
  }
  if (A.hasHeads(doc, [decoded.hash])) return 'known';
  return A.hasHeads(doc, decoded.deps) ? 'ready' : 'waiting';
}

/** A change chunk is magic (4 bytes), then the first 4 bytes of its SHA-256 hash, then the rest. */
function checksumMatches(change: Uint8Array, hash: string): boolean {
  if (change.length < 8) return false;
  for (let i = 0; i < 4; i++) {
    if (change[4 + i] !== parseInt(hash.slice(i * 2, i * 2 + 2), 16)) return false;
  }
  return true;
}
