import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeviceId } from '../../src/core/ids.js';
import { memoryLogger } from '../../src/core/logger.js';
import { MemoryLogStore } from '../../src/core/memory-store.js';
import { NoteLog } from '../../src/core/note-log.js';

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
