/**
 * The engine both front ends share: one device taking part in one space. It composes the data
 * folder, the note log over two FileLogStores, and the libp2p SpaceNetwork; it owns no logic of
 * its own beyond choosing the space and wiring the parts together.
 */
import '../net/polyfills.js';
import { cleanDisplayName, DEFAULT_DISPLAY_NAME, displayNameOr } from '../core/display-name.js';
import { Emitter } from '../core/emitter.js';
import { InvalidInputError, StoreReadError } from '../core/errors.js';
import { decodeInvite, encodeInvite, inviteAddresses, type Space } from '../core/invite.js';
import { NoteLog, type EntriesChanged } from '../core/note-log.js';
import type { Logger, StoreProblem } from '../core/ports.js';
import type { ShardedSpace } from '../core/shards/sharded-space.js';
import { openSpaceShards } from '../storage/space-format.js';
import { FileLegacyHistoryStore } from '../storage/legacy-history-store.js';
import { SearchIndex } from '../core/search-index.js';
import { InvalidNetworkConfigError } from '../net/errors.js';
import { DEFAULT_LISTEN } from '../net/constants.js';
import { generateIdentity, peerIdOf } from '../net/keys.js';
import { stableListen } from '../net/listen-port.js';
import { checkListenAddrs } from '../net/addresses.js';
import { SpaceNetwork } from '../net/space-network.js';
import type { TrafficMeter } from '../net/traffic.js';
import { DataFolder, type DeviceProfile } from '../storage/data-folder.js';
import type { EntryId } from '../core/ids.js';
import { exportMarkdown, importMarkdown, type ExportReport, type ImportProgress, type ImportReport } from './markdown-transfer.js';
import { FileLogStore } from '../storage/file-log-store.js';
import { FileHistoryCache } from '../storage/history-cache-file.js';
import { chooseSpace, listSpaces, type SpaceListing } from './spaces.js';
import { join } from 'node:path';

export { TrafficMeter } from '../net/traffic.js';

/** How long after start the history index is built (after the first sync has had its turn). */
const HISTORY_WARM_UP_MS = 3_000;
/**
 * The search index is built after start only for spaces up to this many entries (~5 s of sliced
 * work and ~15 MB of text at 5k); a bigger space builds it at its first search, which answers with
 * what is read so far meanwhile. It holds every entry's text: at 100k realistic notes it is ~300 MB
 * of JS heap and a minute of loading shards (docs/BENCHMARKS.md), more than the whole space costs
 * otherwise, so nobody who does not search pays for it.
 */
const SEARCH_WARM_AT_START_MAX = 5_000;
/** How long the peers' changes that arrive during start-up are kept for `takeEarlyChanges`. */
const EARLY_CHANGES_MS = 30_000;

