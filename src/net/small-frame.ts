import type { Stream } from '@libp2p/interface';
import { loadStack } from './stack.js';

/**
 * One small frame on a stream of its own: a varint length of one or two bytes (so at most 16,383
 * bytes), then the payload. The side with something to say opens a stream, writes one frame and
 * closes its end; the other side reads that one frame and closes too. Used by the hello and the
 * peer-exchange protocols. The length prefix is read byte by byte and refused past two bytes or
 * past the caller's cap before any of the payload is read.
 */

/** Largest payload a two-byte varint can announce. */
export const MAX_SMALL_FRAME_BYTES = 0x3fff;

/** Why a read failed: the peer sent something malformed (`invalid`) or the stream failed/timed out. */
export interface SmallFrameErrors {
  invalid(message: string, cause?: unknown): Error;
  failed(message: string, cause?: unknown): Error;
}

export function encodeSmallFrame(payload: Uint8Array): Uint8Array {
  const n = payload.byteLength;
  if (n > MAX_SMALL_FRAME_BYTES) throw new RangeError(`a small frame holds at most ${MAX_SMALL_FRAME_BYTES} bytes, not ${n}`);
  const prefix = n < 0x80 ? [n] : [(n & 0x7f) | 0x80, n >> 7];
  const frame = new Uint8Array(prefix.length + n);
  frame.set(prefix);
  frame.set(payload, prefix.length);
  return frame;
}

/** The time allowed for a whole write or read, and an outer signal (network stopping). */
export interface SmallFrameTiming {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The deadline starts once the libp2p modules are loaded (the first load can take seconds). */
function deadline(timing: SmallFrameTiming): AbortSignal {
  const timeout = AbortSignal.timeout(timing.timeoutMs);
  return timing.signal ? AbortSignal.any([timeout, timing.signal]) : timeout;
}

/** Writes one frame and closes the stream; aborts it and throws `errors.failed` on failure. */
export async function writeSmallFrame(stream: Stream, frame: Uint8Array, timing: SmallFrameTiming, errors: SmallFrameErrors): Promise<void> {
  const { byteStream } = await loadStack();
  const signal = deadline(timing);
  try {
    await byteStream(stream).write(frame, { signal });
    await stream.close({ signal });
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)));
    throw errors.failed(`could not send: ${String(err)}`, err);
  }
}

export interface ReadSmallFrameOptions extends SmallFrameTiming {
  /** Largest payload accepted (at most MAX_SMALL_FRAME_BYTES). */
  maxBytes: number;
  /** What the frame is, for error messages ("hello"). */
  what: string;
  errors: SmallFrameErrors;
}

/**
 * Reads one frame of 1 to `maxBytes` bytes, then closes the stream. Rejects with `errors.invalid`
 * (malformed, oversized, more than one frame) or `errors.failed` (timed out, closed early) after
 * aborting the stream.
 */
export async function readSmallFrame(stream: Stream, options: ReadSmallFrameOptions): Promise<Uint8Array> {
  const { byteStream } = await loadStack();
  const { maxBytes, what, errors } = options;
  const signal = deadline(options);
  // Two length bytes and one full payload: more than that before we read is not one frame.
  const bytes = byteStream(stream, { maxBufferSize: maxBytes + 2 });
  const byte = async () => (await bytes.read({ bytes: 1, signal })).get(0);
  const refused = new WeakSet<Error>();
  const refuse = (message: string): Error => {
    const err = errors.invalid(message);
    refused.add(err);
    return err;
  };
  let payload: Uint8Array;
  try {
    let length = await byte();
    if (length >= 0x80) {
      const high = await byte();
      if (high >= 0x80) throw refuse(`a ${what} length prefix longer than two bytes (over ${maxBytes})`);
      length = (length & 0x7f) | (high << 7);
    }
    if (length === 0 || length > maxBytes) throw refuse(`a ${what} of ${length} bytes (allowed: 1 to ${maxBytes})`);
    payload = (await bytes.read({ bytes: length, signal })).subarray();
  } catch (err) {
    let failure: Error;
    if (err instanceof Error && refused.has(err)) failure = err;
    else if (err instanceof Error && err.name === 'StreamBufferError') failure = errors.invalid(`the peer sent more than one ${what}'s worth: ${err.message}`, err);
    else if (signal.aborted) failure = errors.failed(`no complete ${what} in time: ${String(signal.reason)}`, err);
    else failure = errors.failed(`the ${what} stream failed: ${String(err)}`, err);
    stream.abort(failure);
    throw failure;
  }
  try {
    await stream.close({ signal: AbortSignal.timeout(options.timeoutMs) });
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err))); // the frame itself arrived
  }
  return payload;
}
