import * as A from '@automerge/automerge';
import type { Heads, Replica } from './replica.js';

export interface SyncProgress {
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Changes that were new here, received in sync messages (a whole-document chunk counts each change). */
  readonly changesIn: number;
  /** Changes the peer says it still needs from us / heads it has that we lack, as last seen. */
  readonly theirHeads: Heads | null;
}

/**
 * The Automerge sync protocol with one peer (seed 002): call `next()` for the message to send
 * (null when there is nothing to say) and `receive()` for each message that arrives. The state is
 * in memory only: a new connection starts a new session, which is what the protocol expects.
 */
export class SyncSession<T = unknown> {
  private state: A.SyncState = A.initSyncState();
  private counters = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, changesIn: 0 };

  constructor(
    private readonly replica: Replica<T>,
    readonly peer: string,
  ) {}

  /** The next message to send, or null when the peer already has everything we know it needs. */
  next(): Uint8Array | null {
    const [state, message] = this.replica.generateSyncMessage(this.state);
    this.state = state;
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
    const { state, applied } = await this.replica.receiveSyncMessage(this.state, message, this.peer);
    this.state = state;
    this.counters.changesIn += applied;
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

