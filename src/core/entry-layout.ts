/**
 * Where an entry's map lives in a document, for the two document shapes the product writes:
 * the v1 space document (`b.<a>.<b>.<c>.<id>`, layout.ts) and a v2 shard document (`e.<id>`,
 * shards/shard-layout.ts). The reads of past versions (versions.ts) and the writes of the
 * product's operations (stored-entry.ts) take a layout, so one implementation serves both. Pure.
 */
import { bucketFor, bucketPath, type SpaceDoc } from './layout.js';
import type { EntryId } from './ids.js';

export interface EntryLayout {
  readonly name: 'space' | 'shard';
  /** The keys from the document root to entry `id`'s map. */
  path(id: EntryId): string[];
  /**
   * Inside a change callback: the map that holds (or is to hold) entry `id`; undefined when a
   * peer damaged the tree. With `create`, missing maps are made where the layout allows it.
   */
  container(doc: unknown, id: EntryId, create?: boolean): Record<string, unknown> | undefined;
}

/** The v1 space document: 4,096 leaf maps three levels deep, all made by the genesis change. */
export const SPACE_LAYOUT: EntryLayout = {
  name: 'space',
  path: (id) => ['b', ...bucketPath(id), id],
  container(doc, id, create = false) {
    const space = doc as SpaceDoc;
    const existing = bucketFor(space, id);
    if (existing || !create) return existing;
    // A peer could have removed a bucket map; recreating it keeps this device working.
    const [a, b, c] = bucketPath(id) as [string, string, string];
    space.b ??= {};
    space.b[a] ??= {};
    space.b[a][b] ??= {};
    space.b[a][b][c] ??= {};
    return space.b[a][b][c];
  },
};

/**
 * A shard document: one entry map `e`, made by the shard's genesis change. It is never made
 * here: two peers making it concurrently would each hold a different map (one would be lost).
 */
export const SHARD_LAYOUT: EntryLayout = {
  name: 'shard',
  path: (id) => ['e', id],
  container(doc) {
    const map = (doc as { e?: unknown }).e;
    return typeof map === 'object' && map !== null && !Array.isArray(map) ? (map as Record<string, unknown>) : undefined;
  },
};
