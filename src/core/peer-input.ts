import * as A from '@automerge/automerge';
import {
  APPLY_SLICE_OPS,
  MAX_CHANGE_OPS,
  MAX_CHANGE_VALUE_BYTES,
  MAX_SNAPSHOT_CHANGES,
  MAX_SNAPSHOT_INFLATED_BYTES,
  MAX_SNAPSHOT_OPS,
  MAX_SNAPSHOT_VALUE_BYTES,
  MAX_SYNC_MESSAGE_CHANGES,
  MAX_SYNC_MESSAGE_INFLATED_BYTES,
  MAX_SYNC_MESSAGE_OPS,
  MAX_SYNC_MESSAGE_VALUE_BYTES,
} from './constants.js';
import { measureChunks, type DecodedLimits, type DecodedSize } from './decoded-size.js';
import { InvalidPeerDataError } from './errors.js';
import type { Logger } from './ports.js';
import { applyEach, isAutomergePanic } from './stored-document.js';

/** One change from a peer (or one stored record): uncompressed, what one operation can make. */
export const CHANGE_LIMITS: DecodedLimits = {
  maxOps: MAX_CHANGE_OPS,
  maxValueBytes: MAX_CHANGE_VALUE_BYTES,
  maxChanges: 1,
  maxInflatedBytes: 0,
  documents: false,
};

/** Everything one sync message carries (Automerge's v2 messages may carry a saved document). */
export const SYNC_MESSAGE_LIMITS: DecodedLimits = {
  maxOps: MAX_SYNC_MESSAGE_OPS,
  maxValueBytes: MAX_SYNC_MESSAGE_VALUE_BYTES,
  maxChanges: MAX_SYNC_MESSAGE_CHANGES,
  maxInflatedBytes: MAX_SYNC_MESSAGE_INFLATED_BYTES,
  documents: true,
};

/** A whole document adopted on joining. */
export const SNAPSHOT_LIMITS: DecodedLimits = {
  maxOps: MAX_SNAPSHOT_OPS,
  maxValueBytes: MAX_SNAPSHOT_VALUE_BYTES,
  maxChanges: MAX_SNAPSHOT_CHANGES,
  maxInflatedBytes: MAX_SNAPSHOT_INFLATED_BYTES,
  documents: true,
};

/** A sync message, decoded and measured, its chunks grouped in slices of about APPLY_SLICE_OPS ops. */
export interface MeasuredSyncMessage {
  readonly decoded: A.DecodedSyncMessage;
  readonly size: DecodedSize;
  readonly slices: Uint8Array[][];
}

/** Decodes a sync message and measures what it carries; InvalidPeerDataError (a strike) for garbage or excess. */
export function measureSyncMessage(message: Uint8Array, from: string, sliceOps = APPLY_SLICE_OPS): MeasuredSyncMessage {
  let decoded: A.DecodedSyncMessage;
  try {
    decoded = A.decodeSyncMessage(message);
  } catch (err) {
    throw new InvalidPeerDataError(`sync message from ${from} does not decode: ${String(err)}`, { cause: err });
  }
  const total: DecodedSize = { chunks: 0, changes: 0, ops: 0, valueBytes: 0, inflatedBytes: 0 };
  const slices: Uint8Array[][] = [];
  let slice: Uint8Array[] = [];
  let sliceSize = 0;
  for (const blob of decoded.changes) {
    if (blob.byteLength === 0) continue;
    const remaining: DecodedLimits = {
      ...SYNC_MESSAGE_LIMITS,
      maxOps: SYNC_MESSAGE_LIMITS.maxOps - total.ops,
      maxValueBytes: SYNC_MESSAGE_LIMITS.maxValueBytes - total.valueBytes,
      maxChanges: SYNC_MESSAGE_LIMITS.maxChanges - total.changes,
      maxInflatedBytes: Math.max(1, SYNC_MESSAGE_LIMITS.maxInflatedBytes - total.inflatedBytes),
    };
    const size = measureChunks(blob, remaining, (chunk, ops) => {
      if (slice.length > 0 && sliceSize + ops > sliceOps) {
        slices.push(slice);
        slice = [];
        sliceSize = 0;
      }
      slice.push(chunk);
      sliceSize += ops;
    });
    total.chunks += size.chunks;
    total.changes += size.changes;
    total.ops += size.ops;
    total.valueBytes += size.valueBytes;
    total.inflatedBytes += size.inflatedBytes;
  }
  if (slice.length > 0) slices.push(slice);
  return { decoded, size: total, slices };
}

/** Refuses a change over CHANGE_LIMITS (DecodedSizeError, an InvalidPeerDataError). */
export function measureChange(change: Uint8Array): DecodedSize {
  return measureChunks(change, CHANGE_LIMITS);
}

/** Lets the event loop run (timers, sockets, `status`) between slices of a large catch-up. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A sync message that decodes but whose changes do not all apply: typically a member wrote two
 * different changes under one actor and sequence number and gave them to different peers, and
 * the peer relaying one of them is not at fault. Apply the changes that do apply, one at a time,
 * refuse the rest (logged), and let the sync state take the rest of the message, so everything
 * else keeps syncing. An Automerge panic is rethrown (the caller reloads the document).
 */
export function receiveChangeByChange<T>(
  current: A.Doc<T>,
  state: A.SyncState,
  decoded: A.DecodedSyncMessage,
  context: { from: string; cause: unknown; logger: Logger; name: string },
): [A.Doc<T>, A.SyncState] {
  const { from, cause, logger, name } = context;
  if (decoded.changes.length === 0) throw new InvalidPeerDataError(`sync message from ${from} does not apply: ${String(cause)}`, { cause });
  const refused: string[] = [];
  const doc = applyEach(current, decoded.changes, (_i, err) => {
    if (isAutomergePanic(err)) throw err;
    refused.push(String(err));
  });
  try {
    const [nextDoc, nextState] = A.receiveSyncMessage(doc, state, A.encodeSyncMessage({ ...decoded, changes: [] }));
    if (refused.length > 0) logger.warn(`${name}: refused ${refused.length} change(s) relayed by ${from} that conflict with ours (${refused[0]}); the rest applied`);
    return [nextDoc, nextState];
  } catch (err) {
    // The changes that applied are kept (and stored by the caller); the sync state stays as it was.
    logger.warn(`${name}: sync message from ${from} applied in part: ${String(err)}`);
    return [doc, state];
  }
}
