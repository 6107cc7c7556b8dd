/**
 * The history of entries migrated from a v1 space, on disk: `legacy-history/<shard>.json` in the
 * space folder, one file per shard that held migrated entries (core/legacy-history.ts). Written
 * once by the conversion (before `format.json`, so an interrupted conversion writes them again);
 * read a shard at a time when an entry's history is asked for. A file that does not parse is
 * reported and read as no history (the entries and their later steps are unaffected).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EntryId } from '../core/ids.js';
import type { LegacyHistoryStore, LegacyShardHistory, LegacyStep } from '../core/legacy-history.js';
import type { Logger } from '../core/ports.js';
import { isShardId, shardOf } from '../core/shards/shard-id.js';
import { describeFsError, errorCode, fsyncDir } from './durable-files.js';

export const LEGACY_HISTORY_FOLDER = 'legacy-history';
/** A shard's history file larger than this is not read (a v1 shard of ~25 entries holds well under 1 MB). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Writes the migrated entries' steps, a file per shard, replacing what an interrupted run left. */
export async function writeLegacyHistory(spaceDir: string, steps: ReadonlyMap<EntryId, readonly LegacyStep[]>, logger: Logger): Promise<number> {
  const dir = join(spaceDir, LEGACY_HISTORY_FOLDER);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const byShard = new Map<string, Record<string, readonly LegacyStep[]>>();
  for (const [id, entrySteps] of steps) {
    const shard = shardOf(id);
    const file = byShard.get(shard) ?? {};
    file[id] = entrySteps;
    byShard.set(shard, file);
  }
  for (const [shard, file] of byShard) await writeFile(join(dir, `${shard}.json`), JSON.stringify(file));
  await fsyncDir(dir, logger);
  await fsyncDir(spaceDir, logger);
  return byShard.size;
}

export class FileLegacyHistoryStore implements LegacyHistoryStore {
  constructor(
    private readonly spaceDir: string,
    private readonly logger: Logger,
  ) {}

  async read(shard: string): Promise<LegacyShardHistory | undefined> {
    if (!isShardId(shard)) return undefined;
    const path = join(this.spaceDir, LEGACY_HISTORY_FOLDER, `${shard}.json`);
    let text: string;
    try {
      const bytes = await readFile(path);
      if (bytes.length > MAX_FILE_BYTES) throw new Error(`${bytes.length} bytes, more than ${MAX_FILE_BYTES}`);
      text = bytes.toString('utf8');
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return undefined;
      this.logger.warn(`could not read the migrated history in ${path} (${describeFsError(err)}); those entries show their history since the conversion only`);
      return undefined;
    }
    try {
      return checked(JSON.parse(text));
    } catch (err) {
      this.logger.warn(`${path} is damaged (${String(err)}); those entries show their history since the conversion only`);
      return undefined;
    }
  }
}

/** The shape the conversion writes, checked before use (the file could be damaged or edited). */
function checked(value: unknown): LegacyShardHistory {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object of entries');
  for (const [id, steps] of Object.entries(value)) {
    if (!/^[0-9a-f]{32}$/.test(id) || !Array.isArray(steps)) throw new Error(`entry "${id.slice(0, 40)}" has no list of steps`);
    for (const step of steps as unknown[]) {
      const s = step as { item?: { op?: unknown; at?: unknown; hash?: unknown; deps?: unknown; by?: { name?: unknown } }; changes?: unknown };
      const item = s.item;
      if (!item || typeof item.op !== 'string' || typeof item.at !== 'number' || typeof item.hash !== 'string' || !Array.isArray(item.deps) || typeof item.by?.name !== 'string' || !Array.isArray(s.changes)) {
        throw new Error(`a step of entry ${id} is not a history step`);
      }
    }
  }
  return value as LegacyShardHistory;
}
