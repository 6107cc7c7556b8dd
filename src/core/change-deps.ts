import * as A from '@automerge/automerge';
import { InvalidPeerDataError } from './errors.js';

/**
 * Whether a change from a peer can be applied now: `ready` (every change it depends on is here),
 * `known` (it is here already) or `waiting` (it depends on a change we lack). Automerge would
 * queue a waiting change in memory, unbounded and unchecked against what arrives later; callers
 * on the gossip path leave it to catch-up sync, which delivers changes in order.
 * Throws InvalidPeerDataError when the bytes are not a change.
 */
export function changeReadiness(doc: A.Doc<unknown>, change: Uint8Array): 'ready' | 'known' | 'waiting' {
  let decoded: A.DecodedChange;
  try {
    decoded = A.decodeChange(change);
  } catch (err) {
    throw new InvalidPeerDataError(`undecodable change: ${String(err)}`, { cause: err });
  }
  if (decoded.hash !== undefined && A.hasHeads(doc, [decoded.hash])) return 'known';
  return A.hasHeads(doc, decoded.deps) ? 'ready' : 'waiting';
}
