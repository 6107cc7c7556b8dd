/**
 * ShardedSpace: the shared log of a space as 4,096 shard documents plus a persisted read index
 * (design: docs/SHARDING-PLAN.md). The list comes from the index alone; a shard is loaded only to
 * open or change one of its entries (an LRU keeps a few dozen); a change from a peer to a shard
 * that is not loaded updates the index from the decoded change and is appended to the shard's log
 * without loading it whenever that is sound (row-from-change.ts). NoteLog reads and writes it (sharded-shared.ts).
 *
 * Durability: a change is in its shard's log (fsync) before `durable` resolves; the index journal
 * is written after, without fsync. At start `recover` compares every shard log with what the index
 * recorded and re-indexes, one shard at a time, only those that differ.
 */
import * as A from '@automerge/automerge';
import { concat } from '../bytes.js';
import { Emitter } from '../emitter.js';
import { readEntry, type EntryRead } from '../entry.js';
import { InvalidPeerDataError } from '../errors.js';
import { isEntryId, type EntryId } from '../ids.js';
import { measureChange } from '../peer-input.js';
import type { Logger } from '../ports.js';
import { assertChangeInShard, assertDocInShard } from './change-scope.js';
import { IndexFormatError, ShardNotLoadedError } from './errors.js';
import type { HeadsDigest } from './heads-digest.js';
import type { IndexRow } from './index-rows.js';
import type { IndexStore, ShardFileState, ShardStore } from './ports.js';
import { readStoredIndex, ReadIndex, type ListClass, type LoadedIndex } from './read-index.js';
import { rowsFromChange } from './row-from-change.js';
import { ShardCache } from './shard-cache.js';
import { ShardWrites } from './shard-writes.js';
import { loadShard, rowOfEntry, rowsOfShard } from './shard-doc.js';
import { emptyShard, isShardGenesisOnly, rawShardEntry, SHARD_GENESIS_HEADS, shardOf, type ShardDoc, type ShardId } from './shard-layout.js';
import { SpaceIndex } from './space-index.js';
import { KeyedChain } from '../keyed-chain.js';

/** Bytes of the index file read for the first screen (~500 rows of realistic titles). */
export const FIRST_SCREEN_BYTES = 64 * 1024;
/** Shards held in memory at most. At 100k entries a shard holds ~24 entries (~1–2 MB of WASM heap). */
export const DEFAULT_SHARD_CACHE = 32;
/** A loaded shard whose log holds this many chunks is compacted into one saved document: a load
 *  costs per change (~0.26 ms each, RESULTS.md of the spike), a saved document loads in one go. */
export const DEFAULT_COMPACT_AFTER_CHUNKS = 64;

export interface ShardedSpaceComponents {
  readonly shards: ShardStore;
  readonly index: IndexStore;
  readonly logger: Logger;
}

export interface ShardedSpaceInit {
  readonly cacheSize?: number;
  readonly journalLimit?: number;
  readonly compactAfterChunks?: number;
  /** Automerge actor for this device's changes (hex); random when absent. */
  readonly actor?: string;
}

/**
 * A local change: applied in memory when returned; `durable` settles once its shard log holds it.
 * `heads` are the shard's heads after it; `own` the version a copy made at the change's base now
 * stands for (the base plus this change: equal to `heads` for a change made at the heads).
 */
export interface ShardChange {
  readonly change?: Uint8Array;
  readonly heads: readonly string[];
  readonly own: readonly string[];
  readonly durable: Promise<void>;
}

export type ReceiveResult = 'known' | 'indexed' | 'applied' | 'waiting';

export interface ShardedSpaceEvents {
  /** A change made here (its write started): the network gossips it. */
  'local-change': { shard: ShardId; change: Uint8Array };
  /** A peer's changes or shards were taken: the list may have changed. `changes` when they were
   *  taken one by one (a whole shard adopted has none: everything in it may be new). */
  'remote-changes': { shards: ShardId[]; changes?: Uint8Array[] };
}

export class ShardedSpace {
  readonly events = new Emitter<ShardedSpaceEvents>();
  private readonly cache: ShardCache;
  /** The read index: the list, the shard heads and their digest, the journal. */
  private readonly index: SpaceIndex;
  /** Writes to the shard logs: tracked, and kept when they fail (shard-writes.ts). */
  private readonly writes: ShardWrites;
  /** Chunks in the log of each shard loaded so far (counted at load, then per append). */
  private readonly chunkCounts = new Map<ShardId, number>();
  private readonly compactAfter: number;
  /** Each shard's peer changes, taken one after the other (see `receive`). */
  private readonly receiving = new KeyedChain<ShardId>();

