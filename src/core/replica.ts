import * as A from '@automerge/automerge';
import { COMPACT_AFTER_RECORDS, MAX_CHANGE_BYTES, MAX_SNAPSHOT_BYTES } from './constants.js';
import { measureChunks } from './decoded-size.js';
import { Emitter } from './emitter.js';
import { concat } from './bytes.js';
import { InvalidPeerDataError, ReplicaReloadingError, StoreWriteError } from './errors.js';
import { measureChange, measureSyncMessage, receiveChangeByChange, SNAPSHOT_LIMITS, yieldToEventLoop } from './peer-input.js';
import type { LogStore, Logger, StoreProblem } from './ports.js';
import { applyEach, genesisDoc, genesisHash, isAutomergePanic, isGenesisOnly, loadStoredDocument } from './stored-document.js';
import type { Heads, MadeChange, ReplicaEvents, ReplicaInit } from './replica-types.js';

export { genesisChange, isGenesisOnly } from './stored-document.js';

export type { Heads, MadeChange, ReplicaEvents, ReplicaInit } from './replica-types.js';

/**
 * One Automerge document kept durably in a LogStore: every change is appended to the store before
 * the call that made it returns. The document's change history is the operation log.
 */
export class Replica<T> {
  readonly events = new Emitter<ReplicaEvents>();
  /** The document; undefined while it is the genesis alone and nothing has needed it yet (`pristine`). */
  private held: A.Doc<T> | undefined;
  private unsaved: Uint8Array[] = [];
  private recordsSinceSnapshot: number;
  private compacting: Promise<void> | undefined;
  private reloading: Promise<void> | undefined;
  /** Changes stored while a reload reads the store (it may not see them): applied after it. */
  private storedDuringReload: Uint8Array[] = [];
  private readonly compactAfter: number;
  /** Typed loosely on purpose: a Replica<SpaceDoc> is used where a Replica<unknown> is expected. */
  private readonly rebuild: ((doc: never) => unknown) | undefined;
  private readonly logger: Logger;
  private readonly name: string;

  private constructor(
    private readonly store: LogStore,
    doc: A.Doc<T> | undefined,
    recordsSinceSnapshot: number,
    init: ReplicaInit<T>,
  ) {
    this.held = doc;
    this.recordsSinceSnapshot = recordsSinceSnapshot;
    this.compactAfter = init.compactAfterRecords ?? COMPACT_AFTER_RECORDS;
    this.rebuild = init.rebuild;
    this.logger = init.logger;
    this.name = init.name;
  }

  /** Loads the store (quarantining what cannot be used). Problems found on disk are returned so the front end can tell the user. */
  static async open<T>(store: LogStore, init: ReplicaInit<T>): Promise<{ replica: Replica<T>; problems: StoreProblem[] }> {
    const stored = await loadStoredDocument<T>(store, init.name, init.logger);
    const replica = new Replica<T>(store, stored.doc, stored.records, init);
    replica.maybeCompact();
    return { replica, problems: stored.problems };
  }

  get doc(): A.Doc<T> {
    return this.current;
  }

  /**
   * True while the document is the genesis alone and has not been built in memory: a local log
   * with no draft opens without building it (its 4,370 empty bucket maps cost 150–450 ms of a
   * start, docs/BENCHMARKS.md); readers that would only find nothing in it ask this first.
   */
  get pristine(): boolean {
    return this.held === undefined;
  }

  heads(): Heads {
    return this.held === undefined ? [genesisHash()] : A.getHeads(this.held);
  }

  private get current(): A.Doc<T> {
    return (this.held ??= genesisDoc<T>());
  }

  private set current(doc: A.Doc<T>) {
    this.held = doc;
  }

  /**
   * Makes one change with `message` (the operation record) and resolves once it is durable.
   * Returns the change bytes, or undefined when `fn` changed nothing.
   */
  async change(message: string, fn: A.ChangeFn<T>): Promise<Uint8Array | undefined> {
    const made = this.changeNow(message, fn);
    await made.durable;
    return made.change;
  }

  /**
   * `change`, applied in memory before this returns (so a caller can read the result at once);
   * `durable` settles when it is stored (it rejects with StoreWriteError, the change staying
   * in memory for the next write). `heads` are the document's heads after it.
   */
  changeNow(message: string, fn: A.ChangeFn<T>): MadeChange {
    const next = A.change(this.current, { message, time: Math.floor(Date.now() / 1000) }, fn);
    const made = this.commit(next);
    return { ...made, heads: this.heads() };
  }

