import * as A from '@automerge/automerge';
import { MAX_SNAPSHOT_BYTES, SNAPSHOT_CHUNK_BYTES } from './constants.js';
import { concat } from './bytes.js';
import { InvalidPeerDataError } from './errors.js';
import { isGenesisOnly, type Heads, type Replica } from './replica.js';

/**
 * Frames of a sync session. An Automerge sync message starts with its own type byte (0x42 or
 * 0x43); a snapshot travels as chunks marked by a first byte that no sync message uses:
 *
 *   0x01 <bytes>   a chunk of `Automerge.save` output (at most SNAPSHOT_CHUNK_BYTES, 4 MiB), more follow
 *   0x02 <bytes>   the last chunk
 *
 * Each chunk is one turn of the conversation. A session sends a snapshot instead of sync messages
 * only when the peer's heads are the genesis change alone (a peer that just joined). The receiver
 * accepts one only as the answer to its own heads announcing the genesis alone, once per session
 * (otherwise: a strike); it checks the decoded size (MAX_SNAPSHOT_BYTES and the snapshot limits),
 * that it loads and that it holds the genesis change before adopting it (Replica.adoptSnapshot).
 * Both sides then restart their sync state and finish with ordinary sync messages.
 */
export const SNAPSHOT_CHUNK = 0x01;
export const SNAPSHOT_LAST_CHUNK = 0x02;

export interface SyncProgress {
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Changes that were new here, received in sync messages or a snapshot. */
  readonly changesIn: number;
  /** Changes the peer says it still needs from us / heads it has that we lack, as last seen. */
  readonly theirHeads: Heads | null;
  /** Whole-document snapshots sent to / received from this peer in this session. */
  readonly snapshotsOut: number;
  readonly snapshotsIn: number;
}

/**
 * The Automerge sync protocol with one peer (seed 002): call `next()` for the message to send
 * (null when there is nothing to say) and `receive()` for each message that arrives. The state is
 * in memory only: a new connection starts a new session, which is what the protocol expects.
 */
export class SyncSession<T = unknown> {
  private state: A.SyncState = A.initSyncState();
  private counters = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, changesIn: 0, snapshotsOut: 0, snapshotsIn: 0 };
  /** Snapshot chunks still to send, when the peer turned out to hold nothing but the genesis change. */
  private outgoing: Uint8Array[] = [];
  private snapshotOffered = false;
  /** We told the peer our heads while holding nothing but the genesis change: a snapshot may come. */
  private snapshotAsked = false;
  /** Snapshot chunks received so far. */
  private incoming: Uint8Array[] = [];
  private incomingBytes = 0;

  constructor(
    private readonly replica: Replica<T>,
    readonly peer: string,
    private readonly chunkBytes = SNAPSHOT_CHUNK_BYTES,
  ) {}

  /** The next message to send, or null when the peer already has everything we know it needs. */
  next(): Uint8Array | null {
    let message = this.outgoing.shift() ?? null;
    if (!message && this.incoming.length === 0) {
      [this.state, message] = this.replica.generateSyncMessage(this.state);
      if (message && this.counters.snapshotsIn === 0 && this.replica.isEmpty()) this.snapshotAsked = true;
    }
    if (message) {
      this.counters.messagesOut++;
      this.counters.bytesOut += message.byteLength;
    }
    return message;
  }

  /** Applies one message from the peer; rejects with InvalidPeerDataError for garbage. */
  async receive(message: Uint8Array): Promise<void> {
    this.counters.messagesIn++;
    this.counters.bytesIn += message.byteLength;
    const kind = message[0];
    if (kind === SNAPSHOT_CHUNK || kind === SNAPSHOT_LAST_CHUNK) {
      await this.receiveChunk(message, kind === SNAPSHOT_LAST_CHUNK);
      return;
    }
    if (this.incoming.length > 0) throw new InvalidPeerDataError(`${this.peer} broke off a snapshot with a sync message`);
    const { state, applied } = await this.replica.receiveSyncMessage(this.state, message, this.peer);
    this.state = state;
    this.counters.changesIn += applied;
    this.offerSnapshot();
  }

  /**
   * A peer that holds only the genesis change gets the whole document as a snapshot, in chunks
   * (each chunk is one turn, so frames stay small and both sides keep alternating), once per session.
   */
  private offerSnapshot(): void {
    const theirs = this.state.theirHeads;
    if (this.snapshotOffered || !theirs || !isGenesisOnly(theirs) || isGenesisOnly(this.replica.heads())) return;
    this.snapshotOffered = true;
    const bytes = this.replica.save();
    for (let offset = 0; offset < bytes.byteLength; offset += this.chunkBytes) {
      const end = Math.min(bytes.byteLength, offset + this.chunkBytes);
      const frame = new Uint8Array(1 + end - offset);
      frame[0] = end === bytes.byteLength ? SNAPSHOT_LAST_CHUNK : SNAPSHOT_CHUNK;
      frame.set(bytes.subarray(offset, end), 1);
      this.outgoing.push(frame);
    }
    this.counters.snapshotsOut++;
    // The peer's heads change behind our sync state's back: both sides start its bookkeeping afresh,
    // so each tells the other its new heads and in-sync is known at the end of this session.
    this.state = A.initSyncState();
  }

  /**
   * A snapshot is accepted only as the answer to our heads announcing nothing but the genesis
   * change, once per session; anything else is a strike (a member could otherwise make us load and
   * store whole documents at will). If a change was made here meanwhile, or another peer's snapshot
   * came first, the snapshot is dropped without blame and ordinary sync carries the rest.
   */
  private async receiveChunk(frame: Uint8Array, last: boolean): Promise<void> {
    if (this.incoming.length === 0 && !this.snapshotAsked) throw new InvalidPeerDataError(`${this.peer} sent a snapshot we did not ask for`);
    this.incomingBytes += frame.byteLength - 1;
    if (this.incomingBytes > MAX_SNAPSHOT_BYTES) throw new InvalidPeerDataError(`snapshot from ${this.peer} is over ${MAX_SNAPSHOT_BYTES} bytes`);
    this.incoming.push(frame.subarray(1));
    if (!last) return;
    const parts = this.incoming.splice(0);
    this.incomingBytes = 0;
    this.snapshotAsked = false;
    const adopted = await this.replica.adoptSnapshot(concat(parts), this.peer);
    this.counters.changesIn += adopted ?? 0;
    this.counters.snapshotsIn++;
    // Our heads changed behind the sync state's back: start its bookkeeping afresh.
    this.state = A.initSyncState();
  }

  /** Honest: true only when the peer's last announced heads are exactly ours. */
  inSync(): boolean {
    const theirs = this.state.theirHeads;
    if (!theirs) return false;
    return sameHeads(theirs, this.replica.heads());
  }

  progress(): SyncProgress {
    return { ...this.counters, theirHeads: this.state.theirHeads ? [...this.state.theirHeads] : null };
  }
}

export function sameHeads(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((h) => set.has(h));
}

