/**
 * SyncCoordinator on its own, with stub components (as js-libp2p's protocol tests do): two
 * coordinators over real replicas, talking through in-memory stream pairs instead of libp2p. Reruns
 * and the anti-entropy timer are driven by hand (a gated openStream, mocked setInterval, a fake
 * clock), so every assertion is about scheduling, never about how fast the machine is.
 */
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import type { Stream } from '@libp2p/interface';
import type { InvalidPeerDataError } from '../../src/core/errors.js';
import { memoryLogger } from '../../src/core/logger.js';
import { Replica } from '../../src/core/replica.js';
import { sameHeads } from '../../src/core/sync-session.js';
import { MAX_INBOUND_SYNC_STREAMS, SYNC_PROTOCOL } from '../../src/net/constants.js';
import type { InboundHandler, ProtocolRegistrar } from '../../src/net/registrar.js';
import { replicaCatchUp, SyncCoordinator } from '../../src/net/sync-coordinator.js';
import { memoryReplica, setKey, type TestDoc } from '../helpers/core.js';
import { streamPair } from '../helpers/net.js';

const replica = (name: string, changes = 0) => memoryReplica(name, { changes });
const write = setKey;

/** A registrar that only records what was registered. */
class RecordingRegistrar implements ProtocolRegistrar {
  readonly handlers = new Map<string, { handler: InboundHandler; maxInboundStreams: number }>();
  readonly removed: string[] = [];
  async handle(protocol: string, handler: InboundHandler, options: { maxInboundStreams: number }): Promise<void> {
    this.handlers.set(protocol, { handler, ...options });
  }
  async unhandle(protocol: string): Promise<void> {
    this.handlers.delete(protocol);
    this.removed.push(protocol);
  }
}

interface Side {
  id: string;
  replica: Replica<TestDoc>;
  sync?: SyncCoordinator;
  registrar: RecordingRegistrar;
  /** Outbound streams opened (attempts, including failed ones). */
  opened: number;
  strikes: InvalidPeerDataError[];
}

/**
 * Two coordinators, `a` and `b`, each other's only peer. `a`'s outbound streams go through
 * `gate` when given: the test decides when (and whether) each one opens.
 */
async function pair(options: { antiEntropyMs?: number; clock?: () => number; gate?: () => Promise<void> } = {}) {
  const sides = new Map<string, Side>();
  const make = async (id: string, other: string, changes: number): Promise<Required<Side>> => {
    const side: Side = { id, replica: await replica(id, changes), registrar: new RecordingRegistrar(), opened: 0, strikes: [] };
    side.sync = new SyncCoordinator(
      {
        catchUp: replicaCatchUp(side.replica as Replica<unknown>),
        logger: memoryLogger(),
        registrar: side.registrar,
        openStream: async (peerId: string): Promise<Stream> => {
          side.opened++;
          if (id === 'a' && options.gate) await options.gate();
          const [out, inbound] = await streamPair();
          // What the registrar would do: hand the peer's end to its handler.
          sides.get(peerId)?.registrar.handlers.get(SYNC_PROTOCOL)?.handler(id, inbound);
          return out;
        },
        strike: (_peerId, err) => side.strikes.push(err),
        changed: () => undefined,
        connectedPeers: () => [other],
      },
      // Only `a` runs anti-entropy at the test's interval: `b`'s rounds, fired by the same mocked
      // tick, raced `a`'s (a round from `b` made `a` skip its own) and the test failed 1 run in 10.
      { selfId: id, antiEntropyMs: id === 'a' ? (options.antiEntropyMs ?? 60_000) : 60_000, clock: options.clock },
    );
    sides.set(id, side);
    return side as Required<Side>;
  };
  const a = await make('a', 'b', 20);
  const b = await make('b', 'a', 5);
  await a.sync.start();
  await b.sync.start();
  return { a, b, stop: () => Promise.all([a.sync.stop(), b.sync.stop()]) };
}

