/**
 * Reading a shard: its document from stored chunks, and its index rows from the document. Pure.
 */
import * as A from '@automerge/automerge';
import { concat } from '../bytes.js';
import { measureChunks } from '../decoded-size.js';
import { SNAPSHOT_LIMITS } from '../peer-input.js';
import { readEntry } from '../entry.js';
import { rowFromRead, type IndexRow } from './index-rows.js';
import { belongsTo, emptyShard, rawShardEntries, SHARD_GENESIS_HEADS, shardGenesisChange, type ShardDoc, type ShardId } from './shard-layout.js';

export interface LoadedShard {
  readonly doc: A.Doc<ShardDoc>;
  /** Chunks that could not be used (they do not load, or wait for a change that is not here). */
  readonly bad: number;
}

/**
 * The shard document from its stored chunks: one `Automerge.load` of the genesis change and the
 * chunks concatenated, measured first against the decoded-size limits of a whole document; if
 * that fails, chunk by chunk, keeping every one that is within the limits and loads.
 */
export function loadShard(chunks: readonly Uint8Array[], actor?: string): LoadedShard {
  const init = actor === undefined ? undefined : { actor };
  if (chunks.length === 0) return { doc: emptyShard(actor), bad: 0 };
  // A saved document first loads by Automerge's fast path (it holds the genesis); the genesis put
  // in front of it would make Automerge apply the document change by change (2–4× slower, measured).
  const documentFirst = isDocumentChunk(chunks[0]!);
  const all = concat(documentFirst ? chunks : [shardGenesisChange(), ...chunks]);
  try {
    measureChunks(all, SNAPSHOT_LIMITS); // what it costs decoded, before Automerge decodes it
    const doc = A.load<ShardDoc>(all, init);
    // Every shard descends from the genesis; a document without it gets it (as the prefix gives it).
    return { doc: A.hasHeads(doc, [...SHARD_GENESIS_HEADS]) || !documentFirst ? doc : A.loadIncremental(doc, shardGenesisChange()), bad: 0 };
  } catch (err) {
    if (err instanceof Error && err.message === 'Module terminated') throw err; // Automerge is gone for this process
  }
  let doc = emptyShard(actor);
  let bad = 0;
  for (const chunk of chunks) {
    try {
      measureChunks(chunk, SNAPSHOT_LIMITS);
      doc = A.loadIncremental(doc, chunk);
    } catch {
      bad++; // counted and reported by the caller; the rest of the shard still loads
    }
  }
  if (A.getMissingDeps(doc, []).length > 0) {
    // Changes wait for one that is not here: keep only what applies (a save and load drops them).
    const kept = A.load<ShardDoc>(A.save(doc), init);
    A.free(doc);
    doc = kept;
    bad++;
  }
  return { doc, bad };
}

/** Automerge's chunk header: magic (4 bytes), checksum (4), then the type: 0 is a whole document. */
function isDocumentChunk(bytes: Uint8Array): boolean {
  return bytes.length > 8 && bytes[0] === 0x85 && bytes[1] === 0x6f && bytes[2] === 0x4a && bytes[3] === 0x83 && bytes[8] === 0;
}

/** Every index row of a loaded shard; keys that are not this shard's entry ids read as invalid. */
export function rowsOfShard(shard: ShardId, doc: A.Doc<ShardDoc>): IndexRow[] {
  const rows: IndexRow[] = [];
  for (const [key, raw] of rawShardEntries(doc)) {
    // A key that is not an entry id of this shard is listed as invalid under `<shard>/<key>`, so
    // its row stays attributed to this shard (a re-index of the shard replaces it).
    const read = belongsTo(key, shard) ? readEntry(key, raw, 'shared') : readEntry(`${shard}/${key}`, raw, 'shared');
    rows.push(rowFromRead(read, objectIdOf(raw)));
  }
  return rows;
}

/** The row of one entry of a loaded shard, undefined if the shard does not hold it. */
export function rowOfEntry(doc: A.Doc<ShardDoc>, id: string): IndexRow | undefined {
  const raw = (doc as ShardDoc).e?.[id];
  return raw === undefined ? undefined : rowFromRead(readEntry(id, raw, 'shared'), objectIdOf(raw));
}

/** The object id of a map inside a loaded document, '' if it is not an Automerge object. */
export function objectIdOf(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null) return '';
  return A.getObjectId(raw as A.Doc<unknown>) ?? '';
}
