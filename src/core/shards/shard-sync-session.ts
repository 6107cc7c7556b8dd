/**
 * One sharded sync conversation with one peer (issue 13), transport-free: what to say in each
 * turn and what to do with each message the peer sends. The network layer (net/shard-sync-protocol)
 * frames the turns. Pure apart from the space's own storage.
 *
 * The conversation, in turns that strictly alternate (the initiator speaks first):
 * 1. Roots (32 bytes each). Equal roots: every shard's heads are equal, and two quiet turns end
 *    the conversation at once (the in-sync check is one round trip of ~70 bytes).
 * 2. Otherwise the 64 group digests, then the 64 shard digests of each group that differs. Both
 *    sides then know the same list of differing shards, and which side holds only a shard's genesis.
 * 3. Per shard, in a window of a few shards at a time (load, sync, let the LRU free it: a cold
 *    catch-up never holds every shard): the saved shard to a peer that holds only its genesis
 *    (shard-sync.ts `nextShardMessage`), otherwise the Automerge sync protocol on that shard. A side
 *    that holds only the genesis of a shard the peer has leaves it to the peer (it waits for the
 *    saved shard rather than asking for it change by change). A shard leaves the window when this
 *    side has nothing more to say about it; a message from the peer about any shard is answered.
 * 4. A turn with nothing but the current root is quiet; a quiet turn answered by a quiet turn ends
 *    the conversation, and both sides know whether the roots they ended on are equal (`inSync`).
 *
 * Bounds: what a message may hold is checked by the codec (shard-sync-codec.ts) and by its decoded
 * size where it is applied (shard-sync.ts, shard-doc.ts); a saved shard is taken only for a shard
 * this side told the peer holds only its genesis; the transport bounds frames, turns and time.
 */
import { sameBytes } from '../bytes.js';
import { InvalidPeerDataError } from '../errors.js';
import { ConflictingChangeError } from './errors.js';
import { isEntryId, type EntryId } from '../ids.js';
import { digestAt, GROUP_SIZE, shardDigest } from './heads-digest.js';
import type { ShardedSpace } from './sharded-space.js';
import { shardNumber } from './shard-id.js';
import { SHARD_GENESIS_HEADS, shardOf, type ShardId } from './shard-layout.js';
import type { SyncWireMessage } from './shard-sync-codec.js';
import { nextShardMessage, receiveShardMessage, ShardSyncStates } from './shard-sync.js';

/** Shards this side works on at once (each loaded while in the window; the shard cache holds 32). */
export const SHARD_SYNC_WINDOW = 8;
/** Saved shards sent in one turn, besides the window (a cold catch-up moves ~4,096 of them). */
export const SAVED_BYTES_PER_TURN = 1024 * 1024;

/** Saved shards adopted as one batch (loaded one by one, written together, each folder fsynced once). */
const SAVED_BATCH = 64;

/** Batches of saved shards still being written while the conversation goes on (then it waits). */
const SAVED_BATCHES_IN_FLIGHT = 4;

/** Rows of a first screen: their shards go out first in a cold catch-up. */
const FIRST_SCREEN_ROWS = 50;

/** Saved shards adopted at once (loaded, indexed, written and fsynced concurrently). */
const ADOPTING_AT_ONCE = 16;

const GENESIS_DIGEST = shardDigest(SHARD_GENESIS_HEADS);

export interface ShardSyncProgress {
  /** Shards found to differ (grows while the digests arrive). */
  readonly differing: number;
  /** Of those, shards this side is done with (in the window and out again, or taken whole). */
  readonly done: number;
  readonly savedIn: number;
  readonly savedOut: number;
  readonly messagesIn: number;
  readonly messagesOut: number;
}

