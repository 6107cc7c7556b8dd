import type { Stream } from '@libp2p/interface';
import { InvalidPeerDataError } from '../core/errors.js';
import type { SyncProgress, SyncSession } from '../core/sync-session.js';
import { MAX_SYNC_FRAME_BYTES, MAX_SYNC_ROUNDS, SYNC_IDLE_TIMEOUT_MS, SYNC_READ_BUFFER_BYTES, SYNC_SESSION_CAP_MS } from './constants.js';
import { SyncFrameTooLargeError, SyncMessageTooLargeError, SyncStreamClosedError, SyncTimeoutError } from './errors.js';
import { loadStack, type Stack } from './stack.js';

/**
 * The catch-up protocol (SYNC_PROTOCOL) on one libp2p stream.
 *
 * Frames are varint-length-prefixed. A non-empty frame is one Automerge sync message; an empty
 * frame means "I have nothing more to send". Turns strictly alternate: the initiator sends the
 * first frame, then each side answers every frame it reads with exactly one frame. The
 * conversation ends when both sides have sent an empty frame in a row: whoever reads an empty
 * frame while it has nothing to say answers with an empty frame and stops; the other side reads
 * that answer right after its own empty frame and stops too. Every read is bounded in size
 * (MAX_SYNC_FRAME_BYTES) and time (idle timeout), the whole conversation by a time cap and a
 * round cap, so a silent, stalled or chatty peer cannot hold a session open.
 */

export interface SyncConversationOptions {
  /** True on the side that opened the stream: it speaks first. */
  initiator: boolean;
  idleTimeoutMs?: number;
  sessionCapMs?: number;
  maxRounds?: number;
  /** Aborts the conversation (network stopping, peer struck off). */
  signal?: AbortSignal;
  /** Called after every frame in either direction. */
  onProgress?: (progress: SyncProgress) => void;
}

export interface SyncOutcome {
  /** The peer's last announced heads equal ours (SyncSession.inSync()). */
  inSync: boolean;
  rounds: number;
  progress: SyncProgress;
}

const EMPTY = new Uint8Array(0);

/**
 * Runs `session` over `stream` until both sides have nothing to send, then closes the stream.
 * Rejects with InvalidPeerDataError (malformed or oversized frame: strike the peer),
 * SyncTimeoutError, SyncStreamClosedError or SyncMessageTooLargeError (ours: no strike);
 * the stream is aborted on every failure.
 */
export async function runSyncConversation(stream: Stream, session: SyncSession, options: SyncConversationOptions): Promise<SyncOutcome> {
  const { byteStream } = await loadStack();
  const idleMs = options.idleTimeoutMs ?? SYNC_IDLE_TIMEOUT_MS;
  const maxRounds = options.maxRounds ?? MAX_SYNC_ROUNDS;
  const cap = AbortSignal.timeout(options.sessionCapMs ?? SYNC_SESSION_CAP_MS);
  const outer = options.signal ? AbortSignal.any([cap, options.signal]) : cap;
  const frames = frameReader(stream, byteStream);
  const report = () => options.onProgress?.(session.progress());

  const send = async (message: Uint8Array | null): Promise<void> => {
    if (message && message.byteLength > MAX_SYNC_FRAME_BYTES) {
      // The peer would refuse it (and count it against us); Automerge cannot split it.
      throw new SyncMessageTooLargeError(`a sync message of ${message.byteLength} bytes is over the ${MAX_SYNC_FRAME_BYTES}-byte frame limit`);
    }
    // A peer that stops reading stalls our writes (backpressure): bounded like a read.
    const signal = AbortSignal.any([outer, AbortSignal.timeout(idleMs)]);
    try {
      await frames.write(message ?? EMPTY, signal);
    } catch (err) {
      throw translate(err, signal, 'writing');
    }
    if (message) report();
  };
  const read = async (): Promise<Uint8Array> => {
    const signal = AbortSignal.any([outer, AbortSignal.timeout(idleMs)]);
    try {
      return await frames.read(signal);
    } catch (err) {
      throw translate(err, signal, 'reading');
    }
  };

  let rounds = 0;
  try {
    let sentEmpty = false;
    if (options.initiator) {
      const first = session.next();
      await send(first);
      sentEmpty = first === null;
    }
    for (;;) {
      if (++rounds > maxRounds) throw new SyncTimeoutError(`sync did not settle within ${maxRounds} rounds`);
      const frame = await read();
      if (frame.byteLength === 0) {
        if (sentEmpty) break; // both sides are done
      } else {
        await session.receive(frame);
        report();
      }
      const answer = session.next();
      await send(answer);
      sentEmpty = answer === null;
      if (frame.byteLength === 0 && answer === null) break; // our empty frame is the last word
    }
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
  await closeStream(stream, idleMs);
  return { inSync: session.inSync(), rounds, progress: session.progress() };
}

/** Closes a stream after a completed conversation; a slow close only costs the stream (aborted). */
export async function closeStream(stream: Stream, timeoutMs: number): Promise<void> {
  try {
    await stream.close({ signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)));
  }
}

