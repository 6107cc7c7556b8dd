/**
 * Which space of a data folder a start opens, and what the folder holds. A folder may hold
 * several spaces (joined invites, `--new-space`); a start says what it chose and how to choose
 * another, and a space can be named by a unique prefix of its name or id.
 */
import { join } from 'node:path';
import { InvalidInputError, StoreLockedError } from '../core/errors.js';
import type { DeviceId } from '../core/ids.js';
import { newSpace, type Space } from '../core/invite.js';
import { NoteLog } from '../core/note-log.js';
import type { Logger } from '../core/ports.js';
import { DataFolder, type StoredSpace } from '../storage/data-folder.js';
import { FileIndexStore } from '../storage/read-index-store.js';
import { FileShardStore } from '../storage/shard-store.js';
import { spaceFormat } from '../storage/space-format.js';
import { ShardedSpace } from '../core/shards/sharded-space.js';
import { FileLogStore } from '../storage/file-log-store.js';
import { shortId } from '../core/text.js';

export interface SpaceChoice {
  space: Space;
  /** True when this start created the space. */
  created: boolean;
  /** What the person should know about the choice (several spaces, a reused name, …). */
  notices: string[];
}

export interface SpaceQuery {
  newSpace?: string;
  spaceId?: string;
  defaultSpaceName?: string;
}

/** A space in one line: `"Kitchen" (3fa2c1d0…)`. */
export const spaceLabel = (space: Pick<Space, 'id' | 'name'>): string => `"${space.name}" (${shortId(space.id)}…)`;

/**
 * The space named by `query`: an exact id or name, else the one space whose id or name starts
 * with it (names compared without case). Throws InvalidInputError naming the candidates otherwise.
 */
export function matchSpace<T extends { space: Pick<Space, 'id' | 'name'> }>(spaces: readonly T[], query: string, root: string): T {
  const q = query.trim().toLowerCase();
  if (q === '') throw new InvalidInputError('--space needs a name or an id');
  const exact = spaces.filter((s) => s.space.id === q || s.space.name.toLowerCase() === q);
  const found = exact.length > 0 ? exact : spaces.filter((s) => s.space.id.startsWith(q) || s.space.name.toLowerCase().startsWith(q));
  if (found.length === 1) return found[0]!;
  const list = (xs: readonly T[]) => xs.map((s) => `${spaceLabel(s.space)}`).join(', ');
  if (found.length === 0) {
    throw new InvalidInputError(
      spaces.length === 0 ? `no space matches "${query}": ${root} holds no space yet` : `no space matches "${query}" in ${root}; it holds ${list(spaces)}`,
    );
  }
  throw new InvalidInputError(`"${query}" matches ${found.length} spaces: ${list(found)}; give more of the id`);
}

/** Picks (or creates) the space a start opens; see SpaceChoice.notices for what it tells the person. */
export async function chooseSpace(folder: DataFolder, query: SpaceQuery, invited: Space | undefined): Promise<SpaceChoice> {
  const spaces = await folder.listSpaces();
  const choose = `choose one with --space NAME|ID (list them with --spaces)`;
  if (invited) {
    const existing = spaces.find((s) => s.space.id === invited.id);
    if (existing) return { space: existing.space, created: false, notices: [`already a member of ${spaceLabel(existing.space)}: opened it`] };
    const space = (await folder.saveSpace(invited)).space;
    const others = spaces.length;
    return {
      space,
      created: false,
      notices: others > 0 ? [`joined ${spaceLabel(space)}; this folder now holds ${others + 1} spaces, ${choose}`] : [],
    };
  }
  if (query.newSpace !== undefined) {
    const space = (await folder.saveSpace(newSpace(query.newSpace))).space;
    const sameName = spaces.filter((s) => s.space.name.toLowerCase() === space.name.toLowerCase());
    return {
      space,
      created: true,
      notices:
        sameName.length > 0
          ? [`created a new space ${spaceLabel(space)}; ${sameName.map((s) => spaceLabel(s.space)).join(', ')} has the same name: tell them apart by id`]
          : [],
    };
  }
  if (query.spaceId !== undefined) return { space: matchSpace(spaces, query.spaceId, folder.root).space, created: false, notices: [] };
  const newest = spaces.at(-1);
  if (newest) {
    const notices = spaces.length > 1 ? [`opened ${spaceLabel(newest.space)}, the newest of ${spaces.length} spaces in this folder; ${choose}`] : [];
    return { space: newest.space, created: false, notices };
  }
  return { space: (await folder.saveSpace(newSpace(query.defaultSpaceName ?? 'My notes'))).space, created: true, notices: [] };
}

export interface SpaceListing {
  id: string;
  name: string;
  createdAt: number;
  /** Drafts and published entries; undefined when the space could not be read (see `note`). */
  entries: number | undefined;
  /** Why the count is missing, e.g. the space is open in another process. */
  note?: string;
}

/**
 * Every space of a data folder with its entry count. A space open here is counted by `openCount`;
 * the others are opened briefly (their lock is taken and released); one open elsewhere says so.
 */
export async function listSpaces(
  dataDir: string,
  logger: Logger,
  openCount?: { id: string; entries: () => number },
): Promise<SpaceListing[]> {
  const folder = await DataFolder.open(dataDir, logger.child('data'));
  const out: SpaceListing[] = [];
  for (const stored of await folder.listSpaces()) {
    const base = { id: stored.space.id, name: stored.space.name, createdAt: stored.createdAt };
    if (openCount?.id === stored.space.id) {
      out.push({ ...base, entries: openCount.entries() });
      continue;
    }
    try {
      out.push({ ...base, entries: await countEntries(folder, stored, logger) });
    } catch (err) {
      const note = err instanceof StoreLockedError ? 'open in another Shared Notes process' : `cannot be read: ${(err as Error).message}`;
      out.push({ ...base, entries: undefined, note });
    }
  }
  return out;
}

async function countEntries(folder: DataFolder, stored: StoredSpace, logger: Logger): Promise<number> {
  const dir = folder.spaceDir(stored.space.id);
  const quiet = logger.child(`space:${shortId(stored.space.id)}`);
  // A sharded folder counts from its read index; a v1 folder is read as it is (not converted here).
  const sharded = (await spaceFormat(dir)) === 2;
  const shards = sharded ? await FileShardStore.open(dir, { logger: quiet }) : undefined;
  const shared = sharded ? undefined : await FileLogStore.open(join(dir, 'shared'), { logger: quiet });
  let local: FileLogStore;
  try {
    local = await FileLogStore.open(join(dir, 'local'), { logger: quiet });
  } catch (err) {
    await Promise.allSettled([shared?.close(), shards?.close()]);
    throw err;
  }
  let log: NoteLog;
  try {
    const space = shards ? await ShardedSpace.open({ shards, index: new FileIndexStore(dir, quiet), logger: quiet }) : undefined;
    log = await NoteLog.open({ ...(space ? { sharded: space } : { shared: shared! }), local, logger: quiet }, { author: { name: '-', device: '-' as DeviceId } }); // reads only
  } catch (err) {
    await Promise.allSettled([shared?.close(), shards?.close(), local.close()]);
    throw err;
  }
  try {
    const counts = log.counts();
    return counts.drafts + counts.published;
  } finally {
    await log.close();
  }
}
