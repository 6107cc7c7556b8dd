/**
 * The engine both front ends share: one device taking part in one space. It composes the data
 * folder, the note log over two FileLogStores, and the libp2p SpaceNetwork; it owns no logic of
 * its own beyond choosing the space and wiring the parts together.
 */
import '../net/polyfills.js';
import { cleanDisplayName, DEFAULT_DISPLAY_NAME } from '../core/display-name.js';
import { InvalidInputError, StoreReadError } from '../core/errors.js';
import { decodeInvite, encodeInvite, type Space } from '../core/invite.js';
import { NoteLog } from '../core/note-log.js';
import type { Logger } from '../core/ports.js';
import { InvalidNetworkConfigError } from '../net/errors.js';
import { generateIdentity, peerIdOf } from '../net/keys.js';
import { SpaceNetwork } from '../net/space-network.js';
import { DataFolder, type DeviceProfile } from '../storage/data-folder.js';
import { FileLogStore } from '../storage/file-log-store.js';
import { FileHistoryCache } from '../storage/history-cache-file.js';
import { chooseSpace, listSpaces, type SpaceListing } from './spaces.js';
import { join } from 'node:path';

/** How long after start the history index is built (after the first sync has had its turn). */
const HISTORY_WARM_UP_MS = 3_000;

export interface SpacePeerInit {
  dataDir: string;
  logger: Logger;
  /** Create a new space with this name (and use it). */
  newSpace?: string;
  /** Join the space of this invite code (and dial the inviter). */
  join?: string;
  /** Open this space when the folder holds several (an id or name, or a unique prefix of one); default the most recently created. */
  spaceId?: string;
  /** Name for the space created on first run when neither `newSpace` nor `join` is given. */
  defaultSpaceName?: string;
  /** Our name on entries and as peers see it (cleaned: one line, at most 100 characters). */
  displayName?: string;
  listen?: string[];
  /** Addresses to tell peers instead of the listening ones (port forward, NAT). */
  announce?: string[];
  bootstrap?: string[];
  mdns?: boolean;
  antiEntropyMs?: number;
  /** Malformed messages tolerated from a peer before hanging up on it (default: the network's). */
  strikesBeforeDisconnect?: number;
}

export class SpacePeer {
  private savePeersTimer: ReturnType<typeof setTimeout> | undefined;
  private warmTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  private constructor(
    readonly folder: DataFolder,
    readonly space: Space,
    readonly profile: DeviceProfile,
    readonly log: NoteLog,
    readonly network: SpaceNetwork,
    private readonly logger: Logger,
    /** True when this start created the space (first run or `newSpace`). */
    readonly created: boolean,
    /** What the choice of space means for the person (several spaces, a reused name); see spaces.ts. */
    readonly notices: readonly string[],
  ) {}

