/**
 * A change's metadata (hash, dependencies, actor, first op, message: what the history index and
 * the op records need) read from the header of its binary chunk, without decoding its operations.
 * `A.decodeChange` builds a JavaScript object for every op, which costs seconds for a change that
 * creates hundreds of drafts (a markdown import); the header is a few hundred bytes whatever the
 * change holds. Format: automerge rust/automerge/src/storage/change.rs. Pure.
 */
import { createHash } from 'node:crypto';
import * as A from '@automerge/automerge';
import { Reader } from './decoded-size.js';
import type { ChangeMeta } from './history.js';

const MAGIC = [0x85, 0x6f, 0x4a, 0x83];
const CHUNK_CHANGE = 1;
const HASH_BYTES = 32;

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/**
 * The metadata of one encoded change, or undefined when the bytes are not a change. A
 * deflate-compressed change chunk (only ever from a peer) is decoded by Automerge instead.
 */
export function changeMetaOf(change: Uint8Array): ChangeMeta | undefined {
  try {
    const r = new Reader(change);
    for (const m of MAGIC) if (r.byte() !== m) return undefined;
    r.take(4); // checksum: the first bytes of the hash computed below
    const hashed = r.offset;
    const type = r.byte();
    if (type !== CHUNK_CHANGE) return viaAutomerge(change);
    const length = r.uint();
    const bodyStart = r.offset;
    if (bodyStart + length !== change.byteLength) return viaAutomerge(change); // several chunks, or trailing bytes
    const deps: string[] = [];
    for (let n = r.uint(); n > 0; n--) deps.push(hex(r.take(HASH_BYTES)));
    const actor = hex(r.take(r.uint()));
    r.uint(); // seq
    const startOp = r.uint();
    r.int(); // time
    const messageBytes = r.take(r.uint());
    const message = messageBytes.byteLength === 0 ? null : new TextDecoder('utf-8', { fatal: true }).decode(messageBytes);
    const hash = createHash('sha256').update(change.subarray(hashed)).digest('hex');
    return { hash, deps, actor, startOp, message };
  } catch {
    return undefined; // truncated or not UTF-8: not a change we can index
  }
}

/** The message (op record) of an encoded change, or undefined when it has none or does not parse. */
export function changeMessageOf(change: Uint8Array): string | undefined {
  return changeMetaOf(change)?.message ?? undefined;
}

function viaAutomerge(change: Uint8Array): ChangeMeta | undefined {
  try {
    const d = A.decodeChange(change);
    return { hash: d.hash, deps: d.deps, actor: d.actor, startOp: d.startOp, message: d.message ?? null };
  } catch {
    return undefined; // not a change: nothing to index
  }
}
