/**
 * The engine both front ends share: one device taking part in one space. It composes the data
 * folder, the note log over two FileLogStores, and the libp2p SpaceNetwork; it owns no logic of
 * its own beyond choosing the space and wiring the parts together.
 */
import '../net/polyfills.js';
import { cleanDisplayName } from '../core/display-name.js';
import { Emitter } from '../core/emitter.js';
import { InvalidInputError, StoreReadError } from '../core/errors.js';
import { decodeInvite, encodeInvite, inviteAddresses, newSpace, type Space } from '../core/invite.js';
import { NoteLog } from '../core/note-log.js';
import type { Logger } from '../core/ports.js';
import { InvalidNetworkConfigError } from '../net/errors.js';
import { DEFAULT_LISTEN } from '../net/constants.js';
import { generateIdentity, peerIdOf } from '../net/keys.js';
import { stableListen } from '../net/listen-port.js';
import { SpaceNetwork } from '../net/space-network.js';
import { DataFolder, type DeviceProfile } from '../storage/data-folder.js';
import { FileLogStore } from '../storage/file-log-store.js';
import { join } from 'node:path';

/** How long after start the history index is built (after the first sync has had its turn). */
const HISTORY_WARM_UP_MS = 3_000;
/** A joiner that reached no member of the invite by then is told so (and keeps trying). */
export const INVITE_UNREACHABLE_MS = 8_000;
export const INVITE_UNREACHABLE_MESSAGE = 'no member of this space is reachable at the addresses in the invite; ask for a fresh one';

export interface SpacePeerEvents {
  /** Joining with an invite: none of its members answered within INVITE_UNREACHABLE_MS (we keep trying). */
  'invite-unreachable': { message: string; addresses: string[] };
}

export interface SpacePeerInit {
  dataDir: string;
  logger: Logger;
  /** Create a new space with this name (and use it). */
  newSpace?: string;
  /** Join the space of this invite code (and dial the inviter). */
  join?: string;
  /** Open this space when the folder holds several; default the most recently created. */
  spaceId?: string;
  /** Name for the space created on first run when neither `newSpace` nor `join` is given. */
  defaultSpaceName?: string;
  /** Our name on entries and as peers see it (cleaned: one line, at most 100 characters). */
  displayName?: string;
  /**
   * Default DEFAULT_LISTEN. An address with port 0 gets the port chosen once for the space
   * (stored in its folder; a new one only when it is taken), so our addresses survive restarts.
   */
  listen?: string[];
  /** Addresses to tell peers instead of the listening ones (port forward, NAT). */
  announce?: string[];
  bootstrap?: string[];
  /**
   * Addresses (with /p2p/<id>) of the space's always-on peers: dialed at start and listed in
   * invites right after this device's own. (`shared-notes serve` hosts such a peer.)
   */
  alwaysOn?: string[];
  mdns?: boolean;
  antiEntropyMs?: number;
  /** Malformed messages tolerated from a peer before hanging up on it (default: the network's). */
  strikesBeforeDisconnect?: number;
  /** Connections the mesh keeps (default: the network's); benchmarks set 1 to build a line. */
  meshTarget?: number;
}