  /**
   * A change made as if at `base` (heads this document holds): what `fn` changes is relative to
   * the document as it was then, and Automerge merges it with everything that arrived since. A
   * text diff applied at the version an editor loaded therefore never undoes newer text. `heads`
   * are the version the editor's copy now corresponds to: `base` plus this change, nothing else.
   */
  changeAtNow(base: Heads, message: string, fn: A.ChangeFn<T>): MadeChange {
    const result = A.changeAt(this.current, base, { message, time: Math.floor(Date.now() / 1000) }, fn);
    const made = this.commit(result.newDoc);
    return { ...made, heads: made.change && result.newHeads ? result.newHeads : [...base] };
  }

  /** Changes in the document (cheap: Automerge keeps the count). */
  changeCount(): number {
    return A.stats(this.doc).numChanges;
  }

  /** True when the document holds every change of `heads`. */
  hasHeads(heads: Heads): boolean {
    return heads.length > 0 && A.hasHeads(this.current, heads);
  }

  private commit(next: A.Doc<T>): { change?: Uint8Array; durable: Promise<void> } {
    if (next === this.current) return { durable: Promise.resolve() };
    this.current = next;
    const change = A.getLastLocalChange(next);
    if (!change) return { durable: Promise.resolve() };
    const durable = this.persist([change]);
    durable.catch(() => undefined); // the caller awaits it; persist has logged the failure
    // Peers get it while it is being written: a crash before the write completes loses nothing
    // that was acknowledged (this call has not resolved), and a peer that has it gives it back.
    this.events.emit('local-change', change);
    return { change, durable };
  }

  /** Applies changes from a peer; resolves once the new ones are durable. Returns how many were new.
   *  Malformed ones are refused (InvalidPeerDataError, after the good ones are stored). */
  async applyRemoteChanges(changes: readonly Uint8Array[], from: string): Promise<number> {
    const accepted = this.acceptRemoteChanges(changes, from);
    await accepted.durable;
    if (accepted.refused.length > 0) throw new InvalidPeerDataError(`refused ${accepted.refused.length} change(s) from ${from}: ${accepted.refused[0]}`);
    return accepted.fresh;
  }

  /**
   * Applies changes from a peer in memory at once and tells listeners; `durable` settles when they
   * are on disk (it rejects with StoreWriteError, the changes staying in memory for the next write).
   * Gossip relays a change as soon as it applied: its author and the peer it came from hold it durably.
   */
  acceptRemoteChanges(changes: readonly Uint8Array[], from: string): { fresh: number; refused: string[]; durable: Promise<void> } {
    const valid: Uint8Array[] = [];
    const refused: string[] = [];
    for (const change of changes) {
      if (change.byteLength > MAX_CHANGE_BYTES) refused.push(`change of ${change.byteLength} bytes over the limit`);
      else {
        try {
          measureChange(change); // decoded size first: decodeChange itself would build every op
          A.decodeChange(change);
          valid.push(change);
        } catch (err) {
          refused.push(err instanceof InvalidPeerDataError ? err.message : `undecodable change: ${String(err)}`);
        }
      }
    }
    return this.guarded(from, () => {
      const before = A.getHeads(this.current);
      if (valid.length > 0) {
        this.current = applyEach(this.current, valid, (_i, err) => {
          if (isAutomergePanic(err)) throw err;
          refused.push(`change does not apply: ${String(err)}`);
        });
      }
      const { fresh, durable } = this.storeSince(before, from);
      return { fresh, refused, durable };
    });
  }

  generateSyncMessage(state: A.SyncState): [A.SyncState, Uint8Array | null] {
    return A.generateSyncMessage(this.current, state);
  }

