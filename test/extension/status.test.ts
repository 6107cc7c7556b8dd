import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCatchingUp, statusModel, type NodeSnapshot } from '../../src/extension/status.js';
import type { PeerView } from '../../src/extension/tree-items.js';

const NOW = 1_750_000_000_000;
const none = { connected: 0, inSync: 0, syncing: 0 };
const running = (summary: NodeSnapshot['summary'], peers: PeerView[] = []): NodeSnapshot => ({ phase: 'running', spaceName: 'Kitchen', peers, summary });
const peer = (peerId: string, state: PeerView['state']): PeerView => ({ peerId, addrs: ['/ip4/127.0.0.1/tcp/4001/ws'], connected: true, state, lastSyncAt: NOW - 60_000 });

describe('status bar model', () => {
  it('offline when no peer is connected', () => {
    const m = statusModel(running(none), NOW);
    assert.equal(m.text, '$(cloud-offline) Offline');
    assert.match(m.tooltip, /\*\*Kitchen\*\*/);
    assert.match(m.tooltip, /No peers connected/);
    assert.equal(m.kind, 'normal');
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
