import type { Logger } from '../core/ports.js';
import { MESH_CHECK_MS, MESH_DIAL_JITTER_MS, MESH_PARALLEL_DIALS, MESH_TARGET_CONNECTIONS, MESH_YIELD_MS } from './constants.js';
import type { PeerBook } from './peer-book.js';

export interface SpaceMeshComponents {
  book: PeerBook;
  selfId: string;
  logger: Logger;
  /** Dials a known peer at the addresses the book holds (a failure schedules the book's backoff). */
  dial(peerId: string): Promise<void>;
}

export interface SpaceMeshInit {
  /** Connections each member keeps; default MESH_TARGET_CONNECTIONS. */
  target?: number;
  /** How often the mesh is checked besides on events; default MESH_CHECK_MS. */
  checkMs?: number;
  /** How long the member with the greater id leaves a newly heard-of pair to the other; default MESH_YIELD_MS. */
  yieldMs?: number;
}

/**
 * Keeps this member connected to up to `target` others (all of them in a small space): whenever
 * we hold fewer connections (at start, after a member left, when peer exchange named new
 * members, and every `checkMs`), it dials known members we are not connected to, in random order.
 * It never dials a peer that is connected, blocked, already being dialed or waiting for its
 * redial backoff (the book redials those itself), so a peer that fails is not hammered: the
 * book's backoff (1 s doubling to 60 s) is the only retry loop. At most MESH_PARALLEL_DIALS mesh
 * dials run at once, each after a random delay of up to MESH_DIAL_JITTER_MS, so a slow machine is
 * not handed a burst of handshakes that all time out together.
 *
 * Two members that hear of each other from peer lists (a newcomer told of the others, the others
 * told of the newcomer, usually within a second) would both dial: two handshakes per pair, twice
 * the inbound connections per host (libp2p refuses more than INBOUND_CONNECTIONS_PER_HOST_PER_S,
 * which all peers of one machine or one NAT share) and a failed dial's backoff. So for a member
 * heard of from a peer list, only the side with the smaller peer id dials at once; the other one
 * waits `yieldMs` and dials only if no connection came (the smaller side may be behind NAT, or
 * its mesh full). Invite members, known peers at start and redials are dialed at once.
 */
export class SpaceMesh {
  private readonly target: number;
  private readonly checkMs: number;
  private readonly yieldMs: number;
  private readonly dialing = new Set<string>();
  /** Members heard of from a peer list whose dial we leave to them until the time stored. */
  private readonly yielding = new Map<string, number>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private yieldTimer: ReturnType<typeof setTimeout> | undefined;
  /** When yieldTimer fires (the earliest end of a wait). */
  private yieldTimerAt = Infinity;
  private running = false;

  constructor(
    private readonly components: SpaceMeshComponents,
    init: SpaceMeshInit = {},
  ) {
    this.target = init.target ?? MESH_TARGET_CONNECTIONS;
    this.checkMs = init.checkMs ?? MESH_CHECK_MS;
    this.yieldMs = init.yieldMs ?? MESH_YIELD_MS;
  }

  start(): void {
    this.running = true;
    this.timer = setInterval(() => this.topUp(), this.checkMs);
    this.timer.unref?.();
  }

  stop(): void {
    this.running = false;
    clearInterval(this.timer);
    clearTimeout(this.yieldTimer);
    this.timer = undefined;
    this.yieldTimer = undefined;
    this.yieldTimerAt = Infinity;
    this.yielding.clear();
  }

  /**
   * A peer list named these members: those we are not connected to and whose id is smaller than
   * ours will dial us, so we leave them `yieldMs` before dialing them ourselves.
   */
  heard(peerIds: readonly string[]): void {
    if (!this.running) return;
    const until = Date.now() + this.yieldMs;
    for (const id of peerIds) {
      if (id < this.components.selfId && !this.yielding.has(id) && !this.components.book.isConnected(id)) this.yielding.set(id, until);
    }
  }

  /** Dials this member (now: an invite's), unless connected or already being dialed. */
  dial(peerId: string, afterMs = 0): void {
    if (!this.running || this.dialing.has(peerId) || this.components.book.isConnected(peerId)) return;
    this.dialing.add(peerId);
    const wait = afterMs > 0 ? new Promise((resolve) => setTimeout(resolve, afterMs).unref?.()) : Promise.resolve();
    wait
      .then(() => (this.running && !this.components.book.isConnected(peerId) ? this.components.dial(peerId) : undefined))
      .catch((err: unknown) => this.components.logger.debug(`dial of ${peerId} failed: ${String(err)}`))
      .finally(() => {
        this.dialing.delete(peerId);
        this.topUp(); // the next one, if the mesh still has room
      });
  }

  /** Dials members until `target` connections are held or being opened; returns how many dials started. */
  topUp(): number {
    if (!this.running) return 0;
    const { book, selfId } = this.components;
    const ids = book.ids().filter((id) => id !== selfId);
    const connected = ids.filter((id) => book.isConnected(id)).length;
    const wanted = Math.min(this.target - connected, MESH_PARALLEL_DIALS) - this.dialing.size;
    if (wanted <= 0) return 0;
    const candidates = ids.filter(
      (id) =>
        !book.isConnected(id) && !this.dialing.has(id) && !book.isBlocked(id) && !book.isRedialPending(id) && book.addrs(id).length > 0 && !this.isYielding(id),
    );
    const chosen = shuffle(candidates).slice(0, wanted);
    for (const peerId of chosen) this.dial(peerId, Math.random() * MESH_DIAL_JITTER_MS);
    if (chosen.length > 0) this.components.logger.debug(`mesh: ${connected} of ${this.target} connections; dialing ${chosen.length} more`);
    return chosen.length;
  }

  /** Whether we still leave this member's dial to it; a topUp is scheduled for when we stop waiting. */
  private isYielding(peerId: string): boolean {
    const until = this.yielding.get(peerId);
    if (until === undefined) return false;
    const left = until - Date.now();
    if (left <= 0 || this.components.book.isConnected(peerId)) {
      this.yielding.delete(peerId);
      return false;
    }
    if (until < this.yieldTimerAt) {
      clearTimeout(this.yieldTimer);
      this.yieldTimerAt = until;
      this.yieldTimer = setTimeout(() => {
        this.yieldTimer = undefined;
        this.yieldTimerAt = Infinity;
        this.topUp();
      }, left + 10);
      this.yieldTimer.unref?.();
    }
    return true;
  }
}

function shuffle<T>(list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [list[i], list[j]] = [list[j] as T, list[i] as T];
  }
  return list;
}