  private constructor(
    private readonly c: ShardedSpaceComponents,
    index: ReadIndex,
    journalRecords: number,
    private readonly init: ShardedSpaceInit,
  ) {
    this.index = new SpaceIndex(c.index, index, journalRecords, init.journalLimit);
    this.compactAfter = init.compactAfterChunks ?? DEFAULT_COMPACT_AFTER_CHUNKS;
    // Changes held after a failed write are journaled with the shard's rows as listed now: their
    // own records never reached the journal (their writes failed), so heads alone would leave a
    // reopened index claiming them without their rows.
    this.writes = new ShardWrites(c.shards, c.logger, (shard, file) =>
      this.index.record({ shard, state: { ...file, heads: this.shardState(shard).heads }, rows: this.index.rowsOf(shard), replace: true }),
    );
    this.cache = new ShardCache(init.cacheSize ?? DEFAULT_SHARD_CACHE, (shard) => this.loadFromStore(shard));
  }

  /** The first `rows` list rows from the first bytes of the stored index (undefined: no usable index). */
  static async firstScreen(index: IndexStore, rows = 50): Promise<IndexRow[] | undefined> {
    const prefix = await index.readPrefix(FIRST_SCREEN_BYTES);
    if (prefix === undefined) return undefined;
    try {
      return ReadIndex.firstRows(prefix, rows);
    } catch (err) {
      if (err instanceof IndexFormatError) return undefined;
      throw err;
    }
  }

  /**
   * Opens the space over its stored index (`loaded`: the index already read, e.g. to show the list
   * before Automerge was imported). A damaged index starts empty: `recover` rebuilds it.
   */
  static async open(components: ShardedSpaceComponents, init: ShardedSpaceInit = {}, loaded?: LoadedIndex): Promise<ShardedSpace> {
    const { index, journalRecords } = loaded ?? (await readStoredIndex(components.index, components.logger));
    return new ShardedSpace(components, index, journalRecords, init);
  }

  /** Every list row, newest first (tombstones and invalid entries included: filter by `state`). */
  rows(where?: (c: ListClass) => boolean): Generator<IndexRow> {
    return this.index.rows(where);
  }

  /** How many rows of each list class there are (read-index.ts). */
  listCounts(): Readonly<Record<ListClass, number>> {
    return this.index.listCounts();
  }

  page(n: number): IndexRow[] {
    return this.index.page(n);
  }

  /** The shards whose log holds anything beyond the genesis, as the index knows them. */
  shardsWithRows(): ShardId[] {
    return [...this.index.shards().keys()];
  }

  /** The list rows of one shard (from the index; no load). */
  rowsOf(shard: ShardId): IndexRow[] {
    return this.index.rowsOf(shard);
  }

  /** Entry `id`'s list row (from the index; no load). */
  row(id: EntryId): IndexRow | undefined {
    return this.index.row(id);
  }

  /** What the index holds for `shard`: its log's file state and heads. */
  shardState(shard: ShardId): { file: ShardFileState; heads: readonly string[] } {
    return this.index.shardState(shard);
  }

  /** The digest tree of every shard's heads (what the sync layer compares first), kept current. */
  headsDigest(): HeadsDigest {
    return this.index.headsDigest();
  }

  get loadedShards(): number {
    return this.cache.size;
  }

  get cacheStats(): { loads: number; evictions: number } {
    return { loads: this.cache.loads, evictions: this.cache.evictions };
  }

  /**
   * Pays the first Automerge load of the process (the WebAssembly warm-up: 0.2–1.3 s measured,
   * which a tiny document does not absorb) after the list is shown, on a real shard: the one of
   * the newest entry, kept in the cache since it is the likeliest to be opened.
   */
  async warmUp(): Promise<void> {
    this.headsDigest(); // what the first sync compares, built before a peer asks
    const newest = this.index.page(1)[0];
    if (newest !== undefined && isEntryId(newest.id)) await this.cache.get(shardOf(newest.id));
    else A.free(A.load(A.save(emptyShard())));
  }

