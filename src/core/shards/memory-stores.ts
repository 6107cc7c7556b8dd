/**
 * In-memory twins of the sharded space's stores, for tests of the layers above; they pass the
 * same contract suites as FileShardStore and FileIndexStore (test/contracts/shard-stores.contract.ts).
 */
import { StoreClosedError } from '../errors.js';
import { NO_SHARD_FILE, type IndexStore, type ShardFileState, type ShardStore, type StoredShard } from './ports.js';
import type { ShardId } from './shard-id.js';

/** Per shard: its chunks; a file state whose size is the chunks' bytes (+ a 6-byte header, as on disk). */
export class MemoryShardStore implements ShardStore {
  private readonly logs = new Map<ShardId, Uint8Array[]>();
  private closed = false;
  private clock = 0;
  private readonly states_ = new Map<ShardId, ShardFileState>();

  async read(shard: ShardId): Promise<StoredShard> {
    this.assertOpen();
    const chunks = this.logs.get(shard);
    return chunks ? { chunks: chunks.map((c) => c.slice()), file: this.states_.get(shard)! } : { chunks: [], file: NO_SHARD_FILE };
  }

  async append(shard: ShardId, chunks: readonly Uint8Array[]): Promise<ShardFileState> {
    this.assertOpen();
    const log = this.logs.get(shard) ?? [];
    log.push(...chunks.map((c) => c.slice()));
    this.logs.set(shard, log);
    return this.touch(shard);
  }

  async compact(shard: ShardId, saved: Uint8Array): Promise<ShardFileState> {
    this.assertOpen();
    this.logs.set(shard, [saved.slice()]);
    return this.touch(shard);
  }

  async compactMany(items: readonly { shard: ShardId; saved: Uint8Array }[]): Promise<ShardFileState[]> {
    if (new Set(items.map((i) => i.shard)).size !== items.length) throw new RangeError('compactMany takes each shard once');
    return Promise.all(items.map(({ shard, saved }) => this.compact(shard, saved)));
  }

  async states(): Promise<Map<ShardId, ShardFileState>> {
    this.assertOpen();
    return new Map(this.states_);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** The same contents, open again (a restart). */
  reopen(): MemoryShardStore {
    const copy = new MemoryShardStore();
    for (const [shard, chunks] of this.logs) copy.logs.set(shard, chunks);
    for (const [shard, state] of this.states_) copy.states_.set(shard, state);
    copy.clock = this.clock;
    return copy;
  }

  private touch(shard: ShardId): ShardFileState {
    // 10 bytes of frame header per chunk, as the file store writes them.
    const size = 6 + this.logs.get(shard)!.reduce((n, c) => n + c.length + 10, 0);
    const state = { size, mtimeMs: ++this.clock };
    this.states_.set(shard, state);
    return state;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError('store is closed');
  }
}

export class MemoryIndexStore implements IndexStore {
  private index: Uint8Array | undefined;
  private journal: string[] = [];
  private closed = false;

  async readPrefix(bytes: number): Promise<Uint8Array | undefined> {
    this.assertOpen();
    return this.index?.slice(0, bytes);
  }

  async read(): Promise<{ index: Uint8Array | undefined; journal: string[] }> {
    this.assertOpen();
    return { index: this.index?.slice(), journal: [...this.journal] };
  }

  async appendJournal(records: readonly string[]): Promise<void> {
    this.assertOpen();
    this.journal.push(...records);
  }

  async rewrite(index: Uint8Array): Promise<void> {
    this.assertOpen();
    this.index = index.slice();
    this.journal = [];
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  reopen(): MemoryIndexStore {
    const copy = new MemoryIndexStore();
    copy.index = this.index;
    copy.journal = [...this.journal];
    return copy;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError('store is closed');
  }
}
