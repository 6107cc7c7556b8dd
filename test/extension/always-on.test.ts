import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../src/core/errors.js';
import { encodeInvite, newSpace } from '../../src/core/invite.js';
import { alwaysOnAddresses, alwaysOnIds, peerIdOfAddress, validateAlwaysOn, withAlwaysOn } from '../../src/extension/always-on.js';
import { DEFAULT_LISTEN } from '../../src/engine/defaults.js';
import { readSettings, settingsAction, type PeerSettings } from '../../src/extension/settings.js';
import { peerItem } from '../../src/extension/tree-items.js';

const SERVER = '12D3KooWK2VAa5wdSWyVCTLQeza1Wuejuk8da1d5En3Dui4CmsJr';
const OTHER = '12D3KooWBnZHmkDZ3aeEPuvvJyAvW3vXN8w9d3mjYWUr9BjnkjyP';
const ADDRESS = `/dns4/notes.example.org/tcp/4001/ws/p2p/${SERVER}`;

describe('always-on peers (Add Always-on Peer)', () => {
  const space = newSpace('Kitchen');

  it('takes a pasted address ending in /p2p/<peer id>, direct or through a relay', () => {
    assert.deepEqual(alwaysOnAddresses(`  ${ADDRESS}\n`, space.id), [ADDRESS]);
    const relayed = `/ip4/7.7.7.10/tcp/4001/ws/p2p/${SERVER}/p2p-circuit/p2p/${OTHER}`;
    assert.equal(peerIdOfAddress(relayed), OTHER);
    assert.equal(peerIdOfAddress(ADDRESS), SERVER);
  });

  it('takes the addresses of an invite of this space, and refuses another space\'s', () => {
    const invite = encodeInvite({ space, addresses: [ADDRESS, `/ip4/203.0.113.7/tcp/4001/ws/p2p/${SERVER}`] });
    assert.equal(alwaysOnAddresses(invite, space.id).length, 2);
    const foreign = encodeInvite({ space: newSpace('Garage'), addresses: [ADDRESS] });
    assert.throws(() => alwaysOnAddresses(foreign, space.id), (err: Error) => err instanceof InvalidInputError && /Garage/.test(err.message));
    assert.throws(() => alwaysOnAddresses(encodeInvite({ space, addresses: [] }), space.id), InvalidInputError);
  });

  it('explains what is wrong with anything else', () => {
    for (const bad of ['', 'notes.example.org:4001', '/ip4/1.2.3.4/tcp/4001/ws', `/ip4/1.2.3.4/udp/4001/quic/p2p/${SERVER}`, 'sn1-garbage']) {
      assert.equal(typeof validateAlwaysOn(bad, space.id), 'string', bad);
    }
    assert.equal(validateAlwaysOn(ADDRESS, space.id), undefined);
  });

  it('stores each address once and knows the peer ids', () => {
    assert.deepEqual(withAlwaysOn([ADDRESS], [ADDRESS, `/ip4/203.0.113.7/tcp/4001/ws/p2p/${SERVER}`]).length, 2);
    assert.deepEqual([...alwaysOnIds([ADDRESS, 'junk'])], [SERVER]);
  });

  it('is a setting: read, and a change restarts the node (which dials it)', () => {
    const s = readSettings((k) => (k === 'alwaysOnPeers' ? [ADDRESS, 3, ' '] : undefined), 'Ann');
    assert.deepEqual(s.alwaysOn, [ADDRESS]);
    const base: PeerSettings = { displayName: 'Ann', listen: [...DEFAULT_LISTEN], bootstrap: [], mdns: true, alwaysOn: [] };
    assert.equal(settingsAction('running', base, { ...base, alwaysOn: [ADDRESS] }), 'restart');
  });

  it('shows as "always-on" in the Peers view', () => {
    const row = peerItem({ peerId: SERVER, name: 'Server', addrs: [ADDRESS], connected: true, state: 'in-sync', alwaysOn: true });
    assert.match(String(row.description), /^always-on · in sync/);
    assert.match(String(row.tooltip), /Always-on peer/);
    const plain = peerItem({ peerId: SERVER, addrs: [ADDRESS], connected: true, state: 'in-sync' });
    assert.doesNotMatch(String(plain.description), /always-on/);
  });
});
