import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArgs } from '../../src/cli/args.js';
import { parseCommand, splitFields } from '../../src/cli/commands.js';
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

  it('one line per peer: name (or - before its hello), short id, state, how it is connected, the address learned last', () => {
    const text = formatPeers([
      { peerId: id('AAAA1111'), name: 'Bob', addrs: ['/ip4/127.0.0.1/tcp/3999/ws/p2p/x', '/ip4/127.0.0.1/tcp/4001/ws/p2p/x'], connected: true, via: 'loopback', state: 'in-sync' },
      { peerId: id('BBBB2222'), addrs: [], connected: false, state: 'connecting' },
      { peerId: id('DDDD4444'), name: 'Eve', addrs: [], connected: true, via: 'relayed', state: 'behind' },
    ]);
    assert.equal(
      text,
      [
        '  NAME  PEER          STATE         VIA           ADDRESS',
        '  Bob   xxxxAAAA1111  in-sync       this machine  /ip4/127.0.0.1/tcp/4001/ws/p2p/x',
        '  -     xxxxBBBB2222  disconnected  -',
        '  Eve   xxxxDDDD4444  behind        relayed',
      ].join('\n'),
    );
    assert.equal(formatPeers([]), 'no peers connected');
  });

  it('cuts long names so the columns stay readable', () => {
    const line = formatPeers([{ peerId: id('CCCC3333'), name: 'N'.repeat(100), addrs: [], connected: true, state: 'syncing' }]).split('\n')[1];
    assert.equal(line, `  ${'N'.repeat(29)}…  xxxxCCCC3333  syncing       -`);
  });
});
