import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeviceId } from '../../src/core/ids.js';
import { memoryLogger } from '../../src/core/logger.js';
import { MemoryLogStore } from '../../src/core/memory-store.js';
import { NoteLog } from '../../src/core/note-log.js';
import { memoryShardedNoteLog, memoryShardedStores, reopenShardedStores } from '../helpers/core.js';

const open = (stores: { shared: MemoryLogStore; local: MemoryLogStore }, logger = memoryLogger()) =>
  NoteLog.open({ ...stores, logger }, { author: { name: 'Ann', device: 'dev-ann' as DeviceId }, compactAfterRecords: 10 });
const settle = () => new Promise((r) => setTimeout(r, 50));

describe('compaction of the local (drafts) log', () => {
  it('keeps a history of fresh drafts as it is (an import), and rebuilds one of much-edited drafts', async () => {
    const stores = { shared: new MemoryLogStore(), local: new MemoryLogStore() };
    const logger = memoryLogger();
    const log = await open(stores, logger);
    await Promise.all(Array.from({ length: 25 }, (_, i) => log.createNote({ title: `Imported ${i}`, body: 'text' })));
    await settle();
    assert.ok(logger.lines.some((l) => /local log kept as it is at compaction/.test(l)));
    assert.ok(!logger.lines.some((l) => /local log rebuilt/.test(l)));
    const [first] = log.list().entries;
    for (let i = 0; i < 40; i++) await log.edit(first!.id, { body: `text ${i}` });
    await settle();
    assert.ok(logger.lines.some((l) => /local log rebuilt from its 25 live draft/.test(l)), 'many edits per draft: rebuilt');
    await log.close();
    const again = await open({ shared: stores.shared.reopen(), local: stores.local.reopen() });
    assert.equal(again.list().entries.length, 25);
    assert.equal(again.list().entries.find((e) => e.id === first!.id)?.kind === 'note' && (again.get(first!.id) as { entry: { body: string } }).entry.body, 'text 39');
    await again.close();
  });
});

describe('a local log with no draft', () => {
  it('opens, lists, reads, resolves and searches without building the genesis document; a draft builds it; once every draft is published it opens that way again', async () => {
    const stores = memoryShardedStores();
    const { log } = await memoryShardedNoteLog('Ann', 'dev-ann', stores);
    assert.equal(log.local.pristine, true, 'a fresh local log is the genesis alone');
    const published = await log.createNote({ title: 'Soup', body: 'one pot' });
    await log.publish(published.id);
    await settle();
    await log.close();

    const { log: again } = await memoryShardedNoteLog('Ann', 'dev-ann', reopenShardedStores(stores));
    assert.equal(again.local.pristine, true, 'every draft was published: the local log started afresh as the genesis alone');
    assert.deepEqual(again.summaries().entries.map((e) => e.title), ['Soup']);
    assert.deepEqual(again.counts(), { drafts: 0, published: 1 });
    assert.equal((await again.read(published.id))?.status, 'valid');
    assert.equal(again.resolveId(published.id.slice(0, 6)), published.id);
    assert.equal(again.historyOf(published.id).length > 0, true);
    assert.equal(again.local.pristine, true, 'none of these built the local document');

    const draft = await again.createNote({ title: 'Pancakes', body: 'flour' });
    assert.equal(again.local.pristine, false);
    assert.deepEqual(again.summaries().entries.map((e) => e.title).sort(), ['Pancakes', 'Soup']);
    assert.equal(again.get(draft.id)?.status, 'valid');
    await again.close();
  });
});
