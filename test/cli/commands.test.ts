import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArgs, USAGE, VERSION } from '../../src/cli/args.js';
import { COMMAND_HELP, parseCommand, splitFields } from '../../src/cli/commands.js';
import { describeError } from '../../src/core/errors.js';
import type { SpaceId } from '../../src/core/ids.js';
import { matchSpace } from '../../src/engine/spaces.js';
import { formatPeers } from '../../src/cli/format.js';

describe('CLI argument parsing', () => {
  it('defaults to the peer command on the default data folder', () => {
    const a = parseArgs([], { HOME: '/home/ann', XDG_DATA_HOME: '' });
    assert.equal(a.command, 'peer');
    assert.ok(a.data.endsWith('/.local/share/shared-notes'), a.data);
    assert.equal(parseArgs([], { XDG_DATA_HOME: '/xdg' }).data, '/xdg/shared-notes');
    assert.equal(parseArgs([], { SHARED_NOTES_DATA: '/tmp/x' }).data, '/tmp/x');
    assert.equal(a.mdns, true);
  });

  it('reads every option, repeatable ones included', () => {
    const a = parseArgs(['peer', '--data', 'D', '--new-space', 'Kitchen', '--listen', '/ip4/127.0.0.1/tcp/0/ws', '--listen=/ip6/::1/tcp/0/ws', '--announce', '/dns4/example.org/tcp/4001/ws', '--bootstrap', 'B1', '--name', 'Ann', '--no-mdns', '--json']);
    assert.deepEqual(
      { data: a.data, newSpace: a.newSpace, listen: a.listen, announce: a.announce, bootstrap: a.bootstrap, name: a.name, mdns: a.mdns, json: a.json },
      { data: 'D', newSpace: 'Kitchen', listen: ['/ip4/127.0.0.1/tcp/0/ws', '/ip6/::1/tcp/0/ws'], announce: ['/dns4/example.org/tcp/4001/ws'], bootstrap: ['B1'], name: 'Ann', mdns: false, json: true },
    );
  });

  it('rejects unknown options, missing values and contradictions clearly', () => {
    assert.throws(() => parseArgs(['--bogus']), { name: 'InvalidInputError', message: /unknown option/ });
    assert.throws(() => parseArgs(['--data']), { name: 'InvalidInputError', message: /needs a value/ });
    assert.throws(() => parseArgs(['--new-space', 'A', '--join', 'sn1-x.y']), { name: 'InvalidInputError' });
  });

  it('--version, --spaces, --quiet and --verbose; an empty --data is refused', () => {
    assert.equal(parseArgs(['--version']).command, 'version');
    assert.equal(parseArgs(['--spaces', '--data', 'D']).command, 'spaces');
    assert.equal(parseArgs(['--quiet']).logLevel, 'warn');
    assert.equal(parseArgs(['--verbose']).logLevel, 'debug');
    assert.throws(() => parseArgs(['--data', '']), { name: 'InvalidInputError', message: /--data needs a folder/ });
    assert.throws(() => parseArgs(['--data=']), { name: 'InvalidInputError' });
    assert.match(VERSION, /^\d+\.\d+\.\d+/);
    for (const documented of ['--quiet', '--version', '--space NAME|ID', '--spaces', '--verbose']) assert.ok(USAGE.includes(documented), documented);
    for (const command of ['help', 'ls | list', 'quit | exit', 'spaces']) assert.ok(COMMAND_HELP.includes(command), command);
  });

  it('--name: one clean line of at most 100 characters, or a clear error', () => {
    assert.equal(parseArgs(['--name', ' Ann\tBaker\n']).name, 'Ann Baker');
    assert.throws(() => parseArgs(['--name', 'x'.repeat(101)]), { name: 'InvalidInputError', message: /at most 100/ });
    assert.throws(() => parseArgs(['--name', '\u0000 \u202E']), { name: 'InvalidInputError', message: /visible/ });
  });
});

describe('REPL command parsing', () => {
  it('splits fields on unescaped | and resolves escapes', () => {
    assert.deepEqual(splitFields('a|b\\|c|d\\ne'), ['a', 'b|c', 'd\ne']);
  });

  it('parses create, edit and id commands', () => {
    assert.deepEqual(parseCommand('create note Shopping|milk\\neggs'), { name: 'create-note', title: 'Shopping', body: 'milk\neggs' });
    assert.deepEqual(parseCommand('create note Title only'), { name: 'create-note', title: 'Title only', body: '' });
    assert.deepEqual(parseCommand('create recipe Soup|water|boil it'), { name: 'create-recipe', recipeName: 'Soup', ingredients: 'water', instructions: 'boil it' });
    assert.deepEqual(parseCommand('edit 3fa2 title=New title|body=a = b'), { name: 'edit', id: '3fa2', fields: { title: 'New title', body: 'a = b' } });
    assert.deepEqual(parseCommand('  publish 3fa2c1 '), { name: 'publish', id: '3fa2c1' });
    assert.deepEqual(parseCommand('QUIT'), { name: 'quit' });
    assert.equal(parseCommand('   '), undefined);
    assert.equal(parseCommand('# a comment'), undefined);
  });

  it('rejects malformed commands with usage help', () => {
    for (const bad of ['create', 'create poem x', 'create recipe a|b', 'publish', 'publish a b', 'edit 3fa2', 'edit 3fa2 title', 'frobnicate']) {
      assert.throws(() => parseCommand(bad), { name: 'InvalidInputError' }, bad);
    }
  });
});