/** Longest varint length prefix: four bytes cover 2^28, more than MAX_SYNC_FRAME_BYTES. */
const MAX_PREFIX_BYTES = 4;

/**
 * Varint-length-prefixed frames on a byte stream. The prefix is read byte by byte and refused
 * past MAX_PREFIX_BYTES, and the announced length is checked before any of the frame is read,
 * so a peer cannot make us buffer an endless prefix or a frame over the cap.
 */
export function frameReader(stream: Stream, byteStream: Stack['byteStream'], maxFrameBytes = MAX_SYNC_FRAME_BYTES, readBufferBytes = SYNC_READ_BUFFER_BYTES) {
  const bytes = byteStream(stream, { maxBufferSize: readBufferBytes });
  return {
    async read(signal: AbortSignal): Promise<Uint8Array> {
      let length = 0;
      for (let i = 0; ; i++) {
        const byte = (await bytes.read({ bytes: 1, signal })).get(0);
        length += (byte & 0x7f) * 2 ** (7 * i);
        if (byte < 0x80) break;
        if (i + 1 >= MAX_PREFIX_BYTES) throw new SyncFrameTooLargeError(`sync frame refused: a length prefix longer than ${MAX_PREFIX_BYTES} bytes`);
      }
      if (length > maxFrameBytes) throw new SyncFrameTooLargeError(`sync frame refused: ${length} bytes announced, over the ${maxFrameBytes}-byte limit`);
      if (length === 0) return EMPTY;
      return (await bytes.read({ bytes: length, signal })).subarray();
    },
    async write(message: Uint8Array, signal: AbortSignal): Promise<void> {
      await bytes.write(encodeFrame(message), { signal });
    },
    /** Several frames in one write. */
    async writeAll(messages: readonly Uint8Array[], signal: AbortSignal): Promise<number> {
      const frames = messages.map(encodeFrame);
      const all = new Uint8Array(frames.reduce((n, f) => n + f.byteLength, 0));
      let at = 0;
      for (const f of frames) {
        all.set(f, at);
        at += f.byteLength;
      }
      await bytes.write(all, { signal });
      return all.byteLength;
    },
  };
}

/** A varint length prefix, then the message. */
function encodeFrame(message: Uint8Array): Uint8Array {
  const prefix: number[] = [];
  let n = message.byteLength;
  do {
    prefix.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n = Math.floor(n / 0x80);
  } while (n > 0);
  const frame = new Uint8Array(prefix.length + message.byteLength);
  frame.set(prefix);
  frame.set(message, prefix.length);
  return frame;
}

/** Maps stream-level failures to the named errors callers act on. */
export function translate(err: unknown, signal: AbortSignal, doing: string): Error {
  if (err instanceof InvalidPeerDataError) return err;
  const name = err instanceof Error ? err.name : '';
  if (name === 'StreamBufferError') {
    return new InvalidPeerDataError(`peer sent more than one frame's worth without waiting its turn`, { cause: err });
  }
  if (signal.aborted) {
    return new SyncTimeoutError(`sync stopped while ${doing}: ${String(signal.reason)}`, { cause: err });
  }
  return new SyncStreamClosedError(`sync stream failed while ${doing}: ${String(err)}`, { cause: err });
}
