import { memoryLogger } from '../../src/core/logger.js';
import { MemoryLogStore } from '../../src/core/memory-store.js';
import { NoteLog } from '../../src/core/note-log.js';
import type { DeviceId } from '../../src/core/ids.js';

/** A NoteLog over in-memory stores, plus the stores so a test can reopen it. */
export async function memoryNoteLog(name = 'Ann', device = 'dev-ann', stores = { shared: new MemoryLogStore(), local: new MemoryLogStore() }) {
  const logger = memoryLogger();
  const log = await NoteLog.open({ ...stores, logger }, { author: { name, device: device as DeviceId } });
  return { log, stores, logger };
}

/** Copies every shared change each way, as sync would, until both hold the same heads. */
export async function exchange(a: NoteLog, b: NoteLog): Promise<void> {
  await b.shared.applyRemoteChanges(a.shared.allChanges(), 'a');
  await a.shared.applyRemoteChanges(b.shared.allChanges(), 'b');
}
