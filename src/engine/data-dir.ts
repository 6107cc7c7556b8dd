/**
 * What a front end asks of a data folder before it starts a peer, without loading the engine
 * (no libp2p, no Automerge): whether it holds a space, and which. Opening it creates the folder
 * on first use, private to this user (it holds the space keys and the device identity).
 */
import type { SpaceId } from '../core/ids.js';
import type { Logger } from '../core/ports.js';
import { DataFolder } from '../storage/data-folder.js';

export { describeFsError } from '../storage/durable-files.js';

/** The ids of the spaces the folder holds, oldest first (the folder is created, private, if missing). */
export async function storedSpaceIds(dataDir: string, logger: Logger): Promise<SpaceId[]> {
  const folder = await DataFolder.open(dataDir, logger.child('data'));
  return (await folder.listSpaces()).map((s) => s.space.id);
}

/** Whether the folder holds a space: the extension waits for Create/Join when it does not. */
export async function hasSpace(dataDir: string, logger: Logger): Promise<boolean> {
  return (await storedSpaceIds(dataDir, logger)).length > 0;
}
