import { MemoryIndexStore, MemoryShardStore } from '../../src/core/shards/memory-stores.js';
import { indexStoreContract, shardStoreContract } from './shard-stores.contract.js';

shardStoreContract('MemoryShardStore', async () => {
  let current: MemoryShardStore | undefined;
  return { open: async () => (current = new MemoryShardStore()), reopen: async () => (current = current!.reopen()) };
});

indexStoreContract('MemoryIndexStore', async () => {
  let current: MemoryIndexStore | undefined;
  return { open: async () => (current = new MemoryIndexStore()), reopen: async () => (current = current!.reopen()) };
});
