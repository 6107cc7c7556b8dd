/** Our stack, as the CLI runs it: SpacePeers over real data folders (FileLogStore, fsync) on loopback. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newSpace, type Space } from '../src/core/invite.js';
import type { DeviceId } from '../src/core/ids.js';
import { memoryLogger } from '../src/core/logger.js';
import { NoteLog } from '../src/core/note-log.js';
import { SpacePeer, type SpacePeerInit } from '../src/engine/space-peer.js';
import { DataFolder } from '../src/storage/data-folder.js';
import { FileLogStore } from '../src/storage/file-log-store.js';

export const LOOPBACK = ['/ip4/127.0.0.1/tcp/0/ws'];
const folders: string[] = [];

export async function tempFolder(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `sn-bench-${prefix}-`));
  folders.push(dir);
  return dir;
}

export async function removeTempFolders(): Promise<void> {
  await Promise.allSettled(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** A data folder holding `space`, its shared log seeded with a saved document (if given). */
export async function seededFolder(prefix: string, space: Space, saved?: Uint8Array): Promise<string> {
  const dir = await tempFolder(prefix);
  const folder = await DataFolder.open(dir, memoryLogger('warn'));
  await folder.saveSpace(space);
  if (saved) {
    const store = await FileLogStore.open(join(folder.spaceDir(space.id), 'shared'));
    await store.compact(saved);
    await store.close();
  }
  return dir;
}

export function benchSpace(): Space {
  return newSpace('Bench space');
}

/** Starts a peer of `space` in `dir` on loopback, mDNS off, dialing `bootstrap`. */
export async function startPeer(dir: string, space: Space, bootstrap: string[] = [], name = 'Bench', init: Partial<SpacePeerInit> = {}): Promise<SpacePeer> {
  return SpacePeer.start({ dataDir: dir, logger: memoryLogger('warn'), spaceId: space.id, displayName: name, listen: LOOPBACK, mdns: false, bootstrap, ...init });
}

/** The peer's listen port on 127.0.0.1 and its peer id. */
export function endpoint(peer: SpacePeer): { port: number; peerId: string } {
  const address = peer.network.addresses().find((a) => a.startsWith('/ip4/127.0.0.1/'));
  const port = Number(/\/tcp\/(\d+)\//.exec(address ?? '')?.[1]);
  if (!address || !Number.isFinite(port)) throw new Error(`no loopback address among ${peer.network.addresses().join(' ')}`);
  return { port, peerId: peer.network.peerId };
}

export const viaPort = (port: number, peerId: string): string => `/ip4/127.0.0.1/tcp/${port}/ws/p2p/${peerId}`;

export const headsKey = (heads: readonly string[]): string => [...heads].sort().join(',');

/** A NoteLog opened from FileLogStores (as the CLI opens it) whose shared log holds `saved`; `openMs` is the open alone. */
export async function noteLogFromSaved(prefix: string, saved: Uint8Array): Promise<{ log: NoteLog; openMs: number }> {
  const dir = await tempFolder(prefix);
  const seed = await FileLogStore.open(join(dir, 'shared'));
  await seed.compact(saved);
  await seed.close();
  const started = performance.now();
  const log = await NoteLog.open(
    { shared: await FileLogStore.open(join(dir, 'shared')), local: await FileLogStore.open(join(dir, 'local')), logger: memoryLogger('warn') },
    { author: { name: 'Bench', device: 'bench-device' as DeviceId } },
  );
  return { log, openMs: performance.now() - started };
}