  /**
   * Re-indexes every shard whose log differs from what the index recorded (a crash between a log
   * write and its journal record, a lost index), loading one shard at a time and freeing it.
   */
  async recover(): Promise<{ checked: number; reindexed: ShardId[] }> {
    const files = await this.c.shards.states();
    const changed: ShardId[] = [];
    for (const [shard, file] of files) {
      const known = this.index.shards().get(shard);
      // Size alone decides: a log only grows (appends) or is rewritten by a compaction, which
      // keeps its heads; a torn append cut back to the recorded size is the recorded state again.
      // (Modification times would re-index every shard of a copied or restored folder.)
      if (known === undefined || known.size !== file.size) changed.push(shard);
    }
    for (const [shard, known] of this.index.shards()) if (!files.has(shard) && known.size !== 0) changed.push(shard);
    for (const shard of changed) await this.reindex(shard);
    if (changed.length > 0) this.c.logger.info(`re-indexed ${changed.length} shard(s) whose log changed since the index was written`);
    return { checked: files.size, reindexed: changed };
  }

  /** The entry as stored (loads its shard). Undefined when no shard holds it. */
  async read(id: EntryId): Promise<EntryRead | undefined> {
    const doc = await this.cache.get(shardOf(id));
    const raw = rawShardEntry(doc, id);
    return raw === undefined ? undefined : readEntry(id, raw, 'shared');
  }

  /** Loads entry `id`'s shard and keeps it in memory until the returned function is called. */
  async hold(id: EntryId): Promise<() => void> {
    const shard = shardOf(id);
    const release = this.cache.hold(shard);
    try {
      await this.cache.get(shard);
    } catch (err) {
      release();
      throw err;
    }
    return release;
  }

  /** Loads the shards of `ids` (for synchronous reads right after; an unheld shard may be evicted later). */
  async load(ids: Iterable<EntryId>): Promise<void> {
    await Promise.all([...new Set([...ids].map(shardOf))].map((shard) => this.cache.get(shard)));
  }

  /** Entry `id`'s shard document if it is in memory (marks it used). */
  loaded(id: EntryId): A.Doc<ShardDoc> | undefined {
    return this.cache.peek(shardOf(id));
  }

  /** Entry `id`'s shard document, which must be in memory (`load` or `hold` first). */
  docOf(id: EntryId): A.Doc<ShardDoc> {
    const doc = this.cache.peek(shardOf(id));
    if (doc === undefined) throw new ShardNotLoadedError(`the shard of entry ${id} is not loaded`);
    return doc;
  }

  /**
   * A local change to entry `id` (`fn` gets the shard document, as Automerge's change does). The document and the list row
   * change before this returns; `durable` resolves once the change is in the shard's log.
   */
  async change(id: EntryId, message: string, fn: (doc: ShardDoc) => void): Promise<ShardChange> {
    await this.cache.get(shardOf(id));
    return this.changeNow(id, message, fn);
  }

  /**
   * `change` on a shard in memory, synchronously (live typing). With `base` (heads the shard
   * holds) the change is made as if there, and Automerge merges it with what came since.
   */
  changeNow(id: EntryId, message: string, fn: (doc: ShardDoc) => void, base?: readonly string[]): ShardChange {
    const shard = shardOf(id);
    const doc = this.docOf(id);
    const options = { message, time: Math.floor(Date.now() / 1000) };
    let next: A.Doc<ShardDoc>;
    let own: readonly string[] | undefined;
    if (base === undefined) next = A.change(doc, options, fn);
    else {
      const result = A.changeAt(doc, [...base], options, fn);
      next = result.newDoc;
      own = result.newHeads ?? [...base];
    }
    if (next === doc) return { heads: A.getHeads(doc), own: own ?? A.getHeads(doc), durable: Promise.resolve() };
    const change = A.getLastLocalChange(next)!;
    const heads = A.getHeads(next);
    const row = rowOfEntry(next, id);
    this.cache.set(shard, next);
    const rows = row ? [row] : [];
    this.index.apply({ shard, state: { ...this.shardState(shard).file, heads }, rows, replace: false });
    // Durable once written, and once changes an earlier write could not store are written too.
    const durable = this.writes.track(this.writes.append(shard, [change]).then(async (file) => void (await Promise.all([this.index.record({ shard, state: { ...file, heads }, rows, replace: false }), this.writes.retry()]))));
    durable.catch(() => undefined); // the caller awaits it
    this.countAppend(shard, next);
    this.events.emit('local-change', { shard, change });
    return { change, heads, own: own ?? heads, durable };
  }

