import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GENESIS_HASH } from '../../src/core/genesis.js';
import { GENESIS_DOC_BASE64 } from '../../src/core/genesis-doc.js';
import type { EntryId } from '../../src/core/ids.js';
import { rawEntry, type SpaceDoc } from '../../src/core/layout.js';
import { bucketOrCreate } from '../../src/core/stored-entry.js';
import { memoryLogger } from '../../src/core/logger.js';
import { MemoryLogStore } from '../../src/core/memory-store.js';
import { Replica } from '../../src/core/replica.js';
import { genesisChange, genesisDoc, genesisHash } from '../../src/core/stored-document.js';

const applied = (actor: string) => A.applyChanges(A.init<SpaceDoc>({ actor }), [genesisChange()])[0];

test('the saved genesis document is byte for byte what this Automerge saves after the genesis change (else: scripts/make-genesis-doc.ts)', () => {
  assert.equal(Buffer.from(A.save(applied('aa'.repeat(16)))).toString('base64'), GENESIS_DOC_BASE64);
  assert.equal(A.decodeChange(genesisChange()).hash, GENESIS_HASH, 'the generated hash is the change\'s');
  assert.equal(genesisHash(), GENESIS_HASH);
});

test('a document started from the saved genesis is the same document as one the genesis change was applied to: their changes merge', () => {
  const loaded = A.clone(genesisDoc<SpaceDoc>(), { actor: 'bb'.repeat(16) });
  assert.deepEqual(A.getHeads(loaded), [GENESIS_HASH]);
  const other = applied('cc'.repeat(16));
  const a = `aaa${'1'.repeat(29)}` as EntryId;
  const b = `aaa${'2'.repeat(29)}` as EntryId; // the same bucket: its map must be the genesis's, not a new one
  const fromLoaded = A.change(loaded, (d) => void (bucketOrCreate(d, a)[a] = { title: 'from the saved genesis' }));
  const fromApplied = A.change(other, (d) => void (bucketOrCreate(d, b)[b] = { title: 'from the applied change' }));
  for (const [mine, theirs] of [[fromLoaded, fromApplied], [fromApplied, fromLoaded]] as const) {
    const merged = A.merge(A.clone(mine), theirs);
    assert.deepEqual(A.getConflicts(merged.b!.a!.a!, 'a'), undefined, 'no competing bucket maps');
    assert.equal((rawEntry(merged, a) as { title: string }).title, 'from the saved genesis');
    assert.equal((rawEntry(merged, b) as { title: string }).title, 'from the applied change');
  }
});

test('an empty store opens as the genesis document; a store with a genesis-only snapshot too', async () => {
  const store = new MemoryLogStore();
  const { replica } = await Replica.open<SpaceDoc>(store, { name: 'local', logger: memoryLogger() });
  assert.deepEqual(replica.heads(), [GENESIS_HASH]);
  await replica.compact();
  await replica.close();
  const again = await Replica.open<SpaceDoc>(store.reopen(), { name: 'local', logger: memoryLogger() });
  assert.deepEqual(again.replica.heads(), [GENESIS_HASH]);
  assert.deepEqual(again.problems, []);
  await again.replica.close();
});
