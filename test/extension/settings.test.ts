import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LISTEN } from '../../src/engine/defaults.js';
import { readSettings, settingsAction, type PeerSettings } from '../../src/extension/settings.js';

const base: PeerSettings = { displayName: 'Ann', listen: [...DEFAULT_LISTEN], bootstrap: [], mdns: true, alwaysOn: [] };

describe('settings', () => {
  it('cleans the display name like the network does, falling back to the account name', () => {
    assert.equal(readSettings((k) => (k === 'displayName' ? ' Ann\n\u202EB ' : undefined), 'acct').displayName, 'Ann B');
    assert.equal(readSettings((k) => (k === 'displayName' ? '\u0000 ' : undefined), 'acct').displayName, 'acct');
    assert.equal(readSettings((k) => (k === 'displayName' ? 'x'.repeat(300) : undefined), 'acct').displayName.length, 100);
  });

  describe('what a change asks of the node', () => {
    it('a running node restarts for a changed listen address, bootstrap list or mDNS switch', () => {
      assert.equal(settingsAction('running', base, { ...base, listen: ['/ip4/127.0.0.1/tcp/4001/ws'] }), 'restart');
      assert.equal(settingsAction('running', base, { ...base, bootstrap: ['/ip4/10.0.0.2/tcp/4001/ws'] }), 'restart');
      assert.equal(settingsAction('running', base, { ...base, mdns: false }), 'restart');
      assert.equal(settingsAction('running', base, { ...base, displayName: 'Bob', mdns: false }), 'restart', 'the restart applies the name too');
    });

    it('a running node is renamed live when only the name changed', () => {
      assert.equal(settingsAction('running', base, { ...base, displayName: 'Bob' }), 'rename');
    });

    it('equal values do nothing: a burst of events, or a change in another scope that ends up the same', () => {
      assert.equal(settingsAction('running', base, { ...base, listen: [...DEFAULT_LISTEN], bootstrap: [] }), 'none');
    });

    it('a node that failed to start tries again with new network settings only', () => {
      assert.equal(settingsAction('error', base, { ...base, listen: ['/ip4/127.0.0.1/tcp/0/ws'] }), 'restart');
      assert.equal(settingsAction('error', base, { ...base, displayName: 'Bob' }), 'none');
      assert.equal(settingsAction('error', undefined, base), 'restart', 'it failed before it read them');
    });

    it('without a space, while starting or stopped, nothing runs: the next start reads the settings', () => {
      for (const phase of ['no-space', 'starting', 'stopped'] as const) assert.equal(settingsAction(phase, base, { ...base, mdns: false }), 'none', phase);
    });
  });
});