  /**
   * A change from a peer for `shard` (bounded before it is decoded). A shard in memory applies it;
   * otherwise the index is updated from the decoded change and the change appended to the log,
   * unless only a load can tell what it does. Resolves once the shard log holds it.
   *
   * One shard's changes are taken one after the other: a change taken without a load is checked
   * against the indexed heads, which follow it only once it is written, so two taken at once were
   * both checked against the same heads. Two changes by one actor with one sequence number (a
   * member sending different peers different versions) were then both written and both relayed,
   * and honest members that each kept one struck each other for the other when they synced.
   */
  receive(shard: ShardId, change: Uint8Array): Promise<ReceiveResult> {
    return this.receiving.run(shard, () => this.receiveNow(shard, change));
  }

  private async receiveNow(shard: ShardId, change: Uint8Array): Promise<ReceiveResult> {
    measureChange(change);
    const decoded = A.decodeChange(change);
    assertChangeInShard(shard, decoded);
    if (this.cache.peek(shard) === undefined) {
      const state = this.shardState(shard);
      const fast = rowsFromChange(shard, decoded, state.heads, () => this.index.rowsOf(shard));
      if (fast.kind === 'known') return 'known';
      if (fast.kind === 'rows') {
        // The index changes once the log holds the change, so it never claims heads the log lacks;
        // unless the write fails (a full disk): then the change is kept and listed, and written later.
        let file: ShardFileState;
        try {
          file = await this.writes.append(shard, [change]);
        } catch (err) {
          this.index.apply({ shard, state: { ...state.file, heads: fast.heads }, rows: fast.rows, replace: false });
          throw err;
        }
        await this.index.record({ shard, state: { ...file, heads: fast.heads }, rows: fast.rows, replace: false });
        this.events.emit('remote-changes', { shards: [shard], changes: [change] });
        return 'indexed';
      }
      this.c.logger.debug(`shard ${shard}: loaded to apply a change (${fast.reason})`);
    }
    const doc = await this.cache.get(shard);
    const hash = decoded.hash;
    if (A.hasHeads(doc, [hash])) return 'known';
    // Not applied while a change it depends on is missing (Automerge would hold it unchecked): sync brings both.
    if (!A.hasHeads(doc, decoded.deps)) return 'waiting';
    let next: A.Doc<ShardDoc>;
    try {
      next = A.applyChanges(doc, [change])[0];
    } catch (err) {
      // Automerge may have failed half way (a panic): the shard is read again from its log.
      this.cache.delete(shard);
      this.c.logger.warn(`shard ${shard}: a peer's change made Automerge fail (${String(err).slice(0, 200)}); the shard is read again from its log`);
      throw new InvalidPeerDataError(`a change for shard ${shard} does not apply: ${String(err)}`, { cause: err });
    }
    this.cache.set(shard, next);
    if (!A.hasHeads(next, [hash])) return 'waiting'; // its dependencies are missing: sync brings them
    await this.storeTaken(shard, next, [change]);
    return 'applied';
  }

  /**
   * The shard as one blob a peer that holds only its genesis can take whole (`adoptSaved`): the
   * saved document when it is loaded here, otherwise its stored log as it is, without loading it
   * (chunks that load with the genesis in front: a saved document and the changes after it).
   */
  async savedShard(shard: ShardId): Promise<Uint8Array> {
    const doc = this.cache.peek(shard);
    if (doc !== undefined) return A.save(doc);
    const { chunks } = await this.c.shards.read(shard);
    return chunks.length === 1 ? chunks[0]! : concat(chunks);
  }

  /**
   * The shard's document (loads it): read-only for the caller, e.g. to generate sync messages
   * (a document to adopt is derived with `adoptFrom`).
   */
  shardDoc(shard: ShardId): Promise<A.Doc<ShardDoc>> {
    return this.cache.get(shard);
  }