  /**
   * Runs one incoming Automerge sync message; new changes are stored before this resolves.
   * What it carries is measured first (decoded size, InvalidPeerDataError over the limits); a large
   * catch-up is applied in slices of about APPLY_SLICE_OPS ops, yielding to the event loop between
   * them, and then the rest of the message (heads, needs, haves) goes through Automerge.
   * Returns the new sync state and how many changes were new here.
   */
  async receiveSyncMessage(state: A.SyncState, message: Uint8Array, from: string): Promise<{ state: A.SyncState; applied: number }> {
    const measured = measureSyncMessage(message, from);
    if (measured.slices.length <= 1) {
      const { nextState, fresh, durable } = this.guarded(from, () => {
        const before = A.getHeads(this.current);
        let next: A.Doc<T>;
        let nextState: A.SyncState;
        try {
          [next, nextState] = A.receiveSyncMessage(this.current, state, message);
        } catch (err) {
          if (isAutomergePanic(err)) throw err;
          [next, nextState] = receiveChangeByChange(this.current, state, measured.decoded, { from, cause: err, logger: this.logger, name: this.name });
        }
        this.current = next;
        return { nextState, ...this.storeSince(before, from) };
      });
      await durable;
      return { state: nextState, applied: fresh };
    }
    let applied = 0;
    const writes: Promise<void>[] = [];
    for (const slice of measured.slices) {
      const { fresh, durable } = this.guarded(from, () => {
        const before = A.getHeads(this.current);
        try {
          this.current = A.loadIncremental(this.current, concat(slice));
        } catch (err) {
          if (isAutomergePanic(err)) throw err;
          this.current = applyEach(this.current, slice, (_i, e) => this.logger.warn(`${this.name}: refused a change relayed by ${from}: ${String(e)}`));
        }
        return this.storeSince(before, from);
      });
      applied += fresh;
      writes.push(durable);
      await yieldToEventLoop();
    }
    await Promise.all(writes);
    const rest = A.encodeSyncMessage({ ...measured.decoded, changes: [] });
    const [next, nextState] = this.guarded(from, () => A.receiveSyncMessage(this.current, state, rest));
    this.current = next;
    return { state: nextState, applied };
  }

  /**
   * Takes a whole document from a peer (Automerge.save bytes), for a replica that holds nothing but
   * the genesis change: one load and one snapshot write instead of applying and appending every
   * change. The bytes are measured (decoded size), loaded and checked for the genesis change before
   * anything is adopted. Returns how many changes were new, or undefined when this replica is no
   * longer empty (a change was made here meanwhile, or another peer's snapshot came first): then
   * the snapshot is dropped and ordinary sync carries the rest (the sender is not at fault).
   */
  async adoptSnapshot(bytes: Uint8Array, from: string): Promise<number | undefined> {
    if (bytes.byteLength > MAX_SNAPSHOT_BYTES) throw new InvalidPeerDataError(`snapshot of ${bytes.byteLength} bytes from ${from} is over the limit`);
    if (!this.isEmpty()) return undefined;
    measureChunks(bytes, SNAPSHOT_LIMITS);
    let loaded: A.Doc<T>;
    try {
      loaded = A.load<T>(bytes);
    } catch (err) {
      throw new InvalidPeerDataError(`snapshot from ${from} does not load: ${String(err)}`, { cause: err });
    }
    if (!A.hasHeads(loaded, [genesisHash()])) throw new InvalidPeerDataError(`snapshot from ${from} is not a document of this kind (no genesis change)`);
    if (!this.isEmpty()) return undefined;
    this.current = loaded;
    const count = Math.max(0, A.stats(loaded).numChanges - 1);
    try {
      // The peer's bytes loaded, so they are a valid document: they become our snapshot as they are.
      await this.store.compact(bytes);
      this.recordsSinceSnapshot = 0;
    } catch (err) {
      // In memory either way; keep it all for the next write (compaction is retried by count).
      this.unsaved = A.getAllChanges(loaded).slice(1);
      this.logger.error(`could not save a snapshot of ${count} change(s): ${String(err)}`);
      throw err instanceof StoreWriteError ? err : new StoreWriteError(`could not save: ${String(err)}`, { cause: err });
    } finally {
      this.events.emit('remote-changes', { changes: [], from, snapshot: count });
    }
    return count;
  }

  /** Holds nothing but the genesis change, and has nothing waiting to be written. */
  isEmpty(): boolean {
    return isGenesisOnly(this.heads()) && this.unsaved.length === 0 && !this.reloading;
  }

  /**
   * Runs `fn`, which applies a peer's data to the document. If Automerge panics (a crafted change
   * that passed every check corrupted the document in memory: `MissingOps`), the document is
   * reloaded from the store, which never received that change, and the peer's data is refused.
   */
  private guarded<R>(from: string, fn: () => R): R {
    if (this.reloading) throw new ReplicaReloadingError('the document is being reloaded after an Automerge failure; try again shortly');
    try {
      return fn();
    } catch (err) {
      if (!isAutomergePanic(err)) throw err;
      const reason = `a change from ${from} made Automerge fail (${String(err)})`;
      this.logger.error(`${this.name}: ${reason}; refused it, reloading the document from disk`);
      void this.reload(reason);
      throw new InvalidPeerDataError(`${reason}; it was refused`, { cause: err });
    }
  }