export class ShardSyncSession {
  private readonly states = new ShardSyncStates();
  private sentGroups = false;
  private peerRoot: Uint8Array | undefined;
  private peerGroups: Uint8Array | undefined;
  /** Shard digests of each group as this side sent them (what a saved shard is checked against). */
  private readonly sentShardDigests = new Map<number, Uint8Array>();
  /** Groups whose shard digests the peer sent (each is compared once). */
  private readonly comparedGroups = new Set<number>();
  /** Differing shards this side still has to start on, in order, and those it works on. */
  private readonly queue: ShardId[] = [];
  /** Differing shards the peer holds only the genesis of: they go out saved. */
  private readonly savedQueue: ShardId[] = [];
  private readonly active = new Set<ShardId>();
  /** Shards where the peer holds another version of a change held here (ConflictingChangeError): left out. */
  private readonly conflicted = new Set<ShardId>();
  /** Shards the peer's last turn spoke about: answered in this side's next turn. */
  private touched = new Set<ShardId>();
  private differing = 0;
  private done = 0;
  private savedIn = 0;
  private savedOut = 0;
  private messagesIn = 0;
  private messagesOut = 0;
  private lastTurnQuiet = false;
  private peerTurnQuiet = false;
  private peerSaidMore = false;
  private readonly adopting = new Map<ShardId, Promise<void>>();
  /** Saved shards received and not yet handed to the space, and the batches being adopted. */
  private readonly savedBatch: { shard: ShardId; saved: Uint8Array }[] = [];
  private readonly savedAdopting: Promise<void>[] = [];
  /** Shards whose saved copy is being adopted, and by which batch. */
  private readonly savedInFlight = new Map<ShardId, Promise<void>>();
  private prioritized = false;
  private readonly readAhead = new Map<ShardId, Promise<Uint8Array>>();

  /** Told of each shard left out because the peer holds another version of a change (to log it). */
  onConflict: ((err: ConflictingChangeError) => void) | undefined;

  constructor(
    private readonly space: ShardedSpace,
    private readonly window = SHARD_SYNC_WINDOW,
  ) {}

  /** What this side says in its turn (never empty: a quiet turn carries the root). */
  async nextTurn(): Promise<SyncWireMessage[]> {
    const digest = this.space.headsDigest();
    const out: SyncWireMessage[] = [];
    if (this.peerRoot !== undefined && !sameBytes(this.peerRoot, digest.root) && !this.sentGroups) {
      out.push({ kind: 'groups', digests: digest.groupDigests() });
      this.sentGroups = true;
    }
    if (this.peerGroups !== undefined) {
      for (const g of digest.differingGroups(this.peerGroups)) {
        if (this.sentShardDigests.has(g)) continue;
        const digests = digest.shardDigests(g);
        this.sentShardDigests.set(g, digests);
        out.push({ kind: 'shards', group: g, digests });
      }
    }
    await this.shardMessages(out);
    this.readSavedAhead(out.filter((m) => m.kind === 'saved').length);
    const quiet = out.length === 0;
    // The root opens the conversation and closes it: every quiet turn carries it.
    if (quiet || this.messagesOut === 0) out.unshift({ kind: 'root', root: digest.root });
    this.lastTurnQuiet = quiet;
    this.messagesOut += out.length;
    return out;
  }

