import { isEntryId, type EntryId } from '../core/ids.js';
import { MAX_PRESENCE_BYTES, MAX_PRESENCE_OFFSET, MAX_PRESENCE_SELECTIONS, PRESENCE_VERSION } from './constants.js';
import { InvalidPresenceError, UnsupportedPresenceVersionError } from './errors.js';

/**
 * The presence wire format: UTF-8 JSON, at most MAX_PRESENCE_BYTES.
 *
 *   {"v": 1, "seq": 1718000000123, "entry": "<32 hex>", "selections": [{"anchor": 0, "active": 5}]}
 *   {"v": 1, "seq": 1718000000124}                      ← the entry was closed
 *
 * `seq` grows with every message of one sender (it starts at the sender's clock in ms, so it also
 * grows across restarts); a receiver drops what is not newer than the last one it took. Offsets
 * are UTF-16 character offsets into the entry's document text. There is no name: the sender's name
 * is the one its hello announced, looked up by the gossip message's signed author.
 * Unknown fields are ignored; another `v` is a newer sender (ignored, not malformed).
 * Bounds: the size is checked before parsing; `seq` is an integer, `entry` an entry id (32 hex),
 * offsets integers from 0 to MAX_PRESENCE_OFFSET; selections past MAX_PRESENCE_SELECTIONS are cut.
 */

/** A selection in a document: `anchor` where it started, `active` where the cursor is. */
export interface Selection {
  readonly anchor: number;
  readonly active: number;
}

export interface PresenceMessage {
  readonly seq: number;
  /** The entry open at the sender; absent: it closed what it had open. */
  readonly entry?: EntryId;
  /** Empty when `entry` is absent; at most MAX_PRESENCE_SELECTIONS. */
  readonly selections: readonly Selection[];
}

export function encodePresence(message: PresenceMessage): Uint8Array {
  const wire: Record<string, unknown> = { v: PRESENCE_VERSION, seq: message.seq };
  if (message.entry !== undefined) {
    wire.entry = message.entry;
    wire.selections = message.selections.slice(0, MAX_PRESENCE_SELECTIONS).map((s) => ({ anchor: s.anchor, active: s.active }));
  }
  const bytes = new TextEncoder().encode(JSON.stringify(wire));
  if (bytes.byteLength > MAX_PRESENCE_BYTES) throw new InvalidPresenceError(`a presence message of ${bytes.byteLength} bytes is over ${MAX_PRESENCE_BYTES}`);
  return bytes;
}

/**
 * Validates bytes from the network: InvalidPresenceError for anything malformed,
 * UnsupportedPresenceVersionError for a well-formed message of another version.
 * More than MAX_PRESENCE_SELECTIONS selections are cut to that many.
 */
export function decodePresence(bytes: Uint8Array): PresenceMessage {
  if (bytes.byteLength > MAX_PRESENCE_BYTES) throw new InvalidPresenceError(`presence of ${bytes.byteLength} bytes is over the ${MAX_PRESENCE_BYTES}-byte limit`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new InvalidPresenceError(`presence that is not UTF-8 JSON: ${String(err)}`, { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidPresenceError('presence that is not a JSON object');
  const wire = value as Record<string, unknown>;
  if (wire.v !== PRESENCE_VERSION) {
    if (typeof wire.v === 'number' && Number.isSafeInteger(wire.v) && wire.v > PRESENCE_VERSION) throw new UnsupportedPresenceVersionError(`presence version ${wire.v}`);
    throw new InvalidPresenceError(`presence with version ${JSON.stringify(wire.v) ?? 'missing'}`);
  }
  const seq = wire.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) throw new InvalidPresenceError('presence without a non-negative integer seq');
  if (wire.entry === undefined) {
    if (wire.selections !== undefined) throw new InvalidPresenceError('presence with selections but no entry');
    return { seq, selections: [] };
  }
  if (!isEntryId(wire.entry)) throw new InvalidPresenceError('presence whose entry is not 32 lowercase hex digits');
  const raw = wire.selections ?? [];
  if (!Array.isArray(raw)) throw new InvalidPresenceError('presence whose selections are not an array');
  const selections = raw.slice(0, MAX_PRESENCE_SELECTIONS).map((s: unknown, i) => {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) throw new InvalidPresenceError(`presence selection ${i} is not an object`);
    const { anchor, active } = s as { anchor?: unknown; active?: unknown };
    return { anchor: offset(anchor, i, 'anchor'), active: offset(active, i, 'active') };
  });
  return { seq, entry: wire.entry, selections };
}

function offset(value: unknown, i: number, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_PRESENCE_OFFSET) {
    throw new InvalidPresenceError(`presence selection ${i} has a bad ${what} (an integer from 0 to ${MAX_PRESENCE_OFFSET})`);
  }
  return value;
}