  /**
   * `adopt(shard, derive(doc))` on the shard's current document, with no await between reading it
   * and adopting what `derive` made of it (a local change in that gap would be lost from memory).
   */
  async adoptFrom(shard: ShardId, derive: (doc: A.Doc<ShardDoc>) => A.Doc<ShardDoc>): Promise<number> {
    for (;;) {
      await this.cache.get(shard);
      const doc = this.cache.peek(shard); // undefined only if evicted since: load it again
      if (doc === undefined) continue;
      let next: A.Doc<ShardDoc>;
      try {
        next = derive(doc);
      } catch (err) {
        this.cache.delete(shard); // Automerge may have failed half way: the shard is read again from its log
        throw err;
      }
      return this.adopt(shard, next);
    }
  }

  /**
   * Adopts `next`, the shard's document after applying what a peer sent (a sync message): the
   * changes it gained are appended to the shard log, its rows re-read. Resolves once durable.
   */
  async adopt(shard: ShardId, next: A.Doc<ShardDoc>): Promise<number> {
    const before = this.shardState(shard).heads;
    const decoded = A.getChangesSince(next, [...before])
      .map((bytes) => ({ bytes, change: A.decodeChange(bytes) }))
      .filter(({ change }) => !before.includes(change.hash));
    const gained = decoded.map((d) => d.bytes);
    try {
      for (const { change } of decoded) assertChangeInShard(shard, change);
    } catch (err) {
      this.cache.delete(shard); // `next` shares the loaded document: dropped, the log (without them) loads again
      throw err;
    }
    this.cache.set(shard, next);
    if (gained.length === 0) return 0;
    await this.storeTaken(shard, next, gained);
    return gained.length;
  }

  /** A peer's saved shard, for a shard that holds only its genesis here: checked, stored, indexed. */
  async adoptSaved(shard: ShardId, saved: Uint8Array): Promise<void> {
    await this.adoptSavedMany([{ shard, saved }]);
  }

  /**
   * Peers' saved shards (distinct shards that hold only their genesis here), e.g. a turn of a cold
   * catch-up: each is loaded to check it and read its rows, then freed (a newcomer does not need
   * them in memory); all are written as one batch (`compactMany`), then indexed. Resolves once all
   * are durable; one that does not load refuses the whole batch before anything is written.
   */
  async adoptSavedMany(all: readonly { shard: ShardId; saved: Uint8Array }[]): Promise<void> {
    // A shard written here since the peer was told it held only the genesis is not replaced (that
    // would drop the local change): the next sync brings the peer's part change by change. Nothing
    // below awaits before the batch is handed to the store, so no local change slips in between.
    const items = all.filter(({ shard }) => isShardGenesisOnly(this.shardState(shard).heads));
    if (items.length < all.length) this.c.logger.debug(`${all.length - items.length} saved shard(s) not taken: written here meanwhile`);
    const checked = items.map(({ shard, saved }) => {
      const { doc, bad } = loadShard([saved], this.init.actor);
      try {
        if (bad > 0 || !A.hasHeads(doc, [...SHARD_GENESIS_HEADS])) throw new InvalidPeerDataError(`a saved shard ${shard} that does not load or lacks the shard genesis`);
        assertDocInShard(shard, doc);
        return { shard, heads: A.getHeads(doc), rows: rowsOfShard(shard, doc) };
      } finally {
        A.free(doc);
      }
    });
    const before = new Map(checked.map(({ shard }) => [shard, this.shardState(shard).file]));
    for (const { shard, heads, rows } of checked) {
      this.cache.delete(shard); // a load of the genesis-only shard, now outdated
      this.chunkCounts.set(shard, 1);
      // Listed at once (a newcomer's list fills while the writes run); the journal follows the fsyncs.
      this.index.apply({ shard, state: { ...this.shardState(shard).file, heads }, rows, replace: true });
    }
    // Stored as received: it loaded (with the genesis, as every load has it), so it is a saved shard.
    // The writes are queued before anyone hears of the shards: a load a listener starts (the search
    // index reading them) is queued after them, so it reads the shards as adopted. (Told first, a
    // load read the genesis-only file, and its document stayed cached while the index listed the
    // adopted heads: the digest said in sync and the entries never showed.)
    const writing = this.writes.track(this.c.shards.compactMany(items));
    this.events.emit('remote-changes', { shards: checked.map((c) => c.shard) });
    let files: ShardFileState[];
    try {
      files = await writing;
    } catch (err) {
      // Not stored (a full disk): the shards are listed as held only in their genesis again, so
      // the digest says so and the next sync brings them back; never claimed without a log.
      for (const { shard } of checked) {
        this.cache.delete(shard);
        this.index.apply({ shard, state: { ...before.get(shard)!, heads: [...SHARD_GENESIS_HEADS] }, rows: [], replace: true });
      }
      this.events.emit('remote-changes', { shards: checked.map((c) => c.shard) });
      throw err;
    }
    await this.index.record(...checked.map(({ shard, heads, rows }, k) => ({ shard, state: { ...files[k]!, heads }, rows, replace: true })));
  }