/** Keeps the log's remote changes until stopped (or for EARLY_CHANGES_MS). */
function keepEarlyChanges(log: NoteLog): { changes: EntriesChanged[]; stop: () => void } {
  const changes: EntriesChanged[] = [];
  const off = log.events.on('changed', (change) => {
    if (change.origin === 'remote') changes.push(change);
  });
  const stop = () => {
    clearTimeout(timer);
    off();
  };
  const timer = setTimeout(() => {
    stop();
    changes.length = 0; // nobody took them: a front end that does not tell arrivals
  }, EARLY_CHANGES_MS);
  timer.unref?.();
  return { changes, stop };
}
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
  /** Open this space when the folder holds several (an id or name, or a unique prefix of one); default the most recently created. */
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
  /** Run a circuit relay v2 server for the space's members (`shared-notes serve`). */
  relayServer?: { maxReservations: number };
  /** Counts network traffic per protocol (`serve --metrics`). */
  traffic?: TrafficMeter;
  /** Told how long each flush of a log to disk took, in milliseconds (`serve --metrics`). */
  onFsync?: (ms: number) => void;
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
  /** Peers' changes taken between the network's start and `takeEarlyChanges` (see there). */
  private early: { readonly changes: EntriesChanged[]; readonly stop: () => void } | undefined;
  private closed = false;
  /** Full-text search over the space, kept current from the log's changes (built on first use). */
  readonly searchIndex: SearchIndex;

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
    private readonly alwaysOn: readonly string[],
  ) {
    this.searchIndex = new SearchIndex(log);
  }

  /**
   * The peers' changes that arrived since the network started (before the caller could listen to
   * `log.events`), once: a front end that tells arrivals tells these first, then listens. Kept for
   * EARLY_CHANGES_MS at most, or until this is called.
   */
  takeEarlyChanges(): EntriesChanged[] {
    const changes = [...(this.early?.changes ?? [])];
    this.early?.stop();
    this.early = undefined;
    return changes;
  }

  static async start(init: SpacePeerInit): Promise<SpacePeer> {
    const logger = init.logger;
    if (init.newSpace !== undefined && init.join !== undefined) throw new InvalidInputError('give either a new space name or an invite, not both');
    // Refused before anything is opened, naming the address as given (port 0 is replaced by the space's port later).
    await checkListenAddrs(init.listen ?? DEFAULT_LISTEN);
    const invite = init.join !== undefined ? decodeInvite(init.join) : undefined;
    const folder = await DataFolder.open(init.dataDir, logger.child('data'));
    const wanted = init.displayName !== undefined ? cleanDisplayName(init.displayName) || undefined : undefined;
    let profile = await folder.device(wanted ?? DEFAULT_DISPLAY_NAME);
    // A name stored by an older version may be too long for an entry's author field: clean it too.
    const name = displayNameOr(wanted, profile.displayName);
    if (name !== profile.displayName) profile = await folder.setDisplayName(name);
    const chosen = await chooseSpace(folder, init, invite?.space);
    // A name stored from an older version's invite may hold control characters: show it cleaned.
    const space = { ...chosen.space, name: cleanDisplayName(chosen.space.name) || 'Unnamed space' };
    const { created, notices } = chosen;
    const dir = folder.spaceDir(space.id);

    // The shared log is sharded (schema v2); a folder of an older version is converted first.
    const problems: StoreProblem[] = [];
    const sharded = await openSpaceShards(dir, logger.child('store:shards'), { onProblem: (problem) => problems.push(problem), ...(init.onFsync ? { onFsync: init.onFsync } : {}) });
    let local: FileLogStore;
    try {
      local = await FileLogStore.open(join(dir, 'local'), { logger: logger.child('store:local'), onFsync: init.onFsync });
    } catch (err) {
      await sharded.close();
      throw err;
    }
    const historyCache = new FileHistoryCache(dir, logger.child('store:history'));
    const legacyHistory = new FileLegacyHistoryStore(dir, logger.child('store:legacy-history'));
    // The crash check before anything is listed: a shard log written after the index last was
    // (a kill between a write and its journal record) is listed again from the log (~240 ms of
    // stats at 100k entries, docs/SHARDING-PLAN.md), so the first list is never stale.
    try {
      const { checked, reindexed } = await sharded.recover();
      logger.debug(`checked ${checked} shard logs (${reindexed.length} re-indexed)`);
    } catch (err) {
      await Promise.allSettled([sharded.close(), local.close()]);
      throw err;
    }
    const log = await NoteLog.open({ local, sharded, legacyHistory, logger: logger.child('log'), historyCache }, { author: { name: profile.displayName, device: profile.deviceId } });
    log.problems.push(...problems.splice(0));
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
      { sharded, logger: logger.child('net') },
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
        deviceId: profile.deviceId,
        strikesBeforeDisconnect: init.strikesBeforeDisconnect,
        relayServer: init.relayServer,
        traffic: init.traffic,
        meshTarget: init.meshTarget,
      },
    );
    // A catch-up can finish before `start` returns (a small space, a slow disk for the port file):
    // what arrives meanwhile is kept for the front end that tells arrivals (takeEarlyChanges).
    const early = keepEarlyChanges(log);
    try {
      await network.start();
    } catch (err) {
      early.stop();
      await log.close();
      throw err;
    }
    if (port !== undefined && port !== storedPort) {
      await folder.saveListenPort(space.id, port).catch((err: unknown) => logger.warn(`could not store the listen port ${port}: ${String(err)}`));
    }
    const peer = new SpacePeer(folder, space, profile, log, network, logger, created, notices, init.alwaysOn ?? []);
    peer.early = early;
    peer.warmShards(sharded);
    if (invite) peer.watchInvite(invite.addresses);
    network.events.on('peer', () => peer.scheduleSavePeers());
    // The history index is read from where the last run stored it, plus the changes since (a
    // full read of every change's metadata only the first time: 1.2–1.7 s at 100k operations,
    // docs/BENCHMARKS.md), shortly after start, so `history` answers in milliseconds.
    peer.warmTimer = setTimeout(() => {
      const started = performance.now();
      if (peer.closed) return;
      const built = performance.now();
      // In slices that yield to the event loop (a query meanwhile builds the rest at once).
      const { drafts, published } = log.counts();
      if (drafts + published <= SEARCH_WARM_AT_START_MAX) {
        peer.searchIndex.warm().then(
          () => logger.debug(`search index built in ${Math.round(performance.now() - built)} ms (longest slice ${Math.round(peer.searchIndex.longestSliceMs)} ms)`),
          (err: unknown) => logger.warn(`could not build the search index: ${String(err)}`),
        );
      } else logger.debug(`search index: ${drafts + published} entries, built at the first search`);
      log.historyReady().then(
        () => logger.debug(`history index ready in ${Math.round(performance.now() - started)} ms`),
        (err: unknown) => logger.warn(`could not build the history index: ${String(err)}`),
      );
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

  /** After start: Automerge warmed up on the newest entry's shard, so opening an entry does not pay WebAssembly's first-load cost. */
  private warmShards(sharded: ShardedSpace): void {
    sharded.warmUp().catch((err: unknown) => {
      if (!this.closed) this.logger.warn(`could not warm Automerge up: ${String(err)}`);
    });
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

  /** The spaces of this device's data folder, this one counted live (see spaces.ts). */
  listSpaces(): Promise<SpaceListing[]> {
    return listSpaces(this.folder.root, this.logger, { id: this.space.id, entries: () => this.log.counts().drafts + this.log.counts().published });
  }

  /** Renames this device: on the entries it writes from now on, and for the peers (announced at once). */
  async setDisplayName(name: string): Promise<void> {
    const cleaned = cleanDisplayName(name);
    if (cleaned === '') throw new InvalidInputError('a display name needs at least one visible character');
    this.log.setAuthor({ name: cleaned, device: (await this.folder.setDisplayName(cleaned)).deviceId });
    this.network.setDisplayName(cleaned);
  }

  /** Writes `ids` (default: every draft and published entry) as markdown files into `dir` (see markdown-transfer.ts). */
  exportMarkdown(dir: string, ids?: readonly EntryId[]): Promise<ExportReport> {
    return exportMarkdown(this.log, dir, ids);
  }

  /** Creates a draft from each markdown file in `dir`, reporting every file skipped and why. */
  importMarkdown(dir: string, onProgress?: (progress: ImportProgress) => void): Promise<ImportReport> {
    return importMarkdown(this.log, dir, this.logger.child('import'), { onProgress });
  }

  /** Stops the network, saves peer addresses, flushes and closes the stores (releasing the locks). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.savePeersTimer);
    clearTimeout(this.warmTimer);
    this.early?.stop();
    this.searchIndex.dispose();
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
