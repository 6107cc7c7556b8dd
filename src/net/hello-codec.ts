import type { Stream } from '@libp2p/interface';
import { cleanDisplayName } from '../core/display-name.js';
import { HELLO_TIMEOUT_MS, MAX_HELLO_BYTES } from './constants.js';
import { HelloStreamError, InvalidHelloError } from './errors.js';
import { encodeSmallFrame, readSmallFrame, writeSmallFrame, type SmallFrameErrors, type SmallFrameTiming } from './small-frame.js';

/**
 * The hello wire format (HELLO_PROTOCOL, `/shared-notes/hello/1.0.0`): each side tells the other its display name, on connect and
 * whenever the name changes. The side with something to say opens a stream, writes one frame and
 * closes its end; the other side reads that one frame and closes too. Only peers that passed the
 * private network (they hold the space key) can open a stream at all.
 *
 * A frame is a varint length of one or two bytes, then that many bytes of UTF-8 JSON
 * `{"name": string, "device"?: string}` (device: the id the peer writes as its entries' author,
 * so the peers list and an entry's author name the same device); other fields are ignored, so a
 * later version may say more. A read is capped
 * at MAX_HELLO_BYTES (the length prefix is read byte by byte and refused past two bytes) and at
 * HELLO_TIMEOUT_MS for the whole frame. The name is cleaned (cleanDisplayName) before anything
 * else sees it. A bad hello is logged and ignored, never a strike: a name is only a label, and the
 * peer's short id is always shown next to it.
 */

export interface HelloOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** What a hello says: the display name, and the device id the peer writes on its entries' authors. */
export interface Hello {
  readonly name: string;
  readonly device?: string;
}

/** A device id as entries carry it (16 hex digits today; up to 64 accepted for later versions). */
const DEVICE_ID = /^[0-9a-f]{8,64}$/;

/** The frame announcing `name` (cleaned first) and our device id. */
export function encodeHello(name: string, device?: string): Uint8Array {
  const payload = new TextEncoder().encode(JSON.stringify({ name: cleanDisplayName(name), ...(device !== undefined && DEVICE_ID.test(device) ? { device } : {}) }));
  // 100 characters of at most 4 UTF-8 bytes, plus JSON escapes of `"` and `\`: well under the cap.
  if (payload.byteLength > MAX_HELLO_BYTES) throw new InvalidHelloError(`a hello of ${payload.byteLength} bytes is over ${MAX_HELLO_BYTES}`);
  return encodeSmallFrame(payload);
}

/** A hello payload: its cleaned name and, when well-formed, its device id (a malformed one is dropped). */
export function decodeHello(payload: Uint8Array): Hello {
  if (payload.byteLength > MAX_HELLO_BYTES) throw new InvalidHelloError(`a hello of ${payload.byteLength} bytes is over ${MAX_HELLO_BYTES}`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (err) {
    throw new InvalidHelloError(`a hello that is not UTF-8 JSON: ${String(err)}`, { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidHelloError('a hello that is not a JSON object');
  const name = (value as { name?: unknown }).name;
  if (typeof name !== 'string') throw new InvalidHelloError(`a hello whose name is ${name === undefined ? 'missing' : `a ${typeof name}`}`);
  const device = (value as { device?: unknown }).device;
  return { name: cleanDisplayName(name), ...(typeof device === 'string' && DEVICE_ID.test(device) ? { device } : {}) };
}

const HELLO_ERRORS: SmallFrameErrors = {
  invalid: (message, cause) => new InvalidHelloError(message, { cause }),
  failed: (message, cause) => new HelloStreamError(`hello: ${message}`, { cause }),
};

/** Writes our hello on a freshly opened stream and closes it; HelloStreamError on failure. */
export async function sendHello(stream: Stream, name: string, options: HelloOptions & { device?: string } = {}): Promise<void> {
  await writeSmallFrame(stream, encodeHello(name, options.device), timing(options), HELLO_ERRORS);
}

/**
 * Reads one hello from a stream the peer opened, then closes the stream. Resolves with the cleaned
 * name ('' when the peer has none) and the device id if it sent a well-formed one; rejects with InvalidHelloError (malformed, oversized) or
 * HelloStreamError (timed out, closed early), having aborted the stream.
 */
export async function readHello(stream: Stream, options: HelloOptions = {}): Promise<Hello> {
  const payload = await readSmallFrame(stream, { maxBytes: MAX_HELLO_BYTES, what: 'hello', errors: HELLO_ERRORS, ...timing(options) });
  try {
    return decodeHello(payload);
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
}

function timing(options: HelloOptions): SmallFrameTiming {
  return { timeoutMs: options.timeoutMs ?? HELLO_TIMEOUT_MS, ...(options.signal ? { signal: options.signal } : {}) };
}
