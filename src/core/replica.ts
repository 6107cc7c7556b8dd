import * as A from '@automerge/automerge';
import { COMPACT_AFTER_RECORDS, MAX_CHANGE_BYTES, MAX_SNAPSHOT_BYTES } from './constants.js';
import { Emitter } from './emitter.js';
import { InvalidPeerDataError, StoreReadError, StoreWriteError } from './errors.js';
import { GENESIS_CHANGE_BASE64 } from './genesis.js';
import type { LogStore, Logger, StoreProblem } from './ports.js';

export type Heads = string[];

export interface ReplicaEvents {
  /** A change made here, already durable; the network layer publishes it. */
  'local-change': Uint8Array;
  /** Changes from a peer that were new here, already applied (and stored, unless the disk failed).
   *  After a whole-document snapshot `changes` is empty and `snapshot` holds how many there were. */
  'remote-changes': { changes: Uint8Array[]; from: string; snapshot?: number };
  /** Compaction replaced the document by a rebuilt one (its change history is new). */
  rebuilt: { changes: number };
}

/** A change made here: its bytes (none when nothing changed), the version it made, its durability. */
export interface MadeChange {
  readonly change?: Uint8Array;
  readonly heads: Heads;
  readonly durable: Promise<void>;
}

export interface ReplicaInit<T = unknown> {
  name: string;
  logger: Logger;
  compactAfterRecords?: number;
  clock?: () => number;
  /**
   * Compaction may replace the document by a smaller one holding the same state (the local log
   * rebuilds itself from its live drafts, forgetting published ones). Undefined: keep it whole.
   */
  rebuild?: (doc: A.Doc<T>) => A.Doc<T> | undefined;
}

let genesisBytes: Uint8Array | undefined;
/** The change every space document starts from (see scripts/make-genesis.mjs). */
export function genesisChange(): Uint8Array {
  return (genesisBytes ??= Uint8Array.from(atob(GENESIS_CHANGE_BASE64), (c) => c.charCodeAt(0)));
}

let genesisHashValue: string | undefined;
/** True for the heads of a document that holds the genesis change and nothing else. */
export function isGenesisOnly(heads: readonly string[]): boolean {
  genesisHashValue ??= A.decodeChange(genesisChange()).hash;
  return heads.length === 1 && heads[0] === genesisHashValue;
}

/**
 * One Automerge document kept durably in a LogStore: every change is appended to the store before
 * the call that made it returns. The document's change history is the operation log.
 */
export class Replica<T> {
  readonly events = new Emitter<ReplicaEvents>();
  private current: A.Doc<T>;
  private unsaved: Uint8Array[] = [];
  private recordsSinceSnapshot: number;
  private compacting: Promise<void> | undefined;
  private readonly compactAfter: number;
  /** Typed loosely on purpose: a Replica<SpaceDoc> is used where a Replica<unknown> is expected. */
  private readonly rebuild: ((doc: never) => unknown) | undefined;
  private readonly logger: Logger;
  private readonly name: string;

  private constructor(
    private readonly store: LogStore,
    doc: A.Doc<T>,
    recordsSinceSnapshot: number,
    init: ReplicaInit<T>,
  ) {
    this.current = doc;
    this.recordsSinceSnapshot = recordsSinceSnapshot;
    this.compactAfter = init.compactAfterRecords ?? COMPACT_AFTER_RECORDS;
    this.rebuild = init.rebuild;
    this.logger = init.logger;
    this.name = init.name;
  }

  /** Loads the store. Problems found on disk are returned so the front end can tell the user. */
  static async open<T>(store: LogStore, init: ReplicaInit<T>): Promise<{ replica: Replica<T>; problems: StoreProblem[] }> {
    const loaded = await store.load();
    let doc: A.Doc<T>;
    try {
      doc = loaded.snapshot ? A.load<T>(loaded.snapshot) : A.init<T>();
    } catch (err) {
      throw new StoreReadError(`the ${init.name} snapshot passed its checksum but does not load: ${String(err)}`, { cause: err });
    }
    doc = applyEach(doc, [genesisChange(), ...loaded.records], (index, err) => {
      init.logger.warn(`${init.name}: skipped stored record ${index} that does not apply: ${String(err)}`);
    });
    for (const p of loaded.problems) init.logger.warn(`${init.name}: ${p.kind} in ${p.file}: ${p.detail}${p.movedTo ? ` (kept as ${p.movedTo})` : ''}`);
    const replica = new Replica<T>(store, doc, loaded.records.length, init);
    replica.maybeCompact();
    return { replica, problems: loaded.problems };
  }

  get doc(): A.Doc<T> {
    return this.current;
  }

