/**
 * Local operation cost against the size of the space: how long one create / edit / publish /
 * delete takes when the shared log already holds N entries. The engine runs over an in-memory
 * store here, so the figure is the document cost alone; the durable (fsync) cost is in the
 * "with disk" column, measured on a real FileLogStore in a temp folder.
 */
import * as A from '@automerge/automerge';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceId, EntryId } from '../src/core/ids.js';
import { newEntryId } from '../src/core/ids.js';
import { bucketFor } from '../src/core/layout.js';
import { memoryLogger } from '../src/core/logger.js';
import { MemoryLogStore } from '../src/core/memory-store.js';
import { NoteLog } from '../src/core/note-log.js';
import type { LogStore } from '../src/core/ports.js';
import { FileLogStore } from '../src/storage/file-log-store.js';
import { median, ms, printTable, quantile } from './table.js';

const author = { name: 'Bench', device: 'bench-device' as DeviceId };

/** Fills the shared log with `n` published notes, 1,000 per change (the layout is what matters). */
async function populate(log: NoteLog, n: number): Promise<void> {
  const imm = (s: string) => new A.ImmutableString(s);
  for (let done = 0; done < n; done += 1000) {
    await log.shared.change('{"bulk":true}', (d) => {
      for (let i = done; i < Math.min(n, done + 1000); i++) {
        const id = newEntryId();
        bucketFor(d, id)![id] = {
          kind: imm('note'), title: imm(`Note ${i}`), body: `Body of note ${i}`,
          author: { name: imm('Bench'), device: imm('bench-device') }, createdAt: i, updatedAt: i, state: imm('published'),
        };
      }
    });
  }
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

export async function benchLocalOps(sizes: number[], rounds = 300): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const n of sizes) {
    const logger = memoryLogger('warn');
    const memory = await NoteLog.open({ shared: new MemoryLogStore(), local: new MemoryLogStore(), logger }, { author, compactAfterRecords: 1e9 });
    await populate(memory, n);
    await timeOps(memory, 20); // warm-up
    const t = await timeOps(memory, rounds);
    const dir = await mkdtemp(join(tmpdir(), 'sn-bench-'));
    const stores: LogStore[] = [await FileLogStore.open(join(dir, 'shared')), await FileLogStore.open(join(dir, 'local'))];
    const disk = await NoteLog.open({ shared: stores[0]!, local: stores[1]!, logger }, { author, compactAfterRecords: 1e9 });
    await populate(disk, n);
    const d = await timeOps(disk, Math.min(rounds, 100));
    await disk.close();
    await rm(dir, { recursive: true, force: true });
    for (const op of Object.keys(t)) {
      rows.push([n.toLocaleString('en'), op, ms(median(t[op]!)), ms(quantile(t[op]!, 0.99)), ms(median(d[op]!))]);
    }
    await memory.close();
  }
  printTable('Local operation cost (ms per op; goal ≤ 1 ms at 100k; disk column includes fsync)', ['entries', 'op', 'p50', 'p99', 'p50 with disk'], rows);
}
