import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catchUpMessage, catchUpStep, isCatchingUp, NO_CATCH_UP, NO_MEMBER_AFTER_MS, PROGRESS_AFTER_MS, statusModel, type CatchUpState, type NodeSnapshot } from '../../src/extension/status.js';
import type { PeerRow } from '../../src/extension/tree-items.js';
import { NO_PROGRESS } from '../helpers/peers.js';

const NOW = 1_750_000_000_000;
const none = { connected: 0, inSync: 0, syncing: 0 };
const running = (summary: NodeSnapshot['summary'], peers: PeerRow[] = []): NodeSnapshot => ({ phase: 'running', spaceName: 'Kitchen', peers, summary });
const peer = (peerId: string, state: PeerRow['state']): PeerRow => ({ peerId, addrs: ['/ip4/127.0.0.1/tcp/4001/ws'], connected: true, state, lastSyncAt: NOW - 60_000 });

describe('status bar model', () => {
  it('offline when no peer is connected', () => {
    const m = statusModel(running(none), NOW);
    assert.equal(m.text, '$(cloud-offline) Offline');
    assert.match(m.tooltip, /\*\*Kitchen\*\*/);
    assert.match(m.tooltip, /No peers connected/);
    assert.equal(m.kind, 'normal');
  });

  it('offline for a while: "No member reachable", with the reason and what to do', () => {
    const justOff = statusModel({ ...running(none), offlineSince: NOW - 10_000 }, NOW);
    assert.equal(justOff.text, '$(cloud-offline) Offline', 'a short gap (a restart, a reconnect) is only "Offline"');
    assert.equal(justOff.recheckInMs, NO_MEMBER_AFTER_MS - 10_000, 'looked at again when the 30 s are up');

    const nobody = statusModel({ ...running(none), offlineSince: NOW - NO_MEMBER_AFTER_MS }, NOW);
    assert.equal(nobody.text, '$(debug-disconnect) No member reachable');
    assert.equal(nobody.kind, 'warning');
    assert.equal(nobody.recheckInMs, undefined);
    assert.match(nobody.tooltip, /knows no other member of \*\*Kitchen\*\* yet/);
    assert.match(nobody.tooltip, /fresh invite/);
    assert.match(nobody.tooltip, /Copy Invite/, 'a space nobody joined yet: how to invite');
    assert.match(nobody.tooltip, /sharedNotes\.bootstrapPeers/);
    assert.match(nobody.tooltip, /keeps trying/);

    const gone = [{ ...peer('12D3KooWzzzzzzzzAAAA1111', 'connecting'), connected: false }, { ...peer('12D3KooWyyyyyyyyBBBB2222', 'connecting'), connected: false }];
    const known = statusModel({ ...running(none, gone), offlineSince: NOW - 5 * 60_000 }, NOW);
    assert.equal(known.text, '$(debug-disconnect) No member reachable');
    assert.match(known.tooltip, /None of the 2 members this device knows of \*\*Kitchen\*\* answered \(for 5 min\)/);

    const back = statusModel({ ...running({ connected: 1, inSync: 1, syncing: 0 }), offlineSince: undefined }, NOW);
    assert.equal(back.text, '$(check) In sync · 1 peer', 'a member connected: the warning is gone');
  });

  it('in sync only when every connected peer is', () => {
    assert.equal(statusModel(running({ connected: 1, inSync: 1, syncing: 0 })).text, '$(check) In sync · 1 peer');
    assert.equal(statusModel(running({ connected: 3, inSync: 3, syncing: 0 })).text, '$(check) In sync · 3 peers');
    assert.equal(statusModel(running({ connected: 2, inSync: 1, syncing: 0 })).text, '$(broadcast) 2 peers · 1 in sync');
  });

  it('syncing n of m while a catch-up runs', () => {
    const s = running({ connected: 2, inSync: 1, syncing: 1 });
    assert.equal(statusModel(s).text, '$(sync~spin) Syncing 1 of 2');
    assert.equal(isCatchingUp(s), true);
    assert.equal(isCatchingUp(running({ connected: 2, inSync: 2, syncing: 0 })), false);
  });

  it('lists the connected peers in the tooltip', () => {
    const m = statusModel(running({ connected: 2, inSync: 1, syncing: 1 }, [peer('12D3KooWzzzzzzzzAAAA1111', 'in-sync'), peer('12D3KooWyyyyyyyyBBBB2222', 'syncing')]), NOW);
    assert.match(m.tooltip, /`…BBBB2222` syncing… · 127\.0\.0\.1:4001 \(ws\)/);
    assert.match(m.tooltip, /`…AAAA1111` in sync · 127\.0\.0\.1:4001 \(ws\) · synced 1 min ago/);
    const relayed = statusModel(running({ connected: 1, inSync: 1, syncing: 0 }, [{ ...peer('12D3KooWzzzzzzzzAAAA1111', 'in-sync'), via: 'relayed' }]), NOW);
    assert.match(relayed.tooltip, /`…AAAA1111` in sync · relayed · 127\.0\.0\.1:4001/, 'how each peer is connected');
    const named = statusModel(running({ connected: 1, inSync: 1, syncing: 0 }, [{ ...peer('12D3KooWzzzzzzzzAAAA1111', 'in-sync'), name: 'Bob_*' }]), NOW);
    assert.match(named.tooltip, /- Bob\\_\\\* `…AAAA1111` in sync/, 'the name, escaped, then the short id');
  });

  it('starting, no space, stopped and error states', () => {
    assert.equal(statusModel({ phase: 'starting', peers: [], summary: none }).text, '$(loading~spin) Shared Notes');
    assert.match(statusModel({ phase: 'no-space', peers: [], summary: none }).tooltip, /create one or join/);
    assert.equal(statusModel({ phase: 'stopped', peers: [], summary: none }).kind, 'normal');
    const err = statusModel({ phase: 'error', error: 'StoreLockedError: held by pid 7', peers: [], summary: none });
    assert.equal(err.kind, 'error');
    assert.equal(err.text, '$(error) Shared Notes');
    assert.match(err.tooltip, /held by pid 7/);
  });
});