describe('peers output', () => {
  const id = (tail: string) => `12D3KooWxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx${tail}`;

  it('one line per peer: name (or - before its hello), device tag, short id, state, how it is connected, the address learned last', () => {
    const text = formatPeers([
      { peerId: id('AAAA1111'), name: 'Bob', device: '77aa0011bb22cc33', addrs: ['/ip4/127.0.0.1/tcp/3999/ws/p2p/x', '/ip4/127.0.0.1/tcp/4001/ws/p2p/x'], connected: true, via: 'loopback', state: 'in-sync' },
      { peerId: id('BBBB2222'), addrs: [], connected: false, state: 'connecting' },
      { peerId: id('DDDD4444'), name: 'Eve', addrs: [], connected: true, via: 'relayed', state: 'behind' },
    ]);
    assert.equal(
      text,
      [
        '  NAME  DEVICE      PEER          STATE         VIA           ADDRESS',
        '  Bob   [77aa0011]  …AAAA1111     in-sync       this machine  /ip4/127.0.0.1/tcp/4001/ws/p2p/x',
        '  -     -           …BBBB2222     disconnected  -',
        '  Eve   -           …DDDD4444     behind        relayed',
      ].join('\n'),
    );
    assert.equal(formatPeers([]), 'no peers connected');
  });

  it('cuts long names so the columns stay readable', () => {
    const line = formatPeers([{ peerId: id('CCCC3333'), name: 'N'.repeat(100), addrs: [], connected: true, state: 'syncing' }]).split('\n')[1];
    assert.equal(line, `  ${'N'.repeat(29)}…  -           …CCCC3333     syncing       -`);
  });
});

describe('choosing a space by name or id', () => {
  const spaces = [
    { space: { id: 'aa11000000000000000000000000000a' as SpaceId, name: 'Kitchen' } },
    { space: { id: 'aa22000000000000000000000000000b' as SpaceId, name: 'Garden' } },
    { space: { id: 'bb33000000000000000000000000000c' as SpaceId, name: 'Kitchen stories' } },
  ];
  it('accepts an exact name or id, or a unique prefix of either', () => {
    assert.equal(matchSpace(spaces, 'kitchen', '/d').space.name, 'Kitchen', 'an exact name wins over a longer one');
    assert.equal(matchSpace(spaces, 'Gar', '/d').space.name, 'Garden');
    assert.equal(matchSpace(spaces, 'bb3', '/d').space.name, 'Kitchen stories');
    assert.equal(matchSpace(spaces, 'aa22000000000000000000000000000b', '/d').space.name, 'Garden');
  });
  it('names the candidates when a prefix is ambiguous or matches nothing', () => {
    assert.throws(() => matchSpace(spaces, 'aa', '/d'), { name: 'InvalidInputError', message: /matches 2 spaces: "Kitchen" \(aa110000…\), "Garden"/ });
    assert.throws(() => matchSpace(spaces, 'zz', '/d'), { name: 'InvalidInputError', message: /no space matches "zz" in \/d; it holds/ });
    assert.throws(() => matchSpace([], 'zz', '/d'), { name: 'InvalidInputError', message: /holds no space yet/ });
  });
});

describe('describeError', () => {
  it('never prints [object Object] and drops stack frames pasted into messages', () => {
    assert.equal(describeError({ type: 'error', message: 'connect ECONNREFUSED 127.0.0.1:1' }), 'connect ECONNREFUSED 127.0.0.1:1');
    assert.equal(describeError({ error: new Error('socket hang up') }), 'socket hang up');
    assert.equal(describeError({ type: 'error' }), 'error event');
    assert.equal(describeError(new AggregateError([new Error('a'), new Error('a'), new Error('b')], 'All promises were rejected')), 'All promises were rejected: a; b');
    assert.equal(describeError(new Error('failed:\n\n  /ip4/x: Nope\n      at f (file.js:1:1)\n      at g (file.js:2:2)')), 'failed:\n  /ip4/x: Nope');
  });
});
