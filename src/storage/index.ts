/** The on-disk side of the store: everything above sees only the LogStore port from src/core. */
export { FileLogStore, type FileLogStoreInit } from './file-log-store.js';