export class SpacePeer {
  readonly events = new Emitter<SpacePeerEvents>();
  private unreachableTimer: ReturnType<typeof setTimeout> | undefined;
  private savePeersTimer: ReturnType<typeof setTimeout> | undefined;
  /** The last save of peers.json: saves run one after another (they share a temp file). */
  private peersSaved: Promise<void> = Promise.resolve();
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
    private readonly alwaysOn: readonly string[],
  ) {}

  static async start(init: SpacePeerInit): Promise<SpacePeer> {
    const logger = init.logger;
    if (init.newSpace !== undefined && init.join !== undefined) throw new InvalidInputError('give either a new space name or an invite, not both');
    const invite = init.join !== undefined ? decodeInvite(init.join) : undefined;
    const folder = await DataFolder.open(init.dataDir, logger.child('data'));
    const wanted = init.displayName !== undefined ? cleanDisplayName(init.displayName) || undefined : undefined;
    let profile = await folder.device(wanted ?? 'Anonymous');
    // A name stored by an older version may be too long for an entry's author field: clean it too.
    const name = wanted ?? (cleanDisplayName(profile.displayName) || 'Anonymous');
    if (name !== profile.displayName) profile = await folder.setDisplayName(name);
    const { space, created } = await chooseSpace(folder, init, invite?.space);
    const dir = folder.spaceDir(space.id);

    const shared = await FileLogStore.open(join(dir, 'shared'), { logger: logger.child('store:shared') });
    let local: FileLogStore;
    try {
      local = await FileLogStore.open(join(dir, 'local'), { logger: logger.child('store:local') });
    } catch (err) {
      await shared.close();
      throw err;
    }
    const log = await NoteLog.open({ shared, local, logger: logger.child('log') }, { author: { name: profile.displayName, device: profile.deviceId } });
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
    const storedPort = await folder.listenPort(space.id);
    const { listen, port } = await stableListen(init.listen ?? DEFAULT_LISTEN, storedPort);
    const network = new SpaceNetwork(
      { replica: log.shared, logger: logger.child('net') },
      {
        spaceId: space.id,
        spaceKey: space.key,
        identity,
        listen,
        announce: init.announce,
        bootstrap: [...(init.bootstrap ?? []), ...(init.alwaysOn ?? []), ...(invite?.addresses ?? [])],
        mdns: init.mdns ?? true,
        knownPeers,
        antiEntropyMs: init.antiEntropyMs,
        displayName: profile.displayName,
        strikesBeforeDisconnect: init.strikesBeforeDisconnect,
        meshTarget: init.meshTarget,
      },
    );
    try {
      await network.start();
    } catch (err) {
      await log.close();
      throw err;
    }
    if (port !== undefined && port !== storedPort) {
      await folder.saveListenPort(space.id, port).catch((err: unknown) => logger.warn(`could not store the listen port ${port}: ${String(err)}`));
    }
    const peer = new SpacePeer(folder, space, profile, log, network, logger, created, init.alwaysOn ?? []);
    if (invite) peer.watchInvite(invite.addresses);
    network.events.on('peer', () => peer.scheduleSavePeers());
    // The history index is built once from every change's metadata (1.2–1.7 s at 100k operations,
    // docs/BENCHMARKS.md): do it shortly after start, so a later `history` answers in milliseconds.
    peer.warmTimer = setTimeout(() => {
      const started = performance.now();
      if (!peer.closed) log.warmHistory();
      logger.debug(`history index built in ${Math.round(performance.now() - started)} ms`);
    }, HISTORY_WARM_UP_MS);
    peer.warmTimer.unref?.();
    return peer;
  }

  /**
   * The invite code for this space: this device's current dialable addresses, the always-on
   * peers', and those of members seen recently, so it works while any of them is online.
   */
  invite(): string {
    const connected = new Set(this.network.peers().flatMap((p) => (p.connected ? [p.peerId] : [])));
    const members = this.network.knownPeers().map((k) => ({
      addrs: k.addrs.map((a) => `${a}/p2p/${k.peerId}`),
      connected: connected.has(k.peerId),
      lastSeen: k.lastSeen,
    }));
    return encodeInvite({ space: this.space, addresses: inviteAddresses(this.network.addresses(), members, this.alwaysOn) });
  }

  /** After joining with an invite: say so when none of its members answered in time (dialing goes on). */
  private watchInvite(addresses: string[]): void {
    this.unreachableTimer = setTimeout(() => {
      if (this.closed || this.network.summary().connected > 0) return;
      this.logger.warn(`${INVITE_UNREACHABLE_MESSAGE} (tried ${addresses.join(' ') || 'no addresses'}; still trying)`);
      this.events.emit('invite-unreachable', { message: INVITE_UNREACHABLE_MESSAGE, addresses });
    }, INVITE_UNREACHABLE_MS);
    this.unreachableTimer.unref?.();
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
    clearTimeout(this.unreachableTimer);
    const steps: Array<[string, () => Promise<void>]> = [
      ['save known peers', () => this.savePeers()],
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

  /** Saves the peer book after any save still running (what it holds at that moment). */
  private savePeers(): Promise<void> {
    const next = this.peersSaved.catch(() => undefined).then(() => this.folder.saveKnownPeers(this.space.id, this.network.knownPeers()));
    this.peersSaved = next;
    return next;
  }

  private scheduleSavePeers(): void {
    if (this.savePeersTimer || this.closed) return;
    this.savePeersTimer = setTimeout(() => {
      this.savePeersTimer = undefined;
      this.savePeers().catch((err: unknown) => this.logger.warn(`could not save peer addresses: ${String(err)}`));
    }, 2_000);
    this.savePeersTimer.unref?.();
  }
}

async function chooseSpace(folder: DataFolder, init: SpacePeerInit, invited: Space | undefined): Promise<{ space: Space; created: boolean }> {
  const spaces = await folder.listSpaces();
  if (invited) {
    const existing = spaces.find((s) => s.space.id === invited.id);
    return { space: existing?.space ?? (await folder.saveSpace(invited)).space, created: false };
  }
  if (init.newSpace !== undefined) return { space: (await folder.saveSpace(newSpace(init.newSpace))).space, created: true };
  if (init.spaceId !== undefined) {
    const found = spaces.find((s) => s.space.id === init.spaceId);
    if (!found) throw new InvalidInputError(`no space ${init.spaceId} in ${folder.root}`);
    return { space: found.space, created: false };
  }
  const newest = spaces.at(-1);
  if (newest) return { space: newest.space, created: false };
  return { space: (await folder.saveSpace(newSpace(init.defaultSpaceName ?? 'My notes'))).space, created: true };
}
