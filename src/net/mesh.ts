import type { Logger } from '../core/ports.js';
import { MESH_CHECK_MS, MESH_DIAL_JITTER_MS, MESH_PARALLEL_DIALS, MESH_TARGET_CONNECTIONS } from './constants.js';
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
}

/**
 * Keeps this member connected to up to `target` others (all of them in a small space): whenever
 * we hold fewer connections (at start, after a member left, when peer exchange named new
 * members, and every `checkMs`), it dials known members we are not connected to, in random order.
 * It never dials a peer that is connected, blocked, already being dialed or waiting for its
 * redial backoff (the book redials those itself), so a peer that fails is not hammered: the
 * book's backoff (1 s doubling to 60 s) is the only retry loop. At most MESH_PARALLEL_DIALS mesh
 * dials run at once, each after a random delay of up to MESH_DIAL_JITTER_MS: members that heard of
 * each other from the same peer list rarely dial each other at the same moment, and a slow machine
 * is not handed a burst of handshakes that all time out together.
 */
export class SpaceMesh {
  private readonly target: number;
  private readonly checkMs: number;
  private readonly dialing = new Set<string>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private running = false;

  constructor(
    private readonly components: SpaceMeshComponents,
    init: SpaceMeshInit = {},
  ) {
    this.target = init.target ?? MESH_TARGET_CONNECTIONS;
    this.checkMs = init.checkMs ?? MESH_CHECK_MS;
  }

  start(): void {
    this.running = true;
    this.timer = setInterval(() => this.topUp(), this.checkMs);
    this.timer.unref?.();
  }

  stop(): void {
    this.running = false;
    clearInterval(this.timer);
    this.timer = undefined;
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
      (id) => !book.isConnected(id) && !this.dialing.has(id) && !book.isBlocked(id) && !book.isRedialPending(id) && book.addrs(id).length > 0,
    );
    const chosen = shuffle(candidates).slice(0, wanted);
    for (const peerId of chosen) this.dial(peerId, Math.random() * MESH_DIAL_JITTER_MS);
    if (chosen.length > 0) this.components.logger.debug(`mesh: ${connected} of ${this.target} connections; dialing ${chosen.length} more`);
    return chosen.length;
  }
}

function shuffle<T>(list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [list[i], list[j]] = [list[j] as T, list[i] as T];
  }
  return list;
}
