import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../../src/core/errors.js';
import { parseServeArgs, shiftPorts } from '../../src/cli/serve-args.js';

describe('shared-notes serve arguments', () => {
  it('reads the options, with the defaults of a daemon', () => {
    const a = parseServeArgs(['--data', '/srv/sn', '--space', 'abc', '--metrics', '127.0.0.1:9464', '--log=/var/log/sn.log', '--max-reservations', '16', '--no-mdns'], {});
    assert.equal(a.data, '/srv/sn');
    assert.deepEqual(a.spaces, ['abc']);
    assert.deepEqual(a.metrics, { host: '127.0.0.1', port: 9464 });
    assert.equal(a.log, '/var/log/sn.log');
    assert.equal(a.maxReservations, 16);
    assert.equal(a.mdns, false);
    assert.deepEqual(parseServeArgs(['--metrics', '[::1]:9464'], {}).metrics, { host: '::1', port: 9464 });
    assert.equal(parseServeArgs([], { SHARED_NOTES_DATA: '/d' }).data, '/d');
    assert.equal(parseServeArgs(['--help'], {}).command, 'help');
  });

  it('refuses what it cannot use, saying why', () => {
    for (const bad of [['--metrics', '9464'], ['--metrics', 'host:99999'], ['--max-reservations', 'many'], ['--join', 'x', '--new-space', 'y'], ['--bogus'], ['--data']]) {
      assert.throws(() => parseServeArgs(bad, {}), InvalidInputError, bad.join(' '));
    }
  });

  it('shifts fixed ports by the space index and leaves port 0 alone', () => {
    assert.deepEqual(shiftPorts(['/ip4/0.0.0.0/tcp/4001/ws', '/ip4/0.0.0.0/tcp/0/ws', '/dns4/x.org/tcp/443/wss'], 2), ['/ip4/0.0.0.0/tcp/4003/ws', '/ip4/0.0.0.0/tcp/0/ws', '/dns4/x.org/tcp/445/wss']);
    assert.deepEqual(shiftPorts(['/ip4/0.0.0.0/tcp/4001/ws'], 0), ['/ip4/0.0.0.0/tcp/4001/ws']);
    assert.throws(() => shiftPorts(['/ip4/0.0.0.0/tcp/65535/ws'], 1), InvalidInputError);
  });
});
