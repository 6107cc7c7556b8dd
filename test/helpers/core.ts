import * as A from '@automerge/automerge';
import { memoryLogger } from '../../src/core/logger.js';
import { MemoryLogStore } from '../../src/core/memory-store.js';
import { NoteLog } from '../../src/core/note-log.js';
import type { DeviceId, EntryId } from '../../src/core/ids.js';
import { MemoryIndexStore, MemoryShardStore } from '../../src/core/shards/memory-stores.js';
import { ShardedSpace } from '../../src/core/shards/sharded-space.js';
import { shardOf } from '../../src/core/shards/shard-id.js';
import { genesisChange, Replica } from '../../src/core/replica.js';

/** The document the replica and network tests write: counters under `t`, a blob for large changes. */
export type TestDoc = { t?: Record<string, number>; blob?: Uint8Array };

/** A Replica over an in-memory store, with `changes` changes made (`t[prefix + i] = i`). */
export async function memoryReplica(name: string, options: { changes?: number; prefix?: string; store?: MemoryLogStore } = {}): Promise<Replica<TestDoc>> {
  const { replica } = await Replica.open<TestDoc>(options.store ?? new MemoryLogStore(), { name, logger: memoryLogger() });
  const prefix = options.prefix ?? name;
  for (let i = 0; i < (options.changes ?? 0); i++) await setKey(replica, `${prefix}${i}`, i);
  return replica;
}

/** One small change: sets t[key] = value; its bytes. */
export function setKey(replica: Replica<TestDoc>, key: string, value = 1): Promise<Uint8Array | undefined> {
  return replica.change(`set ${key}`, (d) => {
    d.t ??= {};
    d.t[key] = value;
  });
}

/** A NoteLog over in-memory stores, plus the stores so a test can reopen it. */
export async function memoryNoteLog(name = 'Ann', device = 'dev-ann', stores = { shared: new MemoryLogStore(), local: new MemoryLogStore() }) {
  const logger = memoryLogger();
  const log = await NoteLog.open({ ...stores, logger }, { author: { name, device: device as DeviceId } });
  return { log, stores, logger };
}

let genesisHash: string | undefined;

/**
 * The shared changes `from` holds that `to` may lack: those since the heads both hold (at least
 * the genesis change), as sync would send them. Never the genesis change itself, whose 4,096
 * maps take tens of milliseconds to decode again for nothing.
 */
export function changesFor(from: NoteLog, to: NoteLog): Uint8Array[] {
  genesisHash ??= A.decodeChange(genesisChange()).hash;
  const common = to.shared.heads().filter((h) => from.shared.hasHeads([h]));
  return A.getChangesSince(from.shared.doc, common.length > 0 ? common : [genesisHash]);
}

/** Copies every shared change each way, as sync would, until both hold the same heads. */
export async function exchange(a: NoteLog, b: NoteLog): Promise<void> {
  await b.shared.applyRemoteChanges(changesFor(a, b), 'a');
  await a.shared.applyRemoteChanges(changesFor(b, a), 'b');
}

/** The stores of a NoteLog on a sharded space (in memory), reusable to reopen it. */
export function memoryShardedStores() {
  return { local: new MemoryLogStore(), shards: new MemoryShardStore(), index: new MemoryIndexStore() };
}

/** The same stores after a close, as a restarted process finds them. */
export function reopenShardedStores(stores: ReturnType<typeof memoryShardedStores>): ReturnType<typeof memoryShardedStores> {
  return { local: stores.local.reopen(), shards: stores.shards.reopen(), index: stores.index.reopen() };
}

/** A NoteLog on a sharded space (schema v2) over in-memory stores. */
export async function memoryShardedNoteLog(name = 'Ann', device = 'dev-ann', stores = memoryShardedStores(), init: { cacheSize?: number } = {}) {
  const logger = memoryLogger();
  const sharded = await ShardedSpace.open({ shards: stores.shards, index: stores.index, logger }, init);
  const log = await NoteLog.open({ local: stores.local, sharded, logger }, { author: { name, device: device as DeviceId } });
  return { log, stores, logger };
}

/** Copies the changes of entry `id`'s shard each way between two sharded note logs, as sync would. */
export async function exchangeShard(a: NoteLog, b: NoteLog, id: EntryId): Promise<void> {
  for (const [from, to] of [[a, b], [b, a]] as const) {
    const space = from.sharded!;
    await space.load([id]);
    for (const change of A.getAllChanges(space.docOf(id)).slice(1)) await to.sharded!.receive(shardOf(id), change);
  }
}
