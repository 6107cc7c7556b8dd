/**
 * `npm run bench -- --reads` (issue 12, finding 4): what `status` and `ls` cost after a member
 * wrote N entries, before (a scan and validation of every entry, as every read did until the
 * entry index) and now (the index: built once at the first read, then kept current change by
 * change). Runs the note log over in-memory stores holding the fixture space of N published notes.
 */
import * as A from '@automerge/automerge';
import type { DeviceId, EntryId } from '../src/core/ids.js';
import { newEntryId } from '../src/core/ids.js';
import { readEntry, type LogScope } from '../src/core/entry.js';
import { bucketFor, rawEntries, type SpaceDoc } from '../src/core/layout.js';
import { memoryLogger } from '../src/core/logger.js';
import { MemoryLogStore } from '../src/core/memory-store.js';
import { NoteLog } from '../src/core/note-log.js';
import { withConflicts } from '../src/core/stored-entry.js';
import { noteValue, publishMessage, spaceWith } from './fixture.js';
import { median } from './table.js';

export interface ReadFigures {
  entries: number;
  /** ms: the first read (the index is built), then p50 of `status` and `ls` after each new entry. */
  firstRead: number;
  status: number;
  ls: number;
  /** ms p50 of one read as it was: a scan and validation of every entry. */
  scan: number;
}

/** The read every `status` and `ls` did before the entry index. */
function scanAll(log: NoteLog): number {
  let valid = 0;
  for (const scope of ['local', 'shared'] as LogScope[]) {
    for (const [id, raw] of rawEntries((scope === 'local' ? log.local : log.shared).doc)) {
      if (withConflicts(readEntry(id, raw, scope), raw).status === 'valid') valid++;
    }
  }
  return valid;
}

export async function benchReads(n: number, arrivals = 20): Promise<ReadFigures> {
  const saved = await spaceWith(n);
  const shared = new MemoryLogStore();
  await shared.compact(saved);
  const log = await NoteLog.open({ shared, local: new MemoryLogStore(), logger: memoryLogger('warn') }, { author: { name: 'Reader', device: 'reader-device' as DeviceId }, compactAfterRecords: 1e9 });
  let member = A.load<SpaceDoc>(saved);
  const time = (fn: () => unknown) => {
    const started = performance.now();
    fn();
    return performance.now() - started;
  };
  const firstRead = time(() => log.counts());
  const status: number[] = [];
  const ls: number[] = [];
  const scan: number[] = [];
  for (let i = 0; i < arrivals; i++) {
    // The member writes one more entry; it arrives as a change from a peer.
    const id: EntryId = newEntryId();
    const at = 1_800_000_000_000 + i;
    member = A.change(member, { message: publishMessage(id, at) }, (d) => {
      bucketFor(d, id)![id] = noteValue(n + i, at);
    });
    await log.shared.applyRemoteChanges([A.getLastLocalChange(member)!], 'member');
    status.push(time(() => log.counts()));
    ls.push(time(() => log.list()));
    if (i < 3) scan.push(time(() => scanAll(log)));
  }
  if (log.counts().published !== n + arrivals) throw new Error(`expected ${n + arrivals} entries, counted ${log.counts().published}`);
  await log.close();
  return { entries: n, firstRead, status: median(status), ls: median(ls), scan: median(scan) };
}