  heads(): Heads {
    return A.getHeads(this.current);
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
          A.decodeChange(change);
          valid.push(change);
        } catch (err) {
          refused.push(`undecodable change: ${String(err)}`);
        }
      }
    }
    const before = A.getHeads(this.current);
    if (valid.length > 0) {
      this.current = applyEach(this.current, valid, (_i, err) => refused.push(`change does not apply: ${String(err)}`));
    }
    const { fresh, durable } = this.storeSince(before, from);
    return { fresh, refused, durable };
  }

  generateSyncMessage(state: A.SyncState): [A.SyncState, Uint8Array | null] {
    return A.generateSyncMessage(this.current, state);
  }

  /** Runs one incoming Automerge sync message; new changes are stored before this resolves.
   *  Returns the new sync state and how many changes were new here. */
  async receiveSyncMessage(state: A.SyncState, message: Uint8Array, from: string): Promise<{ state: A.SyncState; applied: number }> {
    const before = A.getHeads(this.current);
    let next: A.Doc<T>;
    let nextState: A.SyncState;
    try {
      [next, nextState] = A.receiveSyncMessage(this.current, state, message);
    } catch (err) {
      [next, nextState] = this.receiveSyncMessageChangeByChange(state, message, from, err);
    }
    this.current = next;
    const { fresh, durable } = this.storeSince(before, from);
    await durable;
    return { state: nextState, applied: fresh };
  }

  /**
   * Takes a whole document from a peer (Automerge.save bytes), for a replica that is still empty:
   * one load and one snapshot write instead of applying and appending every change. If changes
   * were made here meanwhile, the two are merged instead. Returns how many changes were new.
   */
  async adoptSnapshot(bytes: Uint8Array, from: string): Promise<number> {
    if (bytes.byteLength > MAX_SNAPSHOT_BYTES) throw new InvalidPeerDataError(`snapshot of ${bytes.byteLength} bytes from ${from} is over the limit`);
    let loaded: A.Doc<T>;
    try {
      loaded = A.load<T>(bytes);
    } catch (err) {
      throw new InvalidPeerDataError(`snapshot from ${from} does not load: ${String(err)}`, { cause: err });
    }
    genesisHashValue ??= A.decodeChange(genesisChange()).hash;
    if (!A.hasHeads(loaded, [genesisHashValue])) throw new InvalidPeerDataError(`snapshot from ${from} is not a document of this kind (no genesis change)`);
    const before = this.heads();
    if (!isGenesisOnly(before) || this.unsaved.length > 0) {
      this.current = A.merge(this.current, loaded);
      const { fresh, durable } = this.storeSince(before, from);
      await durable;
      return fresh;
    }
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

  /**
   * A sync message that decodes but whose changes do not all apply: typically a member wrote two
   * different changes under one actor and sequence number and gave them to different peers, and
   * the peer relaying one of them is not at fault. Apply the changes that do apply, one at a time,
   * refuse the rest (logged), and let the sync state take the rest of the message, so everything
   * else keeps syncing. A message that does not decode at all is the sender's fault.
   */
  private receiveSyncMessageChangeByChange(state: A.SyncState, message: Uint8Array, from: string, cause: unknown): [A.Doc<T>, A.SyncState] {
    let decoded: A.DecodedSyncMessage;
    try {
      decoded = A.decodeSyncMessage(message);
    } catch (err) {
      throw new InvalidPeerDataError(`sync message from ${from} does not decode: ${String(err)}`, { cause: err });
    }
    if (decoded.changes.length === 0) throw new InvalidPeerDataError(`sync message from ${from} does not apply: ${String(cause)}`, { cause });
    const refused: string[] = [];
    const doc = applyEach(this.current, decoded.changes, (_i, err) => refused.push(String(err)));
    try {
      const [nextDoc, nextState] = A.receiveSyncMessage(doc, state, A.encodeSyncMessage({ ...decoded, changes: [] }));
      if (refused.length > 0) this.logger.warn(`${this.name}: refused ${refused.length} change(s) relayed by ${from} that conflict with ours (${refused[0]}); the rest applied`);
      return [nextDoc, nextState];
    } catch (err) {
      // The changes that applied are kept (and stored by the caller); the sync state stays as it was.
      this.logger.warn(`${this.name}: sync message from ${from} applied in part: ${String(err)}`);
      return [doc, state];
    }
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

/** Applies changes in one batch; if the batch fails, one at a time so that good ones still land. */
function applyEach<T>(doc: A.Doc<T>, changes: readonly Uint8Array[], onBad: (index: number, err: unknown) => void): A.Doc<T> {
  try {
    return A.applyChanges(doc, changes as Uint8Array[])[0];
  } catch {
    let current = doc;
    changes.forEach((change, index) => {
      try {
        current = A.applyChanges(current, [change])[0];
      } catch (err) {
        onBad(index, err);
      }
    });
    return current;
  }
}
