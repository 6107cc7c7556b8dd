/**
 * A space folder's format, and the one-way conversion of a v1 folder (one Automerge document in
 * `shared/`) to v2 (4,096 shards in `shards/` and a read index; drafts stay in `local/`). The
 * conversion is deterministic (core/shards/migrate.ts): two members converting the same v1 state
 * on their own produce identical shards, so they are in sync as soon as they meet. The v1 log is
 * kept as it is (read-only from then on: the history of migrated entries is read from it).
 *
 * Crash safety: `format.json` is written (durably) last; until it says 2 the folder is v1, and a
 * conversion that was interrupted runs again from the start (shards are replaced whole, the index
 * is rebuilt from them).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreReadError } from '../core/errors.js';
import type { Logger, StoreProblem } from '../core/ports.js';
import { Replica } from '../core/replica.js';
import type { SpaceDoc } from '../core/layout.js';
import { migrateV1 } from '../core/shards/migrate.js';
import { legacyStepsOf, type LegacyStep } from '../core/legacy-history.js';
import type { EntryId } from '../core/ids.js';
import { writeLegacyHistory } from './legacy-history-store.js';
import { ShardedSpace } from '../core/shards/sharded-space.js';
import { describeFsError, errorCode, writeFileDurably } from './durable-files.js';
import { FileLogStore } from './file-log-store.js';
import { FileIndexStore } from './read-index-store.js';
import { FileShardStore } from './shard-store.js';

export const FORMAT_FILE = 'format.json';
export type SpaceFormat = 1 | 2;

/** The folder's format: 2 once a conversion finished (or the folder was created sharded), else 1. */
export async function spaceFormat(spaceDir: string): Promise<SpaceFormat> {
  let text: string;
  try {
    text = await readFile(join(spaceDir, FORMAT_FILE), 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return 1;
    throw new StoreReadError(`could not read ${join(spaceDir, FORMAT_FILE)}: ${describeFsError(err)}`, { cause: err });
  }
  let format: unknown;
  try {
    format = (JSON.parse(text) as { format?: unknown }).format;
  } catch {
    format = undefined;
  }
  if (format === 1 || format === 2) return format;
  throw new StoreReadError(`${join(spaceDir, FORMAT_FILE)} is damaged (expected {"format": 1 or 2}); fix or move it aside, nothing was changed`);
}

export interface Conversion {
  readonly shards: number;
  readonly entries: number;
  /** The v1 heads it converted (recorded in format.json and in every migrated shard's change). */
  readonly from: readonly string[];
  readonly ms: number;
  /** What reading the v1 log needed to repair (records quarantined), for the person to be told. */
  readonly problems: readonly StoreProblem[];
}

/**
 * Converts a v1 space folder to shards (no-op, undefined, when it is v2 already). The space must
 * not be open (the v1 log's lock is taken). Entries whose id is not a shard id are left out and
 * counted in the log (an older version could not write such ids).
 */
export async function convertToShards(spaceDir: string, logger: Logger): Promise<Conversion | undefined> {
  if ((await spaceFormat(spaceDir)) === 2) return undefined;
  const started = performance.now();
  const store = await FileLogStore.open(join(spaceDir, 'shared'), { logger });
  let migration: ReturnType<typeof migrateV1>;
  let legacy: Map<EntryId, LegacyStep[]>;
  let problems: StoreProblem[];
  try {
    const opened = await Replica.open<SpaceDoc>(store, { name: 'shared', logger });
    const replica = opened.replica;
    problems = opened.problems;
    migration = migrateV1(replica.doc);
    // The migrated entries' steps so far, kept per shard: the v1 document is never read again.
    legacy = legacyStepsOf(replica.doc, replica.changesMeta(), migration.shards.flatMap((s) => s.ids));
  } finally {
    await store.close();
  }
  await writeLegacyHistory(spaceDir, legacy, logger);
  if (migration.skipped > 0) logger.warn(`converting ${spaceDir}: ${migration.skipped} entr${migration.skipped === 1 ? 'y' : 'ies'} under no shard id left out`);
  const shards = await FileShardStore.open(spaceDir, { logger });
  await shards.compactMany(migration.shards.map((s) => ({ shard: s.shard, saved: s.saved })));
  const space = await ShardedSpace.open({ shards, index: new FileIndexStore(spaceDir, logger), logger });
  await space.recover(); // every shard's log differs from an empty (or stale) index: all indexed
  await space.close();
  await writeFileDurably(spaceDir, FORMAT_FILE, Buffer.from(`${JSON.stringify({ format: 2, convertedAt: new Date().toISOString(), from: migration.from })}\n`), logger);
  const conversion = { shards: migration.shards.length, entries: migration.shards.reduce((n, s) => n + s.entries, 0), from: migration.from, ms: Math.round(performance.now() - started), problems };
  logger.info(`converted ${spaceDir} to shards: ${conversion.entries} entries in ${conversion.shards} shards, ${conversion.ms} ms`);
  return conversion;
}

/**
 * The shared log of a space folder as a sharded space, ready to use: a v1 folder is converted
 * first (its v1 log kept for history), a new folder is marked v2 from the start. The caller
 * closes it (a NoteLog does).
 */
export async function openSpaceShards(
  spaceDir: string,
  logger: Logger,
  hooks: { onProblem?: (problem: StoreProblem) => void; onFsync?: (ms: number) => void } = {},
): Promise<ShardedSpace> {
  if ((await spaceFormat(spaceDir)) === 1) {
    if (await hasV1Log(spaceDir)) for (const problem of (await convertToShards(spaceDir, logger))?.problems ?? []) hooks.onProblem?.(problem);
    else await writeFileDurably(spaceDir, FORMAT_FILE, Buffer.from(`${JSON.stringify({ format: 2 })}\n`), logger);
  }
  const shards = await FileShardStore.open(spaceDir, { logger, ...hooks });
  try {
    return await ShardedSpace.open({ shards, index: new FileIndexStore(spaceDir, logger), logger });
  } catch (err) {
    await shards.close();
    throw err;
  }
}

/** Whether the folder holds a v1 shared log (anything in `shared/`). */
async function hasV1Log(spaceDir: string): Promise<boolean> {
  try {
    return (await readdir(join(spaceDir, 'shared'))).length > 0;
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return false;
    throw new StoreReadError(`could not read ${join(spaceDir, 'shared')}: ${describeFsError(err)}`, { cause: err });
  }
}
