import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EntryRead } from '../../src/core/entry.js';
import type { DeviceId, EntryId } from '../../src/core/ids.js';
import type { OpMessage } from '../../src/core/ops.js';
import { arrivals, arrivalText, catchUpText, PeerLineFilter, StatusLine, statusSettleMs, SYNCING_SETTLE_MS } from '../../src/cli/feed.js';
import type { PeerStatus } from '../../src/net/status.js';

const ann = { name: 'Ann', device: 'aaaaaaaaaaaaaaaa' as DeviceId };
const bob = { name: 'Bob', device: 'bbbbbbbbbbbbbbbb' as DeviceId };
const id = (c: string) => c.repeat(32) as EntryId;
const note = (author = ann): EntryRead => ({
  status: 'valid',
  entry: { id: id('1'), kind: 'note', title: 'Pancakes', body: '', author, createdAt: 0, updatedAt: 0, state: 'published' },
});

describe('arrival feed', () => {
  it('names the author of the change, and whose entry it is when that is someone else', () => {
    const edit: OpMessage = { v: 1, op: 'edit', id: id('1'), fields: ['body'], by: bob, at: 1 };
    assert.equal(arrivalText(edit, note(ann)), '← Bob edited the body of Ann\'s note "Pancakes" (11111111)');
    assert.equal(arrivalText(edit, note(bob)), '← Bob edited the body of note "Pancakes" (11111111)');
    const del: OpMessage = { v: 1, op: 'delete', id: id('1'), by: bob, at: 2 };
    const tomb: EntryRead = { status: 'deleted', tombstone: { id: id('1'), kind: 'note', deletedAt: 2, deletedBy: bob, fields: { title: 'Pancakes', body: '' } } };
    assert.equal(arrivalText(del, tomb), '← Bob deleted note "Pancakes" (11111111) (restore 11111111 brings it back)');
    assert.equal(arrivalText({ ...edit, by: ann }, tomb), '← Ann edited the body of note "Pancakes" (11111111), deleted since');
  });

  it('keeps the last op of each entry and leaves out our own (no echo)', () => {
    const ops: OpMessage[] = [
      { v: 1, op: 'edit', id: id('1'), fields: ['title'], by: bob, at: 1 },
      { v: 1, op: 'delete', id: id('2'), by: ann, at: 2 },
      { v: 1, op: 'edit', id: id('1'), fields: ['body'], by: bob, at: 3 },
    ];
    const got = arrivals(ops, ann.device);
    assert.deepEqual(got.map((o) => [o.id, o.op, o.at]), [[id('1'), 'edit', 3]]);
  });

  it('a catch-up names a few entries and counts the rest', () => {
    assert.equal(catchUpText(37, 'Bob (x)', ['Soup', 'Plan', 'Bread', 'Cake', 'Tea']), '← caught up 37 changes from Bob (x): "Soup", "Plan", "Bread" and 2 more');
    assert.equal(catchUpText(1, 'a peer', ['Soup']), '← caught up 1 change from a peer: "Soup"');
  });
});

