import { MemoryLogStore } from '../../src/core/memory-store.js';
import { logStoreContract } from './log-store.contract.js';

logStoreContract('MemoryLogStore', async () => {
  let current: MemoryLogStore | undefined;
  return {
    open: async () => (current = new MemoryLogStore()),
    reopen: async () => {
      if (current === undefined) throw new Error('reopen() before open()');
      return (current = current.reopen());
    },
  };
});