describe('catch-up progress notification', () => {
  const idle = running({ connected: 2, inSync: 2, syncing: 0 });
  const busy = running({ connected: 2, inSync: 1, syncing: 1 }, [
    { ...peer('12D3KooWzzzzzzzzAAAA1111', 'syncing'), progress: { ...NO_PROGRESS, bytesIn: 3 * 1024 * 1024, bytesOut: 100, changesIn: 340 } },
    peer('12D3KooWyyyyyyyyBBBB2222', 'in-sync'),
  ]);
  /** Feeds snapshots at the given times through catchUpStep, as the status bar does. */
  const run = (events: Array<[number, NodeSnapshot]>) => {
    let state: CatchUpState = NO_CATCH_UP;
    return events.map(([at, s]) => {
      const step = catchUpStep(state, s, at);
      state = step.state;
      return step;
    });
  };

  it('a round shorter than a second shows nothing, and asks to look again when it would be due', () => {
    const [start, later, done] = run([[NOW, busy], [NOW + 400, busy], [NOW + 900, idle]]);
    assert.equal(start?.recheckInMs, PROGRESS_AFTER_MS);
    assert.equal(later?.recheckInMs, PROGRESS_AFTER_MS - 400);
    for (const step of [start, later, done]) assert.equal(step?.show ?? step?.end, undefined);
  });

  it('a catch-up still running after a second opens the notification, follows it, and closes it when it ends', () => {
    const steps = run([[NOW, busy], [NOW + PROGRESS_AFTER_MS, busy], [NOW + 1_500, busy], [NOW + 4_000, idle], [NOW + 5_000, idle]]);
    assert.equal(steps[1]?.show, '1 of 2 peers · 3.0 MB received (340 changes)');
    assert.equal(steps[2]?.update, '1 of 2 peers · 3.0 MB received (340 changes)');
    assert.equal(steps[2]?.show, undefined, 'opened once');
    assert.equal(steps[3]?.end, true);
    assert.equal(steps[4]?.end, undefined, 'closed once');
  });

  it('a new catch-up waits its own second again', () => {
    const steps = run([[NOW, busy], [NOW + 2_000, busy], [NOW + 3_000, idle], [NOW + 10_000, busy], [NOW + 10_500, busy]]);
    assert.ok(steps[1]?.show !== undefined && steps[2]?.end === true);
    assert.equal(steps[3]?.recheckInMs, PROGRESS_AFTER_MS);
    assert.equal(steps[4]?.show, undefined);
  });

  it('a node that stops mid catch-up closes the notification', () => {
    const stopped: NodeSnapshot = { phase: 'stopped', peers: [], summary: none };
    const steps = run([[NOW, busy], [NOW + 1_200, busy], [NOW + 1_300, stopped]]);
    assert.equal(steps[2]?.end, true);
  });

  it('says how far it got, or only the peers before any data came', () => {
    assert.equal(catchUpMessage(busy), '1 of 2 peers · 3.0 MB received (340 changes)');
    assert.equal(catchUpMessage(running({ connected: 1, inSync: 0, syncing: 1 }, [peer('p', 'syncing')])), '1 of 1 peer');
  });
});
