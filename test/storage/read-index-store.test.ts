import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { memoryLogger } from '../../src/core/logger.js';
import { FileIndexStore } from '../../src/storage/read-index-store.js';
import { makeTempDir } from '../helpers/storage.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function folder(): Promise<string> {
  const tmp = await makeTempDir('index-store');
  cleanups.push(tmp.remove);
  return tmp.path;
}

describe('FileIndexStore', () => {
  it('a torn journal tail is dropped and written over; the whole records before it stay', async () => {
    const dir = await folder();
    const first = new FileIndexStore(dir, memoryLogger());
    await first.read();
    await first.rewrite(Buffer.from('SNIDX 1 0\n#actors\n'));
    await first.appendJournal(['{"n":1}', '{"n":2}']);
    await first.close();
    await appendFile(join(dir, 'index.journal'), Buffer.from([0xe5, 0x52, 50, 0, 0, 0, 9, 9])); // a record cut short
    const second = new FileIndexStore(dir, memoryLogger());
    assert.deepEqual((await second.read()).journal, ['{"n":1}', '{"n":2}']);
    await second.appendJournal(['{"n":3}']);
    await second.close();
    const third = new FileIndexStore(dir, memoryLogger());
    assert.deepEqual((await third.read()).journal, ['{"n":1}', '{"n":2}', '{"n":3}']);
    await third.close();
  });

  it('a journal that is not ours is replaced by a new one, and the index file is kept', async () => {
    const dir = await folder();
    const first = new FileIndexStore(dir, memoryLogger());
    await first.read();
    await first.rewrite(Buffer.from('SNIDX 1 0\n#actors\n'));
    await first.close();
    await writeFile(join(dir, 'index.journal'), 'something else');
    const logger = memoryLogger();
    const second = new FileIndexStore(dir, logger);
    const read = await second.read();
    assert.deepEqual(read.journal, []);
    assert.ok(logger.lines.some((l) => l.includes('not an index journal')));
    await second.appendJournal(['{"n":1}']);
    await second.close();
    assert.deepEqual((await new FileIndexStore(dir, memoryLogger()).read()).journal, ['{"n":1}']);
    assert.equal(await readFile(join(dir, 'index'), 'utf8'), 'SNIDX 1 0\n#actors\n');
  });

  it('reads the first bytes of the index for the first screen', async () => {
    const dir = await folder();
    const store = new FileIndexStore(dir, memoryLogger());
    assert.equal(await store.readPrefix(10), undefined);
    await store.read();
    await store.rewrite(Buffer.from('SNIDX 1 0\n#actors\n'));
    assert.equal(Buffer.from((await store.readPrefix(5))!).toString(), 'SNIDX');
    await store.close();
  });
});
