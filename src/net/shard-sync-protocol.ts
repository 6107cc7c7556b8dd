import type { Stream } from '@libp2p/interface';
import { InvalidPeerDataError } from '../core/errors.js';
import { decodeSyncWire, encodeSyncWire, MAX_SHARD_PAYLOAD_BYTES } from '../core/shards/shard-sync-codec.js';
import type { ShardedSpace } from '../core/shards/sharded-space.js';
import type { Logger } from '../core/ports.js';
import { ShardSyncSession, type ShardSyncProgress } from '../core/shards/shard-sync-session.js';
import type { SyncProgress } from '../core/sync-session.js';
import { SyncMessageTooLargeError, SyncTimeoutError } from './errors.js';
import { loadStack } from './stack.js';
import type { CatchUpEngine } from './sync-coordinator.js';
import { closeStream, frameReader, translate } from './sync-protocol.js';

/**
 * The sharded catch-up protocol (SHARD_SYNC_PROTOCOL) on one libp2p stream: the turns of a
 * ShardSyncSession (core/shards/shard-sync-session.ts), each a run of varint-length-prefixed frames
 * (one wire message each, shard-sync-codec.ts) closed by an empty frame. Turns strictly alternate,
 * the initiator first; the session says when the conversation is over (a quiet turn answered by a
 * quiet one). Every frame is bounded before it is read (a saved shard's 16 MiB plus its header),
 * every read in time, a peer's turn in messages, the conversation in turns and in time; what a
 * message holds is then bounded by its decoded size where it is applied.
 */

import { SHARD_SYNC_PROTOCOL } from './constants.js';
export { SHARD_SYNC_PROTOCOL };
/** A frame: one wire message (type, shard number, Automerge bytes). */
export const MAX_SHARD_FRAME_BYTES = MAX_SHARD_PAYLOAD_BYTES + 3;
/** Unread bytes a stream may hold: a turn's saved shards (1 MiB) plus two of the largest frames. */
const SHARD_READ_BUFFER_BYTES = 2 * MAX_SHARD_FRAME_BYTES + 2 * 1024 * 1024;
/** Messages in one turn of the peer: 4,096 saved shards at most, plus digests and a window. */
export const MAX_MESSAGES_PER_TURN = 4_096 + 64 + 256;
/** Turns in one conversation: a cold catch-up of 4,096 shards takes a few hundred. */
export const MAX_SHARD_SYNC_TURNS = 20_000;
export const SHARD_SYNC_IDLE_TIMEOUT_MS = 15_000;
/** A whole conversation ends after this, finished or not (the next one resumes where it stopped). */
export const SHARD_SYNC_SESSION_CAP_MS = 30 * 60_000;

export interface ShardConversationOptions {
  initiator: boolean;
  idleTimeoutMs?: number;
  sessionCapMs?: number;
  maxTurns?: number;
  signal?: AbortSignal;
  /** After every turn in either direction. */
  onProgress?: (progress: ShardConversationProgress) => void;
}

