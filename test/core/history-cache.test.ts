import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newEntryId, type DeviceId, type EntryId } from '../../src/core/ids.js';
import { decodeHistory, encodeHistory } from '../../src/core/history-cache.js';
import { HistoryIndex, type ChangeMeta, type HistorySource } from '../../src/core/history.js';
import { memoryLogger } from '../../src/core/logger.js';
import { MemoryLogStore } from '../../src/core/memory-store.js';
import { NoteLog } from '../../src/core/note-log.js';
import { encodeOp, type OpMessage } from '../../src/core/ops.js';
import type { HistoryCache } from '../../src/core/ports.js';

class MemoryHistoryCache implements HistoryCache {
  readonly files = new Map<string, string>();
  writes = 0;
  read(log: 'local' | 'shared'): Promise<string | undefined> {
    return Promise.resolve(this.files.get(log));
  }
  write(log: 'local' | 'shared', text: string): Promise<void> {
    this.writes++;
    this.files.set(log, text);
    return Promise.resolve();
  }
}

const by = { name: 'Ann', device: 'dev-ann' as DeviceId };
const ID = newEntryId();
const meta = (n: number, id: EntryId = ID): ChangeMeta => ({
  hash: `h${n}`.padEnd(64, '0'),
  deps: n === 0 ? [] : [`h${n - 1}`.padEnd(64, '0')],
  actor: 'aa',
  startOp: n * 10 + 1,
  message: encodeOp({ v: 1, id, at: 1_000 + n, by, ...(n === 0 ? { op: 'create', kind: 'note' } : { op: 'edit', fields: ['body'] }) } as OpMessage),
});

/** A shared log of `count` changes whose reads are counted (the local log is empty). */
function countedSource(count: number) {
  const metas = Array.from({ length: count }, (_, i) => meta(i));
  const calls = { all: 0, since: 0 };
  const shared: HistorySource = {
    scope: 'shared',
    changes: () => (calls.all++, [...metas]),
    since: (heads) => {
      calls.since++;
      const at = metas.findIndex((m) => m.hash === heads[0]);
      return at < 0 ? undefined : metas.slice(at + 1);
    },
    heads: () => [metas.at(-1)!.hash],
  };
  const local: HistorySource = { scope: 'local', changes: () => [], since: () => [], heads: () => [] };
  return { metas, calls, sources: () => [local, shared] };
}

describe('the history index is kept between runs', () => {
  it('encodes and decodes every change\'s metadata; refuses a damaged or foreign file', async () => {
    const metas = Array.from({ length: 10_000 }, (_, i) => meta(i));
    const text = await encodeHistory([metas.at(-1)!.hash], metas);
    assert.deepEqual(await decodeHistory(text), { heads: [metas.at(-1)!.hash], metas });
    assert.equal(await decodeHistory(text.slice(0, text.length / 2)), undefined, 'truncated');
    assert.equal(await decodeHistory('{"format":"something else"}\n'), undefined, 'foreign');
    assert.equal(await decodeHistory(text.replace('"h9999', '"x9999')), undefined, 'its heads are not among its changes');
    assert.equal(await decodeHistory(''), undefined);
  });

  it('a later run reads the stored index and asks the log only for the changes since', async () => {
    const cache = new MemoryHistoryCache();
    const first = countedSource(500);
    const index = new HistoryIndex(first.sources, cache, memoryLogger());
    await index.ready();
    assert.equal(first.calls.all, 1);
    assert.equal(cache.writes, 2, 'both logs stored');
    const steps = index.get(ID).length;
    assert.equal(steps, 500);

    const later = countedSource(520); // 20 changes arrived while it was not running
    const again = new HistoryIndex(later.sources, cache, memoryLogger());
    await again.ready();
    assert.equal(later.calls.all, 0, 'no full read of the log');
    assert.equal(later.calls.since, 1);
    assert.equal(again.get(ID).length, 520);
    assert.equal(cache.writes, 2, 'a log that only grew is stored at close, not while the index is read');
    await again.persist(); // as at close
    assert.equal(cache.writes, 3, 'only the shared log, which grew, is stored again');
    await again.persist();
    assert.equal(cache.writes, 3, 'nothing new: nothing written');
  });

  it('a stored index that does not fit the log (damaged, or from another history) is rebuilt and replaced', async () => {
    const cache = new MemoryHistoryCache();
    cache.files.set('shared', 'not an index\n');
    const logger = memoryLogger();
    const source = countedSource(50);
    const index = new HistoryIndex(source.sources, cache, logger);
    await index.ready();
    assert.equal(source.calls.all, 1);
    assert.ok(logger.lines.some((l) => /history index of the shared log is not readable/.test(l)), logger.lines.join('\n'));
    assert.equal(index.get(ID).length, 50);
    assert.ok(cache.files.get('shared')?.startsWith('{"format"'));

    const foreign = countedSource(3); // its heads are not in this log
    cache.files.set('shared', await encodeHistory(['f'.repeat(64)], [{ ...meta(0), hash: 'f'.repeat(64) }]));
    const other = new HistoryIndex(foreign.sources, cache, memoryLogger());
    await other.ready();
    assert.equal(foreign.calls.all, 1);
    assert.equal(other.get(ID).length, 3);
  });

  it('a NoteLog reopened with its stored index shows the same history, including what came after it was stored', async () => {
    const stores = { shared: new MemoryLogStore(), local: new MemoryLogStore() };
    const cache = new MemoryHistoryCache();
    const open = () => NoteLog.open({ ...stores, logger: memoryLogger(), historyCache: cache }, { author: by });
    const ann = await open();
    stores.shared = stores.shared.reopen();
    stores.local = stores.local.reopen();
    const note = await ann.publish((await ann.createNote({ title: 'Soup', body: 'water' })).id);
    await ann.edit(note.id, { body: 'water, salt' });
    await ann.historyReady();
    const before = ann.historyDetails(note.id);
    await ann.edit(note.id, { title: 'Good soup' }); // after the index was built: stored at close
    await ann.close();

    const again = await open();
    await again.edit(note.id, { body: 'water, salt, pepper' }); // before the index is read
    const ready = again.historyReady();
    const during = [again.edit(note.id, { title: 'Soup' })]; // while it is read and indexed
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      during.push(again.edit(note.id, { body: `water ${i}` }));
    }
    await Promise.all([ready, ...during]);
    const steps = again.historyDetails(note.id);
    assert.deepEqual(steps.slice(0, before.length), before);
    assert.deepEqual(
      steps.slice(before.length).map((s) => s.changes.map((c) => c.field)),
      [['title'], ['body'], ['title'], ['body'], ['body'], ['body'], ['body'], ['body']],
    );
    assert.deepEqual(again.historyOf(note.id).length, steps.length);
    await again.close();
  });
});
