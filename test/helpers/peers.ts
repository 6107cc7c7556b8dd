import type { SyncProgress } from '../../src/core/sync-session.js';

/** A sync session's progress before anything went over the wire (spread it and set what a test needs). */
export const NO_PROGRESS: SyncProgress = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, changesIn: 0, theirHeads: null, snapshotsOut: 0, snapshotsIn: 0 };