  static async start(init: SpacePeerInit): Promise<SpacePeer> {
    const logger = init.logger;
    if (init.newSpace !== undefined && init.join !== undefined) throw new InvalidInputError('give either a new space name or an invite, not both');
    const invite = init.join !== undefined ? decodeInvite(init.join) : undefined;
    const folder = await DataFolder.open(init.dataDir, logger.child('data'));
    const wanted = init.displayName !== undefined ? cleanDisplayName(init.displayName) || undefined : undefined;
    let profile = await folder.device(wanted ?? DEFAULT_DISPLAY_NAME);
    // A name stored by an older version may be too long for an entry's author field: clean it too.
    const name = wanted ?? (cleanDisplayName(profile.displayName) || DEFAULT_DISPLAY_NAME);
    if (name !== profile.displayName) profile = await folder.setDisplayName(name);
    const { space, created, notices } = await chooseSpace(folder, init, invite?.space);
    const dir = folder.spaceDir(space.id);

    const shared = await FileLogStore.open(join(dir, 'shared'), { logger: logger.child('store:shared') });
    let local: FileLogStore;
    try {
      local = await FileLogStore.open(join(dir, 'local'), { logger: logger.child('store:local') });
    } catch (err) {
      await shared.close();
      throw err;
    }
    const historyCache = new FileHistoryCache(dir, logger.child('store:history'));
    const log = await NoteLog.open({ shared, local, logger: logger.child('log'), historyCache }, { author: { name: profile.displayName, device: profile.deviceId } });
    const knownPeers = await folder.knownPeers(space.id);
    let identity: Uint8Array;
    try {
      identity = await folder.identity(generateIdentity);
      await peerIdOf(identity); // a damaged key file is named here, not deep inside the network start
    } catch (err) {
      await log.close();
      if (!(err instanceof InvalidNetworkConfigError)) throw err;
      throw new StoreReadError(
        `${join(folder.root, 'identity.key')} is damaged (${err.message}). Move it aside to start with a new device identity ` +
          '(your notes are not affected; peers see a new device), or restore it from a backup. Nothing was changed.',
        { cause: err },
      );
    }
    const network = new SpaceNetwork(
      { replica: log.shared, logger: logger.child('net') },
      {
        spaceId: space.id,
        spaceKey: space.key,
        identity,
        listen: init.listen,
        announce: init.announce,
        bootstrap: [...(init.bootstrap ?? []), ...(invite?.addresses ?? [])],
        mdns: init.mdns ?? true,
        knownPeers,
        antiEntropyMs: init.antiEntropyMs,
        displayName: profile.displayName,
        deviceId: profile.deviceId,
        strikesBeforeDisconnect: init.strikesBeforeDisconnect,
      },
    );
    try {
      await network.start();
    } catch (err) {
      await log.close();
      throw err;
    }
    const peer = new SpacePeer(folder, space, profile, log, network, logger, created, notices);
    network.events.on('peer', () => peer.scheduleSavePeers());
    // The history index is read from where the last run stored it, plus the changes since (a
    // full read of every change's metadata only the first time: 1.2–1.7 s at 100k operations,
    // docs/BENCHMARKS.md), shortly after start, so `history` answers in milliseconds.
    peer.warmTimer = setTimeout(() => {
      const started = performance.now();
      if (peer.closed) return;
      log.historyReady().then(
        () => logger.debug(`history index ready in ${Math.round(performance.now() - started)} ms`),
        (err: unknown) => logger.warn(`could not build the history index: ${String(err)}`),
      );
    }, HISTORY_WARM_UP_MS);
    peer.warmTimer.unref?.();
    return peer;
  }

  /** The invite code for this space, with this device's current dialable addresses. */
  invite(): string {
    return encodeInvite({ space: this.space, addresses: this.network.addresses() });
  }

  /** The spaces of this device's data folder, this one counted live (see spaces.ts). */
  listSpaces(): Promise<SpaceListing[]> {
    return listSpaces(this.folder.root, this.logger, { id: this.space.id, entries: () => this.log.list().entries.length });
  }

  /** Renames this device: on the entries it writes from now on, and for the peers (announced at once). */
  async setDisplayName(name: string): Promise<void> {
    const cleaned = cleanDisplayName(name);
    if (cleaned === '') throw new InvalidInputError('a display name needs at least one visible character');
    this.log.setAuthor({ name: cleaned, device: (await this.folder.setDisplayName(cleaned)).deviceId });
    this.network.setDisplayName(cleaned);
  }

  /** Stops the network, saves peer addresses, flushes and closes the stores (releasing the locks). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.savePeersTimer);
    clearTimeout(this.warmTimer);
    const steps: Array<[string, () => Promise<void>]> = [
      ['save known peers', () => this.folder.saveKnownPeers(this.space.id, this.network.knownPeers())],
      ['stop the network', () => this.network.stop()],
      ['close the stores', () => this.log.close()],
    ];
    let failure: unknown;
    for (const [what, step] of steps) {
      try {
        await step();
      } catch (err) {
        this.logger.error(`could not ${what}: ${String(err)}`);
        failure ??= err;
      }
    }
    if (failure !== undefined) throw failure;
  }

  private scheduleSavePeers(): void {
    if (this.savePeersTimer || this.closed) return;
    this.savePeersTimer = setTimeout(() => {
      this.savePeersTimer = undefined;
      this.folder
        .saveKnownPeers(this.space.id, this.network.knownPeers())
        .catch((err: unknown) => this.logger.warn(`could not save peer addresses: ${String(err)}`));
    }, 2_000);
    this.savePeersTimer.unref?.();
  }
}
