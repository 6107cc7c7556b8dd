import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeInvite, encodeInvite, inviteAddresses, MAX_INVITE_ADDRESSES, MAX_INVITE_MEMBERS, MAX_INVITE_SELF_ADDRESSES, newSpace } from '../../src/core/invite.js';

describe('invite codes', () => {
  const invite = { space: newSpace('Family recipes'), addresses: ['/ip4/127.0.0.1/tcp/4001/ws/p2p/12D3KooWExample'] };

  it('round-trips space id, name, key and addresses', () => {
    const code = encodeInvite(invite);
    assert.match(code, /^sn1-[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeInvite(code), invite);
    assert.deepEqual(decodeInvite(`  ${code.slice(0, 20)}\n${code.slice(20)} `), invite, 'tolerates wrapped pastes');
  });

  it('rejects damage, truncation, other versions and junk with InvalidInviteError', () => {
    const code = encodeInvite(invite);
    for (const bad of ['', 'hello', 'sn2-abc.def', code.slice(0, -3), code.slice(0, 30), code.replace('.', '..'), code + 'x']) {
      assert.throws(() => decodeInvite(bad), { name: 'InvalidInviteError' }, bad);
    }
  });

  it('never accepts a single-character change (property)', () => {
    const code = encodeInvite(invite);
    fc.assert(
      fc.property(fc.nat(code.length - 1), fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.'), (pos, ch) => {
        const mutated = code.slice(0, pos) + ch + code.slice(pos + 1);
        fc.pre(mutated !== code);
        try {
          decodeInvite(mutated);
          return false;
        } catch (err) {
          return (err as Error).name === 'InvalidInviteError';
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('invites listing several members', () => {
  // Made by the version before invites listed other members: the inviter's one address.
  const OLD = 'sn1-eyJpIjoiMDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYiLCJuIjoiS2l0Y2hlbiIsImsiOiJCd2NIQndjSEJ3Y0hCd2NIQndjSEJ3Y0hCd2NIQndjSEJ3Y0hCd2NIQndjIiwiYSI6WyIvaXA0LzE5Mi4xNjguMS4yMC90Y3AvNDAxMjMvd3MvcDJwLzEyRDNLb29XRHBKN0FzN0JXQXdSTWZ1MVZVMldDcU5qdnEzODdKRVlLREJqNGt4Nm5YVE4iXX0.YHYOs9da';

  it('still reads an old single-address invite', () => {
    const invite = decodeInvite(OLD);
    assert.equal(invite.space.name, 'Kitchen');
    assert.deepEqual(invite.addresses, ['/ip4/192.168.1.20/tcp/40123/ws/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN']);
  });

  it('lists this device, then always-on peers, then connected and recently seen members, within bounds', () => {
    const self = ['/ip4/127.0.0.1/tcp/1/ws/p2p/Me', '/ip4/10.0.0.2/tcp/1/ws/p2p/Me'];
    const members = [
      { addrs: ['/ip4/10.0.0.3/tcp/3/ws/p2p/Old'], connected: false, lastSeen: 1_000 },
      { addrs: ['/ip4/10.0.0.4/tcp/4/ws/p2p/Never'], connected: false },
      { addrs: ['/ip4/10.0.0.5/tcp/5/ws/p2p/Recent'], connected: false, lastSeen: 9_000 },
      { addrs: ['/ip4/10.0.0.6/tcp/a/ws/p2p/Now', '/ip4/10.0.0.6/tcp/b/ws/p2p/Now', '/ip4/10.0.0.6/tcp/c/ws/p2p/Now'], connected: true },
    ];
    assert.deepEqual(inviteAddresses(self, members, ['/dns4/always.example/tcp/443/wss/p2p/Server', self[0]!]), [
      ...self,
      '/dns4/always.example/tcp/443/wss/p2p/Server',
      '/ip4/10.0.0.6/tcp/b/ws/p2p/Now',
      '/ip4/10.0.0.6/tcp/c/ws/p2p/Now',
      '/ip4/10.0.0.5/tcp/5/ws/p2p/Recent',
      '/ip4/10.0.0.3/tcp/3/ws/p2p/Old',
    ]);
    const many = Array.from({ length: 40 }, (_, i) => ({ addrs: [`/ip4/10.1.0.${i}/tcp/1/ws/p2p/P${i}`], connected: true }));
    const listed = inviteAddresses(Array.from({ length: 20 }, (_, i) => `/ip4/10.2.0.${i}/tcp/1/ws/p2p/Me`), many);
    assert.ok(listed.length <= MAX_INVITE_ADDRESSES);
    assert.equal(listed.filter((a) => a.endsWith('/p2p/Me')).length, MAX_INVITE_SELF_ADDRESSES);
    assert.equal(listed.filter((a) => !a.endsWith('/p2p/Me')).length, MAX_INVITE_MEMBERS);
    const withServers = inviteAddresses(listed, [], Array.from({ length: 10 }, (_, i) => `/ip4/10.3.0.${i}/tcp/1/ws/p2p/S${i}`));
    assert.equal(withServers.length, MAX_INVITE_ADDRESSES, 'never more than the cap');
    const code = encodeInvite({ space: newSpace('Big'), addresses: withServers });
    assert.deepEqual(decodeInvite(code).addresses, withServers, 'a full invite round-trips');
  });
});
