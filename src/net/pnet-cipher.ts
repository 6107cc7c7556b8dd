/**
 * Side-effect module (polyfills.ts imports it): a workaround for a crash in xsalsa20 1.2.0, the
 * stream cipher of @libp2p/pnet, which encrypts every byte of our private network.
 *
 * Its WebAssembly build keeps all cipher streams in one memory of at most 1,000 pages (64 MiB),
 * and each stream caches a view of that memory. An update larger than the memory grows it, which
 * detaches every other stream's view; each of those then "grows" the memory again by its whole
 * input on its next update, and the next, so two busy streams ping-pong it up to the limit, and
 * the grow that fails throws inside an event listener: the process dies with "RangeError:
 * WebAssembly.Memory.grow(): Maximum memory size exceeded". A single write of more than ~640 KB
 * (pnet encrypts whatever is queued in one update: a big note, the catch-up of a big space) lights
 * that fuse; one websocket message over 64 MiB, which anyone can send before pnet has checked any
 * key, kills the process at once.
 *
 * Feeding the cipher slices of at most 64 KiB keeps every update inside the memory it starts
 * with (640 KiB), so it never grows. XSalsa20 is a stream cipher and the library carries the
 * position across calls, so the bytes out are the same however the input is sliced.
 */
import XSalsa20 from 'xsalsa20';

/** Largest input handed to one update of the WebAssembly cipher. */
export const CIPHER_SLICE_BYTES = 64 * 1024;

const marker = Symbol.for('shared-notes.xsalsa20-sliced');
const proto = XSalsa20.prototype as typeof XSalsa20.prototype & { [marker]?: true };
if (!proto[marker]) {
  const update = proto.update;
  proto.update = function slicedUpdate(this: typeof proto, input: Uint8Array, output?: Uint8Array): Uint8Array {
    if (!input || input.length <= CIPHER_SLICE_BYTES) return update.call(this, input, output);
    const out = output ?? new Uint8Array(input.length);
    for (let at = 0; at < input.length; at += CIPHER_SLICE_BYTES) {
      update.call(this, input.subarray(at, at + CIPHER_SLICE_BYTES), out.subarray(at, at + CIPHER_SLICE_BYTES));
    }
    return out;
  };
  proto[marker] = true;
}
