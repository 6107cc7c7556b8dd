/**
 * Owns the workspace's SpacePeer: starts it in the background, creates/joins/leaves the space,
 * restarts it on configuration changes, and turns the engine's core events into VS Code events.
 * Every lifecycle operation runs one after another (a queue), so a restart never races a start.
 */
import * as vscode from 'vscode';
import { SharedNotesError } from '../core/errors.js';
import { problemText } from '../core/text.js';
import type { EntryId } from '../core/ids.js';
import type { EntriesChanged, NoteLog } from '../core/note-log.js';
import type { Logger } from '../core/ports.js';
import type { SpacePeer, SpacePeerInit } from '../engine/space-peer.js';
import { hasSpace } from '../engine/data-dir.js';
import type { PeerPresence } from '../engine/types.js';
import { settingsAction, type PeerSettings, type SettingsAction } from './settings.js';
import type { NodeSnapshot, Phase } from './status.js';

/** A command that needs a space ran while there is none (or the node is not running). */
export class NoSpaceError extends SharedNotesError {}
/** Create/Join while the workspace already has a space: one space per workspace. */
export class SpaceExistsError extends SharedNotesError {}

export interface ControllerComponents {
  /** The data folder (created private, mode 0700, on first use: see engine/data-dir.ts). */
  dataDir: string;
  logger: Logger;
  settings: () => PeerSettings;
}

/** Which entries changed; `undefined` means "anything may have changed" (after a start or leave). */
export type EntriesChange = readonly EntryId[] | undefined;

const STATE_EVENT_THROTTLE_MS = 100;
/** Local changes (live typing writes one every ~50 ms) reach the views at most this often. */
const LOCAL_CHANGE_THROTTLE_MS = 500;
/** A peer's changes (its live typing arrives every ~50 ms) reach the views at most this often. */
const REMOTE_VIEW_THROTTLE_MS = 250;

export class SpaceController implements vscode.Disposable {
  private readonly stateEmitter = new vscode.EventEmitter<NodeSnapshot>();
  private readonly entriesEmitter = new vscode.EventEmitter<EntriesChange>();
  /** The node's phase, space and peers changed (throttled). */
  readonly onDidChangeState = this.stateEmitter.event;
  /** Entries changed, here or at a peer (for views: a peer's live typing arrives batched). */
  readonly onDidChangeEntries = this.entriesEmitter.event;
  private readonly liveEmitter = new vscode.EventEmitter<EntriesChange>();
  /** Entries changed, at once (open documents follow a peer's typing character by character). */
  readonly onDidChangeEntriesNow = this.liveEmitter.event;
  private readonly presenceEmitter = new vscode.EventEmitter<readonly PeerPresence[]>();
  /** Who has which entry open, or where their cursors are, changed (not throttled: cursors move). */
  readonly onDidChangePresence = this.presenceEmitter.event;

  private peer: SpacePeer | undefined;
  /** The settings the last start used (or tried to use). */
  private applied: PeerSettings | undefined;
  private phase: Phase = 'starting';
  private error: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private detach: (() => void)[] = [];
  private stateTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  /** Changes (ours and peers') not yet passed on to the views (`undefined` in it: anything may have changed). */
  private readonly viewIds = new Set<EntryId | undefined>();
  private viewTimer: ReturnType<typeof setTimeout> | undefined;
  private lastViewFire = -Infinity;

  constructor(private readonly components: ControllerComponents) {}

  get snapshot(): NodeSnapshot {
    const peer = this.peer;
    if (!peer || this.phase !== 'running') {
      return { phase: this.phase, error: this.error, peers: [], summary: { connected: 0, inSync: 0, syncing: 0 } };
    }
    const offlineSince = peer.network.offlineSince();
    const running: NodeSnapshot = { phase: 'running', spaceName: peer.space.name, peers: peer.network.peers(), summary: peer.network.summary() };
    return offlineSince !== undefined ? { ...running, offlineSince } : running;
  }

  /** The running peer, if any. */
  get current(): SpacePeer | undefined {
    return this.phase === 'running' ? this.peer : undefined;
  }

  /** The running peer, or a NoSpaceError that tells the user what to do. */
  requirePeer(): SpacePeer {
    if (this.peer && this.phase === 'running') return this.peer;
    if (this.phase === 'starting') throw new NoSpaceError('the space is still opening; try again in a moment');
    if (this.phase === 'error') throw new NoSpaceError(`the space could not be opened (${this.error ?? 'see the log'})`);
    throw new NoSpaceError('this workspace has no space yet: create one or join with an invite');
  }

