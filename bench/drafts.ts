/**
 * Issue 13 part 1: what the drafts (local) log costs an ordinary space. A realistic space of `n`
 * notes — each created as a draft with a ~500-character markdown body, published, then edited
 * twice — is written through the real NoteLog on disk ("after": the local log forgets published
 * drafts). "Before" is the same folder with the local log as earlier versions left it: every
 * draft's create and removal kept (written with a plain Replica, below the 5,000-record
 * compaction threshold, as the issue measured). Each is then opened by the CLI peer in a fresh
 * process: time to `ready` and resident memory, plus the local log's size on disk.
 */
import * as A from '@automerge/automerge';
import { cp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { memoryLogger } from '../src/core/logger.js';
import { NoteLog } from '../src/core/note-log.js';
import { Replica } from '../src/core/replica.js';
import type { DeviceId, EntryId } from '../src/core/ids.js';
import type { SpaceDoc } from '../src/core/layout.js';
import { FileLogStore } from '../src/storage/file-log-store.js';
import { benchSpace, seededFolder } from './ours.js';
import { spawnUntil, type Startup } from './startup.js';

const PARAGRAPH =
  '## Notes\n\nA realistic paragraph with **bold** words, a [link](https://example.org/page) and a list:\n\n- first item\n- second item with `code`\n\nMore text follows here. ';
const body = (i: number): string => `${PARAGRAPH}${PARAGRAPH}${PARAGRAPH}`.slice(0, 480) + ` #${i}`;

export interface DraftsFigures {
  readonly before: Startup & { localBytes: number };
  readonly after: Startup & { localBytes: number };
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size;
  return total;
}

export async function benchDrafts(n: number, runs: number): Promise<DraftsFigures> {
  const space = benchSpace();
  const after = await seededFolder('drafts-after', space);
  const spaceDir = join(after, 'spaces', space.id);
  const logger = memoryLogger('warn');
  const author = { name: 'Bench', device: 'dev-bench' as DeviceId };
  const log = await NoteLog.open(
    { shared: await FileLogStore.open(join(spaceDir, 'shared')), local: await FileLogStore.open(join(spaceDir, 'local')), logger },
    { author },
  );
  const ids: EntryId[] = [];
  for (let i = 0; i < n; i++) {
    const note = await log.createNote({ title: `Realistic note number ${i} about cooking`, body: body(i) });
    await log.publish(note.id);
    await log.edit(note.id, { body: body(i) + '\n\nAn edit.' });
    await log.edit(note.id, { body: body(i) + '\n\nAn edit, and another.' });
    ids.push(note.id);
  }
  await log.close();

  // The same space with the local log earlier versions kept: each draft's create and removal.
  const before = await seededFolder('drafts-before', space);
  await rm(join(before, 'spaces', space.id), { recursive: true, force: true });
  await cp(spaceDir, join(before, 'spaces', space.id), { recursive: true });
  const localDir = join(before, 'spaces', space.id, 'local');
  await rm(localDir, { recursive: true, force: true });
  const local = (await Replica.open<SpaceDoc>(await FileLogStore.open(localDir), { name: 'local', logger, compactAfterRecords: Number.MAX_SAFE_INTEGER })).replica;
  for (const [i, id] of ids.entries()) {
    const at = Date.now();
    const by = JSON.stringify(author);
    await local.change(`{"v":1,"op":"create","id":"${id}","kind":"note","by":${by},"at":${at}}`, (doc) => {
      const bucket = doc.b[id[0]!]![id[1]!]![id[2]!]!;
      bucket[id] = {
        kind: new A.ImmutableString('note'),
        author: { name: new A.ImmutableString(author.name), device: new A.ImmutableString(author.device) },
        createdAt: at,
        updatedAt: at,
        state: new A.ImmutableString('draft'),
        title: new A.ImmutableString(`Realistic note number ${i} about cooking`),
        body: body(i),
      };
    });
    await local.change(`{"v":1,"op":"publish","id":"${id}","by":${by},"at":${at}}`, (doc) => {
      delete doc.b[id[0]!]![id[1]!]![id[2]!]![id];
    });
  }
  await local.close();

  const measure = async (dir: string): Promise<Startup & { localBytes: number }> => {
    const localBytes = await folderBytes(join(dir, 'spaces', space.id, 'local'));
    const out: Startup[] = [];
    for (let i = 0; i < runs; i++) {
      const args = ['dist/cli.js', 'peer', '--data', dir, '--space', space.id, '--json', '--quiet', '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0/ws'];
      const { ms, rssBytes } = await spawnUntil(args, (line) => line.type === 'ready', 'quit\n');
      out.push({ ms, rssBytes });
    }
    const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return { ms: mid(out.map((o) => o.ms)), rssBytes: mid(out.map((o) => o.rssBytes)), localBytes };
  };
  // "Before" first: opening it with this version rebuilds its local log (the fix at work).
  const beforeFigures = await measure(before);
  return { before: beforeFigures, after: await measure(after) };
}
