/**
 * When the sync coordinator confirms changes: shortly after a change, but at most one round every
 * CHANGE_SYNC_MIN_GAP_MS — not one round per keystroke. Stub components (no libp2p): a stream that
 * cannot be opened ends each round at once, and each attempt is counted. Node's mock timers drive
 * the clock.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { createLogger } from '../../src/core/logger.js';
import type { Replica } from '../../src/core/replica.js';
import { CHANGE_SYNC_MIN_GAP_MS } from '../../src/net/constants.js';
import { replicaCatchUp, SyncCoordinator } from '../../src/net/sync-coordinator.js';

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 0 }));
afterEach(() => mock.timers.reset());

function coordinator(): { sync: SyncCoordinator; opened: number[] } {
  const opened: number[] = [];
  const sync = new SyncCoordinator(
    {
      catchUp: replicaCatchUp({} as Replica<unknown>), // never reached: no stream opens
      logger: createLogger(() => undefined, 'test', 'error'),
      openStream: () => {
        opened.push(Date.now());
        return Promise.reject(new Error('no stream in this test'));
      },
      strike: () => undefined,
      changed: () => undefined,
      connectedPeers: () => ['peer-b'],
      registrar: { handle: () => Promise.resolve(), unhandle: () => Promise.resolve() }, // start() is not called
    },
    { selfId: 'peer-a', antiEntropyMs: 3_600_000, clock: () => Date.now() },
  );
  return { sync, opened };
}

/** Lets the refused stream attempts settle between timer ticks. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

async function changeEvery(sync: SyncCoordinator, gapMs: number, untilMs: number): Promise<void> {
  while (Date.now() < untilMs) {
    sync.afterChange(100);
    mock.timers.tick(gapMs);
    await flush();
  }
}

test('one change is confirmed shortly after', async () => {
  const { sync, opened } = coordinator();
  sync.afterChange(100);
  mock.timers.tick(100);
  await flush();
  assert.deepEqual(opened, [100]);
  await sync.stop();
});

test('someone typing (a change every 100 ms) starts one round every CHANGE_SYNC_MIN_GAP_MS, not one per key', async () => {
  const { sync, opened } = coordinator();
  await changeEvery(sync, 100, 3 * CHANGE_SYNC_MIN_GAP_MS);
  assert.deepEqual(opened, [100, 100 + CHANGE_SYNC_MIN_GAP_MS, 100 + 2 * CHANGE_SYNC_MIN_GAP_MS]);
  // The last keys are confirmed too, by the round already scheduled.
  mock.timers.tick(CHANGE_SYNC_MIN_GAP_MS);
  await flush();
  assert.equal(opened.length, 4);
  await sync.stop();
});