/** A gate the test opens by hand: each waiting openStream resolves, or rejects with `fail`. */
function gate() {
  const waiting: Array<{ resolve(): void; reject(err: Error): void }> = [];
  return {
    pass: () => new Promise<void>((resolve, reject) => waiting.push({ resolve, reject })),
    waiting: () => waiting.length,
    open: () => waiting.shift()?.resolve(),
    fail: (err: Error) => waiting.shift()?.reject(err),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
/** Waits for `condition` over event-loop turns, for up to 10 s of real time (a count of turns ran out on a busy CI machine). */
async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline) {
    if (condition()) return;
    await tick();
  }
  assert.fail(`never happened: ${what}`);
}

describe('SyncCoordinator with stub components', () => {
  it('registers SYNC_PROTOCOL with its inbound cap in start() and removes it in stop()', async () => {
    const { a, stop } = await pair();
    assert.equal(a.registrar.handlers.get(SYNC_PROTOCOL)?.maxInboundStreams, MAX_INBOUND_SYNC_STREAMS);
    await stop();
    assert.deepEqual(a.registrar.removed, [SYNC_PROTOCOL]);
    assert.equal(a.registrar.handlers.size, 0);
  });

  it('requests made while a round runs become one rerun, skipped when the round ended in sync', async () => {
    const g = gate();
    const { a, b, stop } = await pair({ gate: g.pass });
    const first = a.sync.request('b');
    await until('the first round asks for a stream', () => g.waiting() === 1);
    const more = [a.sync.request('b'), a.sync.request('b')];
    assert.equal(a.sync.view('b').running, true);
    g.open();
    await Promise.all([first, ...more]);
    assert.ok(sameHeads(a.replica.heads(), b.replica.heads()), 'the round converged both sides');
    assert.equal(a.opened, 1, 'in sync after the round: the rerun was dropped');
    assert.equal(a.sync.view('b').last?.inSync(), true);
    await stop();
  });

  it('a round that did not end in sync is rerun once for every request made meanwhile', async () => {
    const g = gate();
    const { a, b, stop } = await pair({ gate: g.pass });
    const first = a.sync.request('b');
    await until('the first round asks for a stream', () => g.waiting() === 1);
    const more = [a.sync.request('b'), a.sync.request('b')];
    g.fail(new Error('no connection right now'));
    await first;
    await until('the rerun asks for a stream', () => g.waiting() === 1);
    assert.equal(a.opened, 2, 'one rerun, not one per request');
    g.open();
    await Promise.all(more);
    assert.ok(sameHeads(a.replica.heads(), b.replica.heads()));
    assert.equal(a.opened, 2);
    await stop();
  });

  it('anti-entropy: a round every interval, skipping a peer synced in the last half of it', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    let now = 1_000_000;
    const { a, b, stop } = await pair({ antiEntropyMs: 10_000, clock: () => now });
    t.mock.timers.tick(10_000);
    await until('the first anti-entropy round is over', () => a.opened === 1 && !a.sync.view('b').running);
    assert.ok(sameHeads(a.replica.heads(), b.replica.heads()));
    assert.equal(a.sync.view('b').lastSyncAt, now);

    await write(b.replica, 'later'); // b changed, but nothing told a's coordinator
    now += 4_000; // synced 4 s ago: less than half the interval
    t.mock.timers.tick(10_000);
    await tick();
    assert.equal(a.opened, 1, 'a peer synced in the last half interval is skipped');

    now += 2_000; // 6 s since the last round
    t.mock.timers.tick(10_000);
    await until('the next anti-entropy round is over', () => a.opened === 2 && !a.sync.view('b').running);
    assert.ok(sameHeads(a.replica.heads(), b.replica.heads()), 'the change b made reached a by anti-entropy');
    mock.timers.reset();
    await stop();
  });

  it('after a change, only peers not known to be in sync get a round', async () => {
    const { a, b, stop } = await pair();
    await a.sync.request('b');
    assert.equal(a.opened, 1);
    a.sync.afterChange(0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(a.opened, 1, 'in sync and nothing changed: no round');
    await write(a.replica, 'new');
    a.sync.afterChange(0);
    await until('a round after the change', () => a.opened === 2 && !a.sync.view('b').running);
    assert.ok(sameHeads(a.replica.heads(), b.replica.heads()));
    await stop();
  });
});
