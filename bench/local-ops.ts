/**
 * Local operation cost against the size of the space: how long one create / edit / publish /
 * delete takes when the shared log already holds N published entries (the fixture document).
 * The engine runs over an in-memory store (the document cost alone) and over a real
 * FileLogStore in a temp folder (with fsync). Next to it: the same "add one published entry"
 * through automerge-repo's DocHandle.change and as a bare Automerge.change (the floor).
 */
import * as A from '@automerge/automerge';
import { join } from 'node:path';
import type { DeviceId, EntryId } from '../src/core/ids.js';
import { newEntryId } from '../src/core/ids.js';
import { bucketFor, type SpaceDoc } from '../src/core/layout.js';
import { memoryLogger } from '../src/core/logger.js';
import { MemoryLogStore } from '../src/core/memory-store.js';
import { NoteLog } from '../src/core/note-log.js';
import type { LogStore } from '../src/core/ports.js';
import { FileLogStore } from '../src/storage/file-log-store.js';
import * as amrepo from './amrepo.js';
import { noteValue, publishMessage, spaceWith } from './fixture.js';
import { tempFolder } from './ours.js';
import { median, ms, printTable, quantile } from './table.js';

const author = { name: 'Bench', device: 'bench-device' as DeviceId };

export interface LocalOpFigures {
  entries: number;
  /** p50 ms of our publish (in memory / with fsync), automerge-repo's change, bare Automerge.change. */
  ours: number;
  oursDisk: number;
  repo: number;
  floor: number;
}

async function timeOps(log: NoteLog, rounds: number): Promise<Record<string, number[]>> {
  const t: Record<string, number[]> = { create: [], edit: [], publish: [], delete: [] };
  const time = async (name: string, fn: () => Promise<unknown>) => {
    const start = performance.now();
    const result = await fn();
    t[name]!.push(performance.now() - start);
    return result;
  };
  for (let i = 0; i < rounds; i++) {
    const entry = (await time('create', () => log.createNote({ title: `T${i}`, body: 'some body text' }))) as { id: EntryId };
    await time('edit', () => log.edit(entry.id, { body: `some body text, edited ${i}` }));
    await time('publish', () => log.publish(entry.id));
    await time('delete', () => log.delete(entry.id));
  }
  return t;
}

async function openLog(saved: Uint8Array, shared: LogStore, local: LogStore): Promise<NoteLog> {
  await shared.compact(saved);
  return NoteLog.open({ shared, local, logger: memoryLogger('warn') }, { author, compactAfterRecords: 1e9 });
}

/** One published entry added `rounds` times by `add`; returns the times in ms. */
function timeAdds(rounds: number, add: (i: number, id: EntryId, at: number) => void): number[] {
  const times: number[] = [];
  for (let i = 0; i < rounds + 20; i++) {
    const id = newEntryId();
    const start = performance.now();
    add(i, id, Date.now());
    if (i >= 20) times.push(performance.now() - start);
  }
  return times;
}

export async function benchLocalOps(sizes: number[], rounds = 200): Promise<LocalOpFigures[]> {
  const rows: (string | number)[][] = [];
  const figures: LocalOpFigures[] = [];
  for (const n of sizes) {
    const saved = await spaceWith(n);
    const memory = await openLog(saved, new MemoryLogStore(), new MemoryLogStore());
    await timeOps(memory, 20); // warm-up
    const t = await timeOps(memory, rounds);
    await memory.close();
    const dir = await tempFolder('local-ops');
    const disk = await openLog(saved, await FileLogStore.open(join(dir, 'shared')), await FileLogStore.open(join(dir, 'local')));
    const d = await timeOps(disk, Math.min(rounds, 100));
    await disk.close();
    for (const op of Object.keys(t)) rows.push([n.toLocaleString('en'), op, ms(median(t[op]!)), ms(quantile(t[op]!, 0.99)), ms(median(d[op]!))]);

    const m = await amrepo.load();
    const repoPeer = await amrepo.repoPeer('local-ops');
    const handle = repoPeer.repo.import<SpaceDoc>(saved);
    const imm = (s: string) => new m.am.ImmutableString(s);
    const repo = timeAdds(rounds, (i, id, at) => handle.change((doc) => void (bucketFor(doc, id)![id] = noteValue(i, at, imm)), { message: publishMessage(id, at) }));
    await repoPeer.close();
    let doc = A.load<SpaceDoc>(saved);
    const floor = timeAdds(rounds, (i, id, at) => {
      doc = A.change(doc, { message: publishMessage(id, at) }, (d) => void (bucketFor(d, id)![id] = noteValue(i, at)));
    });
    figures.push({ entries: n, ours: median(t.publish!), oursDisk: median(d.publish!), repo: median(repo), floor: median(floor) });
  }
  printTable('Local operation cost, ours (ms per op; the disk column includes fsync)', ['entries', 'op', 'p50', 'p99', 'p50 with disk'], rows);
  return figures;
}