  /**
   * Answers every shard the peer spoke about and works on the window; saved shards (for shards the
   * peer holds only the genesis of) go out besides the window, up to SAVED_BYTES_PER_TURN.
   */
  private async shardMessages(out: SyncWireMessage[]): Promise<void> {
    const answer = this.touched;
    this.touched = new Set();
    let savedBytes = 0;
    let savedLimit = Infinity;
    if (!this.prioritized && this.savedQueue.length > 0) {
      // The shards of this side's first screen go first, alone in their turn: a newcomer's list
      // fills from the top before the rest arrives.
      this.prioritized = true;
      const first = new Set(this.space.page(FIRST_SCREEN_ROWS).filter((r) => isEntryId(r.id)).map((r) => shardOf(r.id as EntryId)));
      this.savedQueue.sort((x, y) => Number(first.has(y)) - Number(first.has(x)));
      savedLimit = Math.max(1, this.savedQueue.filter((shard) => first.has(shard)).length);
    }
    for (;;) {
      while (savedBytes < SAVED_BYTES_PER_TURN && savedLimit-- > 0 && this.savedQueue.length > 0) {
        const shard = this.savedQueue.shift()!;
        const ahead = this.readAhead.get(shard)?.catch(() => this.space.savedShard(shard));
        const message = await nextShardMessage(this.space, shard, this.states, true, ahead);
        this.readAhead.delete(shard);
        if (message?.kind === 'saved') {
          this.savedOut++;
          this.done++;
          savedBytes += message.bytes.length;
          out.push(message);
        } else {
          this.active.add(shard); // not saved after all (it was sent this session): sync it
        }
      }
      this.refill();
      const speak = [...new Set([...answer, ...this.active])].sort();
      answer.clear();
      let said = 0;
      for (const shard of speak) {
        const message = this.conflicted.has(shard) ? undefined : await nextShardMessage(this.space, shard, this.states, false);
        if (message === undefined) {
          if (this.active.delete(shard)) this.done++;
          continue;
        }
        out.push(message);
        said++;
      }
      if (said > 0 || savedBytes > 0 || (this.queue.length === 0 && this.savedQueue.length === 0)) return;
    }
  }

  /** Applies one message of the peer's turn (resolves once what it brought is durable). */
  async receive(message: SyncWireMessage): Promise<void> {
    this.messagesIn++;
    if (message.kind !== 'root') this.peerSaidMore = true;
    switch (message.kind) {
      case 'root':
        this.peerRoot = message.root;
        return;
      case 'groups':
        this.peerGroups = message.digests;
        return;
      case 'shards':
        this.compareGroup(message.group, message.digests);
        return;
      case 'saved':
        return this.receiveSaved(message.shard, message.bytes);
      case 'sync':
        if (this.conflicted.has(message.shard)) return;
        this.touched.add(message.shard);
        if (this.savedBatch.some((b) => b.shard === message.shard)) this.flushSaved();
        await this.savedInFlight.get(message.shard); // the shard's saved copy first
        return this.adopt(message.shard, () =>
          receiveShardMessage(this.space, this.states, message).catch((err: unknown) => {
            if (!(err instanceof ConflictingChangeError)) throw err;
            this.conflicted.add(message.shard);
            this.onConflict?.(err);
          }),
        );
    }
  }

  /** The peer's turn ended (it was quiet when it held nothing but its root); resolves once what it brought is durable. */
  async endPeerTurn(): Promise<void> {
    // Shards taken whole go on being written while this side speaks (a cold catch-up overlaps the
    // two sides' work); what sync messages brought is applied before this side answers about it.
    this.flushSaved();
    const applying = [...this.adopting.values()];
    this.adopting.clear();
    await Promise.all(applying);
    while (this.savedAdopting.length > SAVED_BATCHES_IN_FLIGHT) await this.savedAdopting.shift();
    this.peerTurnQuiet = !this.peerSaidMore;
    this.peerSaidMore = false;
  }

  /** Whether the conversation is over: after this side's quiet turn the peer answered quietly, or the reverse. */
  get finished(): boolean {
    return this.lastTurnQuiet && this.peerTurnQuiet;
  }

  /** Whether the peer's last root equals this side's root now: every shard's heads are equal. */
  inSync(): boolean {
    return this.peerRoot !== undefined && sameBytes(this.peerRoot, this.space.headsDigest().root);
  }

  progress(): ShardSyncProgress {
    return { differing: this.differing, done: this.done, savedIn: this.savedIn, savedOut: this.savedOut, messagesIn: this.messagesIn, messagesOut: this.messagesOut };
  }

  /**
   * Reads the next turn's saved shards while the peer takes this one (a cold catch-up alternates
   * between the two sides; this keeps the sender's disk reads off the receiver's wait).
   */
  private readSavedAhead(sentThisTurn: number): void {
    if (sentThisTurn === 0) return;
    for (const shard of this.savedQueue.slice(0, sentThisTurn)) {
      if (this.readAhead.has(shard)) continue;
      const bytes = this.space.savedShard(shard);
      bytes.catch(() => undefined); // a failed read is read again when the shard is sent (and fails there)
      this.readAhead.set(shard, bytes);
    }
  }