  /** Writes the index file with the journal folded in (also at close). */
  compactIndex(): Promise<void> {
    return this.index.compact();
  }

  async close(): Promise<void> {
    await this.writes.settled();
    await this.index.close();
    this.cache.clear();
    await this.c.shards.close();
  }

  /**
   * A peer's `changes`, which made the loaded shard `next`: listed at once (its rows re-read),
   * appended to the shard log, journaled once written. Resolves once durable.
   */
  private async storeTaken(shard: ShardId, next: A.Doc<ShardDoc>, changes: readonly Uint8Array[]): Promise<void> {
    const heads = A.getHeads(next);
    const rows = rowsOfShard(shard, next);
    this.index.apply({ shard, state: { ...this.shardState(shard).file, heads }, rows, replace: true });
    const appended = this.writes.append(shard, changes);
    for (let k = 0; k < changes.length; k++) this.countAppend(shard, next);
    this.events.emit('remote-changes', { shards: [shard], changes: [...changes] });
    await this.index.record({ shard, state: { ...(await appended), heads }, rows, replace: true });
  }

  private async reindex(shard: ShardId): Promise<void> {
    const stored = await this.c.shards.read(shard);
    const { doc, bad } = loadShard(stored.chunks);
    if (bad > 0) this.c.logger.warn(`shard ${shard}: ${bad} stored chunk(s) could not be used; peers bring the rest back`);
    const rows = rowsOfShard(shard, doc);
    const heads = A.getHeads(doc);
    A.free(doc); // loaded only to index it (a cached copy of the shard, if any, stays)
    await this.index.record({ shard, state: { ...stored.file, heads }, rows, replace: true });
  }

  private async loadFromStore(shard: ShardId): Promise<A.Doc<ShardDoc>> {
    const stored = await this.c.shards.read(shard);
    const held = this.writes.held(shard);
    const { doc, bad } = loadShard(held.length > 0 ? [...stored.chunks, ...held] : stored.chunks, this.init.actor);
    if (bad > 0) this.c.logger.warn(`shard ${shard}: ${bad} stored chunk(s) could not be used; peers bring the rest back`);
    this.chunkCounts.set(shard, stored.chunks.length);
    // A log repaired on this first read (damage cut out) holds less than the index said: the index
    // follows the log, so the digest tells peers what is missing and a sync brings it back.
    const heads = A.getHeads(doc);
    if (!sameHeadSet(heads, this.shardState(shard).heads)) {
      this.c.logger.warn(`shard ${shard}: its log holds other changes than the index recorded; listed again from the log`);
      await this.index.record({ shard, state: { ...stored.file, heads }, rows: rowsOfShard(shard, doc), replace: true });
    }
    if (stored.chunks.length >= this.compactAfter) this.compactShard(shard, doc);
    return doc;
  }

  private countAppend(shard: ShardId, doc: A.Doc<ShardDoc>): void {
    const count = (this.chunkCounts.get(shard) ?? 0) + 1;
    this.chunkCounts.set(shard, count);
    if (count >= this.compactAfter) this.compactShard(shard, doc);
  }

  /**
   * Replaces the shard's log by one saved document. Called right after the last append was issued:
   * the store runs it after that append, and `doc` holds every change appended before.
   */
  private compactShard(shard: ShardId, doc: A.Doc<ShardDoc>): void {
    this.chunkCounts.set(shard, 1);
    const heads = A.getHeads(doc);
    const done = this.c.shards.compact(shard, A.save(doc)).then((file) => this.index.record({ shard, state: { ...file, heads }, rows: [], replace: false }));
    void this.writes.track(done).catch((err: unknown) => this.c.logger.warn(`shard ${shard}: compaction failed (${String(err)}); its log stays as it is`));
  }
}

const sameHeadSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((h) => b.includes(h));
