/**
 * The writes of a ShardedSpace to its shard logs: every write tracked (close waits for them), and
 * a write that fails (a full disk) kept rather than dropped. Its changes are already in memory and
 * listed; they are written before the shard's next write, or by `retry` after any write succeeds,
 * and a load of the shard meanwhile reads them back in (`held`). Pure.
 */
import type { Logger } from '../ports.js';
import type { ShardFileState, ShardStore } from './ports.js';
import type { ShardId } from './shard-id.js';

export class ShardWrites {
  private readonly pending = new Set<Promise<unknown>>();
  /** Changes whose write failed, per shard, in order. */
  private readonly unsaved = new Map<ShardId, Uint8Array[]>();
  private retrying: Promise<void> | undefined;

  constructor(
    private readonly store: ShardStore,
    private readonly logger: Logger,
    /** Records a shard's new file state once changes held here are stored (the index journal). */
    private readonly stored: (shard: ShardId, file: ShardFileState) => Promise<void>,
  ) {}

  /** Appends to a shard's log, after what an earlier write to it could not store. */
  append(shard: ShardId, changes: readonly Uint8Array[]): Promise<ShardFileState> {
    const held = this.unsaved.get(shard);
    if (held) this.unsaved.delete(shard);
    const all = held ? [...held, ...changes] : [...changes];
    return this.track(
      this.store.append(shard, all).catch((err: unknown) => {
        this.unsaved.set(shard, [...(this.unsaved.get(shard) ?? []), ...all]);
        throw err;
      }),
    );
  }

  /** Changes of `shard` held after a failed write (a load adds them to what the log holds). */
  held(shard: ShardId): readonly Uint8Array[] {
    return this.unsaved.get(shard) ?? [];
  }

  /** Writes what earlier writes could not store, each shard's in order; resolves when done or failed again. */
  retry(): Promise<void> {
    if (this.unsaved.size === 0) return Promise.resolve();
    this.retrying ??= (async () => {
      for (const shard of [...this.unsaved.keys()]) {
        if (!this.unsaved.has(shard)) continue;
        try {
          await this.stored(shard, await this.append(shard, []));
          this.logger.info(`shard ${shard}: changes held in memory after a failed write are stored now`);
        } catch (err) {
          this.logger.warn(`shard ${shard}: changes held in memory still cannot be stored (${String(err)})`);
          return;
        }
      }
    })().finally(() => (this.retrying = undefined));
    return this.retrying;
  }

  /** Counts a write in flight (close waits for it). */
  track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => undefined);
    return p;
  }

  /** Resolves once every write in flight has settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