  /** Replaces the (corrupt) document by what the store holds plus what is still unwritten. */
  private reload(reason: string): Promise<void> {
    this.reloading ??= (async () => {
      try {
        const stored = await loadStoredDocument<T>(this.store, this.name, this.logger);
        const since = [...this.storedDuringReload.splice(0), ...this.unsaved];
        this.held = since.length > 0 ? applyEach(stored.doc ?? genesisDoc<T>(), since, () => undefined) : stored.doc;
        this.recordsSinceSnapshot = stored.records;
        this.logger.info(`${this.name}: reloaded from disk after an Automerge failure`);
        this.events.emit('reloaded', { reason });
      } catch (err) {
        this.logger.error(`${this.name}: could not reload the document from disk: ${String(err)}`);
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  /** Resolves once a reload after an Automerge failure (if any) is over. */
  async settled(): Promise<void> {
    await this.reloading;
  }

  /** Metadata of every change (hash, deps, actor, message), without decoding any op. */
  changesMeta(): A.ChangeMetadata[] {
    return A.getChangesMetaSince(this.current, []);
  }

  /** The metadata of the changes after `heads`, or undefined when this document does not hold them. */
  changesMetaSince(heads: readonly string[]): A.ChangeMetadata[] | undefined {
    if (heads.length === 0 || !A.hasHeads(this.current, [...heads])) return undefined;
    return A.getChangesMetaSince(this.current, [...heads]);
  }

  /** All changes in the document, oldest first (for history and benchmarks). */
  allChanges(): Uint8Array[] {
    return A.getAllChanges(this.current);
  }

  save(): Uint8Array {
    return A.save(this.current);
  }

  /** Writes a snapshot now (also runs by itself every `compactAfterRecords` records). */
  async compact(): Promise<void> {
    if (this.compacting) return this.compacting;
    this.compacting = (async () => {
      try {
        const rebuilt = (this.rebuild as ReplicaInit<T>['rebuild'])?.(this.current);
        if (rebuilt !== undefined) {
          // Same state, new history: unsaved old changes are covered by the new snapshot.
          this.current = rebuilt;
          this.unsaved = [];
          this.events.emit('rebuilt', { changes: A.getAllChanges(rebuilt).length });
        }
        await this.store.compact(A.save(this.current));
        this.recordsSinceSnapshot = 0;
      } finally {
        this.compacting = undefined;
      }
    })();
    return this.compacting;
  }

  /** Retries unsaved changes, then closes the store. */
  async close(): Promise<void> {
    try {
      if (this.unsaved.length > 0) await this.persist([]);
      if (this.compacting) await this.compacting;
    } finally {
      await this.store.close();
    }
  }

  /** Starts storing the changes applied since `before` and tells listeners now: they are in the document. */
  private storeSince(before: Heads, from: string): { fresh: number; durable: Promise<void> } {
    const fresh = A.getChangesSince(this.current, before);
    if (fresh.length === 0) return { fresh: 0, durable: Promise.resolve() };
    const durable = this.persist(fresh);
    durable.catch(() => undefined); // the caller awaits it; persist has logged the failure
    this.events.emit('remote-changes', { changes: fresh, from });
    return { fresh: fresh.length, durable };
  }

  private async persist(changes: Uint8Array[]): Promise<void> {
    if (this.reloading) this.storedDuringReload.push(...changes);
    const batch = this.unsaved.length > 0 ? [...this.unsaved, ...changes] : changes;
    try {
      await this.store.append(batch);
      this.unsaved = [];
    } catch (err) {
      // Keep the changes in memory and retry them with the next write; nothing is dropped.
      this.unsaved = batch;
      this.logger.error(`could not save ${batch.length} change(s): ${String(err)}`);
      throw err instanceof StoreWriteError ? err : new StoreWriteError(`could not save: ${String(err)}`, { cause: err });
    }
    this.recordsSinceSnapshot += batch.length;
    this.maybeCompact();
  }

  private maybeCompact(): void {
    if (this.recordsSinceSnapshot < this.compactAfter || this.compacting) return;
    this.compact().catch((err: unknown) => this.logger.warn(`compaction failed, will retry later: ${String(err)}`));
  }
}