describe('peer lines (--json)', () => {
  const status = (over: Partial<PeerStatus> = {}): PeerStatus => ({ peerId: 'p1', addrs: [], connected: true, state: 'syncing', ...over });
  const progress = (n: number) => ({ messagesIn: n, messagesOut: n, bytesIn: n, bytesOut: n, changesIn: 0 }) as unknown as PeerStatus['progress'];

  it('passes a change of connection, name, device or state; progress at most once a second', () => {
    let now = 0;
    const f = new PeerLineFilter(() => now);
    assert.equal(f.pass(status()), true);
    assert.equal(f.pass(status({ addrs: ['/ip4/1.2.3.4/tcp/1/ws'] })), false, 'a new address alone is not news');
    assert.equal(f.pass(status({ progress: progress(1) })), false, 'progress within the second');
    now = 1_200;
    assert.equal(f.pass(status({ progress: progress(2) })), true, 'progress after a second');
    assert.equal(f.pass(status({ progress: progress(3) })), false);
    assert.equal(f.pass(status({ state: 'in-sync' })), true);
    assert.equal(f.pass(status({ state: 'in-sync', name: 'Bob' })), true);
    assert.equal(f.pass(status({ state: 'in-sync', name: 'Bob', device: 'bbbbbbbbbbbbbbbb' })), true);
    assert.equal(f.pass(status({ state: 'in-sync', name: 'Bob', device: 'bbbbbbbbbbbbbbbb', connected: false })), true);
    assert.equal(f.pass(status({ state: 'in-sync', name: 'Bob', device: 'bbbbbbbbbbbbbbbb', connected: false })), false);
  });

  it('a check-up round with a peer in sync prints nothing unless it brings changes or lasts a second', () => {
    let now = 0;
    const f = new PeerLineFilter(() => now);
    const inSync = status({ state: 'in-sync' });
    assert.equal(f.pass(inSync), true);
    assert.equal(f.pass(status({ progress: progress(1) })), false, 'a routine round starts');
    now = 300;
    assert.equal(f.pass(inSync), false, 'and ends as it began');
    assert.equal(f.pass(status({ progress: { ...progress(1)!, changesIn: 2 } as PeerStatus['progress'] })), true, 'a round that brings changes');
    assert.equal(f.pass(inSync), true);
    assert.equal(f.pass(status({ progress: progress(1) })), false);
    now = 1_400;
    assert.equal(f.pass(status({ progress: progress(2) })), true, 'a round that lasts a second');
  });
});

describe('readable status line', () => {
  it('prints a new state once it has settled, nothing for a flicker, and never while a command runs', async () => {
    const printed: string[] = [];
    const line = new StatusLine((t) => printed.push(t), 'status: in sync with 2 peers', 40);
    line.update('status: syncing 1 of 2 peers');
    line.update('status: in sync with 2 peers'); // back before it settled
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(printed, []);
    line.setBusy(true);
    line.update('status: offline (no peers)');
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(printed, [], 'held while the command runs');
    line.setBusy(false);
    assert.deepEqual(printed, ['status: offline (no peers)']);
    line.update('status: syncing 1 of 1 peer', 10_000); // a sync in progress must last longer to be told
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(printed, ['status: offline (no peers)']);
    line.stop();
  });

  it('sync rounds that come and go do not keep a new state from being told', async () => {
    const printed: string[] = [];
    const line = new StatusLine((t) => printed.push(t), 'status: syncing 1 of 1 peer', 60);
    line.update('status: in sync with 3 peers');
    for (let i = 0; i < 10; i++) {
      // a check-up round with one of the peers every 20 ms, each over after 10 ms
      await new Promise((r) => setTimeout(r, 10));
      line.update('status: syncing 1 of 3 peers', 10_000);
      await new Promise((r) => setTimeout(r, 10));
      line.update('status: in sync with 3 peers');
    }
    assert.deepEqual(printed, ['status: in sync with 3 peers'], 'held 60 ms apart from the rounds');
    line.update('status: syncing 2 of 3 peers', 10_000);
    line.update('status: 3 peers, 2 in sync');
    line.update('status: in sync with 3 peers');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(printed, ['status: in sync with 3 peers'], 'a flicker through another state prints nothing');
    line.update('status: syncing 1 of 3 peers', 100);
    line.update('status: syncing 2 of 3 peers', 100); // the same sync, still running
    await new Promise((r) => setTimeout(r, 50));
    line.update('status: syncing 3 of 3 peers', 100);
    await new Promise((r) => setTimeout(r, 80));
    assert.deepEqual(printed.at(-1), 'status: syncing 3 of 3 peers', 'a sync that lasts is told from when it began');
    line.update('status: in sync with 3 peers');
    assert.deepEqual(printed.at(-1), 'status: in sync with 3 peers', 'and its end at once');
    line.stop();
  });

  it('peers behind wait as long as a sync that runs: a change leaves them behind until a round confirms it', () => {
    assert.equal(statusSettleMs({ connected: 3, inSync: 3, syncing: 0 }), undefined);
    assert.equal(statusSettleMs({ connected: 0, inSync: 0, syncing: 0 }), undefined, 'offline is told at once');
    assert.equal(statusSettleMs({ connected: 3, inSync: 2, syncing: 0 }), SYNCING_SETTLE_MS, 'a peer behind');
    assert.equal(statusSettleMs({ connected: 3, inSync: 2, syncing: 1 }), SYNCING_SETTLE_MS);
  });
});
