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
    assert.match(await readFile(join(dir, 'index'), 'utf8'), /^SNIDX 1 0\n#actors\n#crc32c\t[0-9a-f]{8}\n$/);
    assert.equal(Buffer.from((await new FileIndexStore(dir, memoryLogger()).read()).index!).toString('utf8'), 'SNIDX 1 0\n#actors\n', 'read without its checksum');
  });

  it('an index file damaged inside a row (its checksum does not verify) is not used: the list is rebuilt from the shard logs', async () => {
    const dir = await folder();
    const first = new FileIndexStore(dir, memoryLogger());
    await first.read();
    await first.rewrite(Buffer.from('SNIDX 1 1\nabc00000000000000000000000000000\tn\tp\t5\tAnn\tSoup\t1@0\n#actors\taa\n'));
    await first.appendJournal(['{"n":1}']);
    await first.close();
    const bytes = await readFile(join(dir, 'index'));
    bytes[20] = bytes[20]! ^ 0x01;
    await writeFile(join(dir, 'index'), bytes);
    const logger = memoryLogger();
    const read = await new FileIndexStore(dir, logger).read();
    assert.equal(read.index, undefined);
    assert.deepEqual(read.journal, [], 'a journal on top of a base not used is not used either');
    assert.ok(logger.lines.some((l) => /checksum does not verify/.test(l)), logger.lines.join('\n'));
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