  /**
   * Runs a note log operation on the running peer. The views hear of what it changed from the
   * log's own `changed` event (see `entriesChanged`), like every other change.
   */
  async mutate<T>(op: (log: NoteLog) => Promise<T>): Promise<T> {
    return op(this.requirePeer().log);
  }

  /** Opens the workspace's space if it has one; otherwise waits (phase `no-space`) for create/join. */
  start(): Promise<void> {
    return this.enqueue(async () => {
      await this.open({});
    });
  }

  createSpace(name: string): Promise<SpacePeer> {
    return this.enqueue(async () => {
      this.assertNoSpace();
      return this.open({ newSpace: name });
    }) as Promise<SpacePeer>;
  }

  join(invite: string): Promise<SpacePeer> {
    return this.enqueue(async () => {
      this.assertNoSpace();
      return this.open({ join: invite });
    }) as Promise<SpacePeer>;
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      if (this.phase === 'no-space') return; // nothing runs; the settings apply at the next start
      await this.close();
      await this.open({});
    });
  }

  /** Stops the node and moves the space's folder aside (`left-<id>-<time>`); nothing is deleted. */
  leave(): Promise<string> {
    return this.enqueue(async () => {
      const peer = this.requirePeer();
      await this.close();
      const movedTo = await peer.folder.leaveSpace(peer.space.id);
      this.components.logger.info(`left space "${peer.space.name}"; its data is kept in ${movedTo}`);
      this.setPhase('no-space');
      this.fireEntries(undefined);
      return movedTo;
    }) as Promise<string>;
  }

  /**
   * After a configuration change: restarts the node when a network setting changed, renames this
   * device live when only the display name did, and does nothing when no value differs
   * (settingsAction). Queued like every lifecycle step, so a burst of changes restarts once.
   */
  applySettings(): Promise<SettingsAction> {
    return this.enqueue(async () => {
      const next = this.components.settings();
      const action = settingsAction(this.phase, this.applied, next);
      const { logger } = this.components;
      if (action === 'restart') {
        logger.info(`network settings changed: restarting the node (listen ${next.listen.join(' ')}; mDNS ${next.mdns ? 'on' : 'off'}; ${next.bootstrap.length} bootstrap peers)`);
        await this.close();
        await this.open({});
      } else if (action === 'rename') {
        await this.requirePeer().setDisplayName(next.displayName);
        this.applied = next;
        logger.info(`display name is now "${next.displayName}"; told ${this.requirePeer().network.summary().connected} connected peers`);
      }
      return action;
    });
  }

  /** Stops the node and closes the stores; what `deactivate()` returns. */
  stop(): Promise<void> {
    return this.enqueue(() => this.close());
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.stateTimer);
    clearTimeout(this.viewTimer);
    void this.stop();
    this.stateEmitter.dispose();
    this.entriesEmitter.dispose();
    this.liveEmitter.dispose();
    this.presenceEmitter.dispose();
  }

  private async open(extra: Pick<SpacePeerInit, 'newSpace' | 'join'>): Promise<SpacePeer | undefined> {
    const { logger, dataDir } = this.components;
    this.error = undefined;
    this.setPhase('starting');
    const started = performance.now();
    try {
      if (extra.newSpace === undefined && extra.join === undefined) {
        if (!(await hasSpace(dataDir, logger))) {
          logger.info(`no space in ${dataDir} yet; waiting for Create Space or Join Space`);
          this.setPhase('no-space');
          return undefined;
        }
      }
      // Loaded on first use: the engine (libp2p, Automerge's WASM) stays out of activation time.
      const { SpacePeer } = await import('../engine/space-peer.js');
      const settings = this.components.settings();
      this.applied = settings;
      const peer = await SpacePeer.start({
        dataDir,
        logger,
        displayName: settings.displayName,
        listen: settings.listen,
        bootstrap: settings.bootstrap,
        alwaysOn: settings.alwaysOn, // dialed at start, and listed in the invites this device gives
        mdns: settings.mdns,
        ...extra,
      });
      if (this.disposed) {
        await peer.close();
        return undefined;
      }
      this.attach(peer);
      this.setPhase('running');
      logger.info(
        `space "${peer.space.name}" (${peer.space.id}) ${extra.join !== undefined ? 'joined' : peer.created ? 'created' : 'opened'} in ` +
          `${Math.round(performance.now() - started)} ms; peer id ${peer.network.peerId}, listening on ${peer.network.addresses().join(', ') || '(nothing)'}`,
      );
      for (const problem of peer.log.problems) logger.warn(`store recovery: ${problemText(problem)}`);
      this.fireEntries(undefined);
      return peer;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      // A bad invite leaves nothing behind (back to the welcome); a space that exists but failed to open is an error.
      const exists = await hasSpace(dataDir, logger).catch((probe: unknown) => {
        logger.debug(`cannot list spaces in ${dataDir}: ${String(probe)}`);
        return true; // unreadable: report the error rather than offering to create a second space
      });
      this.setPhase(exists ? 'error' : 'no-space');
      throw err;
    }
  }

  private attach(peer: SpacePeer): void {
    this.peer = peer;
    this.detach = [
      peer.log.events.on('changed', (change) => this.entriesChanged(change)),
      peer.network.events.on('peer', () => this.scheduleState()),
      peer.network.events.on('summary', () => this.scheduleState()),
      peer.network.events.on('presence', (list) => {
        if (!this.disposed) this.presenceEmitter.fire(list);
      }),
      peer.events.on('invite-unreachable', ({ message }) => {
        if (!this.disposed) void vscode.window.showWarningMessage(`Shared Notes: ${message}. It keeps trying in the background.`);
      }),
    ];
  }

  /**
   * The log's one change event, for every origin. Open documents hear of it at once (a peer's typing
   * shows character by character); views at most every REMOTE_VIEW_THROTTLE_MS for a peer's changes
   * and LOCAL_CHANGE_THROTTLE_MS for ours, so that live typing does not re-list the whole space on
   * every keystroke. Both hear of it after the operation that made it, never from inside it.
   */
  private entriesChanged(change: EntriesChanged): void {
    if (this.disposed) return;
    const ids = change.ids.length > 0 ? change.ids : undefined;
    setTimeout(() => {
      if (!this.disposed) this.liveEmitter.fire(ids);
    }, 0);
    if (ids) for (const id of ids) this.viewIds.add(id);
    else this.viewIds.add(undefined);
    if (this.viewTimer) return;
    const throttleMs = change.origin === 'local' ? LOCAL_CHANGE_THROTTLE_MS : REMOTE_VIEW_THROTTLE_MS;
    const wait = Math.max(0, this.lastViewFire + throttleMs - performance.now());
    this.viewTimer = setTimeout(() => {
      this.viewTimer = undefined;
      this.lastViewFire = performance.now();
      const all = this.viewIds.has(undefined);
      const pending = [...this.viewIds].filter((id): id is EntryId => id !== undefined);
      this.viewIds.clear();
      if (!this.disposed) this.entriesEmitter.fire(all ? undefined : pending);
    }, wait);
  }

  /** Open documents and views at once (a start, a leave). */
  private fireEntries(ids: EntriesChange): void {
    this.liveEmitter.fire(ids);
    this.entriesEmitter.fire(ids);
  }

  private async close(): Promise<void> {
    const peer = this.peer;
    if (!peer) return;
    for (const off of this.detach) off();
    this.detach = [];
    this.peer = undefined;
    this.setPhase('stopped');
    await peer.close();
    this.components.logger.info(`space "${peer.space.name}" closed`);
  }

  private assertNoSpace(): void {
    if (this.peer) throw new SpaceExistsError(`this workspace already has the space "${this.peer.space.name}"; leave it first`);
  }

  private enqueue<T>(step: () => Promise<T>): Promise<T> {
    const run = this.queue.then(step, step);
    this.queue = run.catch(() => undefined); // the caller gets the failure; the queue goes on
    return run;
  }

  private setPhase(phase: Phase): void {
    this.phase = phase;
    void vscode.commands.executeCommand('setContext', 'sharedNotes.state', phase);
    clearTimeout(this.stateTimer);
    this.stateTimer = undefined;
    if (!this.disposed) this.stateEmitter.fire(this.snapshot);
  }

  /** Peer events come in bursts during a sync; views refresh at most every 100 ms. */
  private scheduleState(): void {
    if (this.stateTimer || this.disposed) return;
    this.stateTimer = setTimeout(() => {
      this.stateTimer = undefined;
      if (!this.disposed) this.stateEmitter.fire(this.snapshot);
    }, STATE_EVENT_THROTTLE_MS);
  }
}