export interface ShardConversationProgress extends ShardSyncProgress {
  readonly turns: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface ShardConversationOutcome {
  /** The roots the conversation ended on are equal: every shard's heads are. */
  inSync: boolean;
  progress: ShardConversationProgress;
}

/**
 * Runs `session` over `stream` until it is finished, then closes the stream. Rejects with
 * InvalidPeerDataError (malformed, oversized or unasked-for input: strike the peer), SyncTimeoutError
 * or SyncStreamClosedError; the stream is aborted on every failure.
 */
export async function runShardConversation(stream: Stream, session: ShardSyncSession, options: ShardConversationOptions): Promise<ShardConversationOutcome> {
  const { byteStream } = await loadStack();
  const idleMs = options.idleTimeoutMs ?? SHARD_SYNC_IDLE_TIMEOUT_MS;
  const maxTurns = options.maxTurns ?? MAX_SHARD_SYNC_TURNS;
  const cap = AbortSignal.timeout(options.sessionCapMs ?? SHARD_SYNC_SESSION_CAP_MS);
  const outer = options.signal ? AbortSignal.any([cap, options.signal]) : cap;
  const frames = frameReader(stream, byteStream, MAX_SHARD_FRAME_BYTES, SHARD_READ_BUFFER_BYTES);
  let turns = 0;
  let bytesIn = 0;
  let bytesOut = 0;
  const progress = (): ShardConversationProgress => ({ ...session.progress(), turns, bytesIn, bytesOut });

  const speak = async (): Promise<void> => {
    const messages = (await session.nextTurn()).map(encodeSyncWire);
    const tooLarge = messages.find((m) => m.byteLength > MAX_SHARD_FRAME_BYTES);
    // The peer would refuse it (and count it against us): ours to report, not the peer's fault.
    if (tooLarge) throw new SyncMessageTooLargeError(`a shard sync message of ${tooLarge.byteLength} bytes is over the ${MAX_SHARD_FRAME_BYTES}-byte frame limit`);
    const signal = AbortSignal.any([outer, AbortSignal.timeout(idleMs)]);
    try {
      bytesOut += await frames.writeAll([...messages, new Uint8Array(0)], signal);
    } catch (err) {
      throw translate(err, signal, 'writing');
    }
    turns++;
    options.onProgress?.(progress());
  };
  const listen = async (): Promise<void> => {
    for (let count = 0; ; count++) {
      const signal = AbortSignal.any([outer, AbortSignal.timeout(idleMs)]);
      let frame: Uint8Array;
      try {
        frame = await frames.read(signal);
      } catch (err) {
        throw translate(err, signal, 'reading');
      }
      bytesIn += frame.byteLength + (frame.byteLength < 0x80 ? 1 : frame.byteLength < 0x4000 ? 2 : frame.byteLength < 0x200000 ? 3 : 4);
      if (frame.byteLength === 0) break;
      if (count >= MAX_MESSAGES_PER_TURN) throw new InvalidPeerDataError(`the peer's shard sync turn ran past ${MAX_MESSAGES_PER_TURN} messages`);
      await session.receive(decodeSyncWire(frame));
    }
    await session.endPeerTurn();
    turns++;
    options.onProgress?.(progress());
  };

  try {
    if (options.initiator) await speak();
    for (;;) {
      if (turns > maxTurns) throw new SyncTimeoutError(`shard sync did not settle within ${maxTurns} turns`);
      await listen();
      if (session.finished) break;
      await speak();
      if (session.finished) break;
    }
    await session.settled();
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
  await closeStream(stream, idleMs);
  return { inSync: session.inSync(), progress: progress() };
}

/** A sharded space's catch-up engine for the sync coordinator (SHARD_SYNC_PROTOCOL). */
export function shardCatchUp(space: ShardedSpace, logger?: Logger): CatchUpEngine {
  const asSyncProgress = (p: ShardConversationProgress): SyncProgress => ({
    messagesIn: p.messagesIn,
    messagesOut: p.messagesOut,
    bytesIn: p.bytesIn,
    bytesOut: p.bytesOut,
    changesIn: 0, // counted per shard here: shards taken whole are the snapshots
    theirHeads: null,
    snapshotsIn: p.savedIn,
    snapshotsOut: p.savedOut,
  });
  return {
    protocol: SHARD_SYNC_PROTOCOL,
    converse(peerId, stream, options) {
      const session = new ShardSyncSession(space);
      // Not the peer's doing (it passes on what a member wrote): logged, the shard left out, no strike.
      session.onConflict = (err) => logger?.warn(`sync with ${peerId}: ${err.message}; a member sent different versions of one change, and this shard stays different between the two`);
      const outcome = runShardConversation(stream, session, { ...options, onProgress: (p) => options.onProgress(asSyncProgress(p)) }).then((o) => ({
        inSync: o.inSync,
        progress: asSyncProgress(o.progress),
        summary: `${o.progress.turns} turns, ${o.progress.differing} shards differed, ${o.progress.savedIn} taken whole`,
      }));
      return { session, outcome };
    },
  };
}