  private refill(): void {
    while (this.active.size < this.window && this.queue.length > 0) this.active.add(this.queue.shift()!);
  }

  private compareGroup(g: number, theirs: Uint8Array): void {
    if (this.comparedGroups.has(g)) return;
    this.comparedGroups.add(g);
    const digest = this.space.headsDigest();
    for (const shard of digest.differingShards(g, theirs)) {
      this.differing++;
      const peerHasGenesisOnly = sameBytes(digestAt(theirs, shardNumber(shard) % GROUP_SIZE), GENESIS_DIGEST);
      // Only the genesis here and more there: the peer sends the saved shard, unasked.
      if (sameBytes(digest.digestOf(shard), GENESIS_DIGEST) && !peerHasGenesisOnly) continue;
      (peerHasGenesisOnly ? this.savedQueue : this.queue).push(shard);
    }
  }

  private async receiveSaved(shard: ShardId, bytes: Uint8Array): Promise<void> {
    const told = this.sentShardDigests.get(Math.floor(shardNumber(shard) / GROUP_SIZE));
    if (told === undefined || !sameBytes(digestAt(told, shardNumber(shard) % GROUP_SIZE), GENESIS_DIGEST)) {
      throw new InvalidPeerDataError(`a saved shard ${shard} that was not asked for (this side never said it held only its genesis)`);
    }
    if (!sameBytes(this.space.headsDigest().digestOf(shard), GENESIS_DIGEST)) {
      // Written here since the digests were sent: sync it change by change instead.
      if (!this.active.has(shard) && !this.queue.includes(shard)) this.queue.unshift(shard);
      return;
    }
    if (this.savedInFlight.has(shard) || this.savedBatch.some((b) => b.shard === shard) || this.adopting.has(shard)) {
      throw new InvalidPeerDataError(`shard ${shard} sent whole while another message about it is being applied`);
    }
    this.states.restart(shard);
    this.savedBatch.push({ shard, saved: bytes });
    if (this.savedBatch.length >= SAVED_BATCH) this.flushSaved();
  }

  /** Adopts the saved shards received so far as one batch, while the rest of the turn is read. */
  private flushSaved(): void {
    const batch = this.savedBatch.splice(0);
    if (batch.length === 0) return;
    const adopting = this.space.adoptSavedMany(batch).then(() => {
      this.savedIn += batch.length;
      this.done += batch.length;
    });
    adopting.catch(() => undefined); // observed by settle()
    this.savedAdopting.push(adopting);
    for (const { shard } of batch) this.savedInFlight.set(shard, adopting);
    const forget = () => {
      for (const { shard } of batch) if (this.savedInFlight.get(shard) === adopting) this.savedInFlight.delete(shard);
    };
    adopting.then(forget, forget);
  }

  /** Resolves once everything taken in this conversation is durable (rejects with the first failure). */
  settled(): Promise<void> {
    return this.settle();
  }

  /**
   * Applies what a message brings concurrently with the rest of the turn (the writes and fsyncs of
   * different shards overlap), one at a time per shard, a few shards in flight; all of it is
   * awaited before this side speaks.
   */
  private async adopt(shard: ShardId, apply: () => Promise<void>): Promise<void> {
    const adopting = (this.adopting.get(shard) ?? Promise.resolve()).then(apply);
    adopting.catch(() => undefined); // observed by settle(); this only keeps it from counting as unhandled
    this.adopting.set(shard, adopting);
    if (this.adopting.size >= ADOPTING_AT_ONCE) await this.settle();
  }

  /** Waits for what the peer's messages brought to be durable (rejects with the first failure). */
  private async settle(): Promise<void> {
    this.flushSaved();
    const all = [...this.adopting.values(), ...this.savedAdopting.splice(0)];
    this.adopting.clear();
    await Promise.all(all);
  }
}
