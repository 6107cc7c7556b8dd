import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeInvite, encodeInvite, newSpace } from '../../src/core/invite.js';

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
