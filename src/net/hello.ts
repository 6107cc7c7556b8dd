import type { Stream } from '@libp2p/interface';
import { cleanDisplayName } from '../core/display-name.js';
import { InvalidPeerDataError } from '../core/errors.js';
import type { KnownPeer } from '../core/known-peer.js';
import type { Logger } from '../core/ports.js';
import { HELLO_TIMEOUT_MS, MAX_HELLO_BYTES } from './constants.js';
import { HelloStreamError, InvalidHelloError } from './errors.js';
import { encodeSmallFrame, readSmallFrame, writeSmallFrame, type SmallFrameErrors, type SmallFrameTiming } from './small-frame.js';

/**
 * The hello protocol (HELLO_PROTOCOL): each side tells the other its display name, on connect and
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

/** The cleaned name of a hello payload ('' when nothing readable is left); InvalidHelloError otherwise. */
export function decodeHelloPayload(payload: Uint8Array): string {
  return decodeHello(payload).name;
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

export interface SpaceHelloComponents {
  logger: Logger;
  /** Opens a hello stream on an open connection to the peer. */
  openStream(peerId: string, signal: AbortSignal): Promise<Stream>;
  /** The name we know for this peer changed. */
  changed(peerId: string): void;
  /** The first well-formed hello from this peer arrived (it speaks our protocols). */
  greeted?(peerId: string): void;
  connectedPeers(): string[];
}

export interface SpaceHelloInit {
  /** Our display name; cleaned. Empty: peers show our short id. */
  name?: string;
  /** Our device id (the author id on our entries), announced with the name. */
  device?: string;
  /** Names and devices remembered from an earlier run (peers.json), shown until a peer says hello. */
  known?: readonly KnownPeer[];
  timeoutMs?: number;
}

/** The names peers announced, and the announcement of ours, for one SpaceNetwork. */
export class SpaceHello {
  private readonly names = new Map<string, string>();
  private readonly greetedBy = new Set<string>();
  private readonly devices = new Map<string, string>();
  private readonly remembered: ReadonlyMap<string, KnownPeer>;
  private readonly receiving = new Set<string>();
  private readonly stopping = new AbortController();
  private name: string;

  constructor(
    private readonly components: SpaceHelloComponents,
    private readonly init: SpaceHelloInit = {},
  ) {
    this.name = cleanDisplayName(init.name ?? '');
    this.remembered = new Map((init.known ?? []).map((p) => [p.peerId, p]));
  }

  /** The display name the peer announced, else the one it announced in an earlier run, if any. */
  nameOf(peerId: string): string | undefined {
    return this.names.get(peerId) ?? this.remembered.get(peerId)?.name;
  }

  /** The device id the peer announced (now or in an earlier run), if any. */
  deviceOf(peerId: string): string | undefined {
    return this.devices.get(peerId) ?? this.remembered.get(peerId)?.device;
  }

  /** A known peer with the name and device to remember for the next run. */
  labelled(peer: KnownPeer): KnownPeer {
    const name = this.nameOf(peer.peerId);
    const device = this.deviceOf(peer.peerId);
    return { ...peer, ...(name !== undefined ? { name } : {}), ...(device !== undefined ? { device } : {}) };
  }

  /** A well-formed hello from this peer arrived (in this run). */
  hasGreeted(peerId: string): boolean {
    return this.greetedBy.has(peerId);
  }

  /** A peer connected: tell it who we are. */
  connected(peerId: string): void {
    void this.announce(peerId);
  }

  /** Our name changed: tell every connected peer. */
  setName(name: string): void {
    const cleaned = cleanDisplayName(name);
    if (cleaned === this.name) return;
    this.name = cleaned;
    for (const peerId of this.components.connectedPeers()) void this.announce(peerId);
  }

  /** A peer opened a hello stream; one at a time per peer. */
  handleInbound(peerId: string, stream: Stream): void {
    if (this.stopping.signal.aborted || this.receiving.has(peerId)) {
      stream.abort(new Error('a hello from this peer is already being read'));
      return;
    }
    this.receiving.add(peerId);
    void this.receive(peerId, stream).finally(() => this.receiving.delete(peerId));
  }

  stop(): void {
    this.stopping.abort(new Error('network stopping'));
  }

  private async receive(peerId: string, stream: Stream): Promise<void> {
    const { logger } = this.components;
    let hello: Hello;
    try {
      hello = await readHello(stream, { timeoutMs: this.init.timeoutMs, signal: this.stopping.signal });
    } catch (err) {
      if (this.stopping.signal.aborted) return;
      const text = `${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
      if (err instanceof InvalidPeerDataError) logger.warn(`ignoring a bad hello from ${peerId}: ${text}`);
      else logger.debug(`no hello from ${peerId}: ${text}`);
      return;
    }
    if (!this.greetedBy.has(peerId)) {
      this.greetedBy.add(peerId);
      this.components.greeted?.(peerId);
    }
    const { name, device } = hello;
    if ((this.names.get(peerId) ?? '') === name && (device === undefined || this.devices.get(peerId) === device)) return;
    if (device !== undefined) this.devices.set(peerId, device);
    if (name === '') this.names.delete(peerId);
    else this.names.set(peerId, name);
    logger.debug(`peer ${peerId} is called "${name}"`);
    this.components.changed(peerId);
  }

  private async announce(peerId: string): Promise<void> {
    if (this.stopping.signal.aborted) return;
    try {
      const stream = await this.components.openStream(peerId, this.stopping.signal);
      await sendHello(stream, this.name, { timeoutMs: this.init.timeoutMs, signal: this.stopping.signal, device: this.init.device });
    } catch (err) {
      if (!this.stopping.signal.aborted) this.components.logger.debug(`could not tell ${peerId} our name: ${String(err)}`);
    }
  }
}
