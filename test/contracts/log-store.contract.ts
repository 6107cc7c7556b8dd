/**
 * The behaviour every LogStore must show, run against each implementation (MemoryLogStore,
 * FileLogStore) so the in-memory twin used by higher-layer tests cannot drift from the real one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogStore } from '../../src/core/ports.js';

/** A place that holds one store: `open` it the first time, `reopen` it after a close, as a restart would. */
export interface LogStoreHarness {
  open(): Promise<LogStore>;
  reopen(): Promise<LogStore>;
  dispose?(): Promise<void>;
}

export type LogStoreHarnessFactory = () => Promise<LogStoreHarness>;

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const texts = (records: readonly Uint8Array[]): string[] => records.map((r) => new TextDecoder().decode(r));

async function withHarness(factory: LogStoreHarnessFactory, body: (harness: LogStoreHarness) => Promise<void>): Promise<void> {
  const harness = await factory();
  try {
    await body(harness);
  } finally {
    await harness.dispose?.();
  }
}

export function logStoreContract(name: string, factory: LogStoreHarnessFactory): void {
  describe(`LogStore contract: ${name}`, () => {
    it('loads empty when nothing was stored', () =>
      withHarness(factory, async (h) => {
        const store = await h.open();
        const loaded = await store.load();
        assert.equal(loaded.snapshot, undefined);
        assert.deepEqual(loaded.records, []);
        assert.deepEqual(loaded.problems, []);
        await store.close();
      }));

    it('returns appended records in order', () =>
      withHarness(factory, async (h) => {
        const store = await h.open();
        await store.append([bytes('a'), bytes('b')]);
        await store.append([bytes('c')]);
        await store.append([]);
        assert.deepEqual(texts((await store.load()).records), ['a', 'b', 'c']);
        await store.close();
      }));

    it('keeps records across close and reopen', () =>
      withHarness(factory, async (h) => {
        const first = await h.open();
        await first.append([bytes('one'), bytes('two')]);
        await first.close();
        const second = await h.reopen();
        const loaded = await second.load();
        assert.deepEqual(texts(loaded.records), ['one', 'two']);
        assert.deepEqual(loaded.problems, []);
        await second.close();
      }));

    it('does not let a caller change saved bytes by reusing its buffer', () =>
      withHarness(factory, async (h) => {
        const store = await h.open();
        const record = bytes('keep');
        const saved = store.append([record]);
        record.fill(0);
        await saved;
        assert.deepEqual(texts((await store.load()).records), ['keep']);
        await store.close();
      }));

    it('compact replaces the snapshot and empties the records, durably', () =>
      withHarness(factory, async (h) => {
        const store = await h.open();
        await store.append([bytes('r1'), bytes('r2')]);
        await store.compact(bytes('snap-1'));
        let loaded = await store.load();
        assert.deepEqual(texts([loaded.snapshot!]), ['snap-1']);
        assert.deepEqual(loaded.records, []);
        await store.compact(bytes('snap-2'));
        await store.close();
        const reopened = await h.reopen();
        loaded = await reopened.load();
        assert.deepEqual(texts([loaded.snapshot!]), ['snap-2']);
        assert.deepEqual(loaded.records, []);
        await reopened.close();
      }));

    it('quarantine keeps records aside without touching the log or the snapshot', () =>
      withHarness(factory, async (h) => {
        const store = await h.open();
        await store.append([bytes('good')]);
        const where = await store.quarantine([bytes('bad-1'), bytes('bad-2')]);
        assert.equal(typeof where, 'string');
        assert.ok(where.length > 0);
        await store.close();
        const reopened = await h.reopen();
        const loaded = await reopened.load();
        assert.deepEqual(texts(loaded.records), ['good']);
        assert.equal(loaded.snapshot, undefined);
        await reopened.close();
      }));

    it('lands appends issued after compact after it, even without awaiting', () =>
      withHarness(factory, async (h) => {
        const store = await h.open();
        const pending = [store.append([bytes('before')]), store.compact(bytes('snap')), store.append([bytes('after')])];
        await Promise.all(pending);
        const loaded = await store.load();
        assert.deepEqual(texts([loaded.snapshot!]), ['snap']);
        assert.deepEqual(texts(loaded.records), ['after']);
        await store.close();
        const reopened = await h.reopen();
        assert.deepEqual(texts((await reopened.load()).records), ['after']);
        await reopened.close();
      }));

    it('persists concurrent appends in call order', () =>
      withHarness(factory, async (h) => {
        const store = await h.open();
        const expected: string[] = [];
        const pending: Promise<void>[] = [];
        for (let i = 0; i < 200; i++) {
          const batch = i % 3 === 0 ? [`${i}a`, `${i}b`] : [`${i}`];
          expected.push(...batch);
          pending.push(store.append(batch.map(bytes)));
        }
        await Promise.all(pending);
        assert.deepEqual(texts((await store.load()).records), expected);
        await store.close();
        const reopened = await h.reopen();
        assert.deepEqual(texts((await reopened.load()).records), expected);
        await reopened.close();
      }));

    it('rejects every use after close with StoreClosedError', () =>
      withHarness(factory, async (h) => {
        const store = await h.open();
        await store.close();
        const closed = { name: 'StoreClosedError' };
        await assert.rejects(store.append([bytes('late')]), closed);
        await assert.rejects(store.load(), closed);
        await assert.rejects(store.compact(bytes('late')), closed);
        await store.close(); // closing twice is harmless
      }));

    it('finishes appends issued before close', () =>
      withHarness(factory, async (h) => {
        const store = await h.open();
        const saved = store.append([bytes('last words')]);
        await store.close();
        await saved;
        const reopened = await h.reopen();
        assert.deepEqual(texts((await reopened.load()).records), ['last words']);
        await reopened.close();
      }));

    it('round-trips a 5 MiB record and a 5 MiB snapshot', () =>
      withHarness(factory, async (h) => {
        const big = new Uint8Array(5 * 1024 * 1024).map((_, i) => (i * 7919) % 251);
        const store = await h.open();
        await store.append([big, bytes('small')]);
        await store.close();
        const reopened = await h.reopen();
        const loaded = await reopened.load();
        assert.equal(loaded.records.length, 2);
        assert.ok(Buffer.from(loaded.records[0]!).equals(Buffer.from(big)));
        await reopened.compact(big);
        await reopened.close();
        const again = await h.reopen();
        assert.ok(Buffer.from((await again.load()).snapshot!).equals(Buffer.from(big)));
        await again.close();
      }));
  });
}
