import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { encodeInvite, newSpace } from '../../src/core/invite.js';
import {
  describeInvite, ingredientsFromInput, linesFromInput, validateDisplayName, validateInvite, validateSpaceName, validateTitle,
} from '../../src/extension/inputs.js';
import { DEFAULT_LISTEN } from '../../src/engine/defaults.js';
import { readSettings } from '../../src/extension/settings.js';

describe('command input validation', () => {
  it('titles: not empty, not too long', () => {
    assert.equal(validateTitle('Soup'), undefined);
    assert.equal(validateTitle('  '), 'The title must not be empty.');
    assert.equal(validateTitle('', 'name'), 'The name must not be empty.');
    assert.match(validateTitle('x'.repeat(501)) ?? '', /501 characters; the limit is 500/);
  });

  it('space names use the core rule', () => {
    assert.equal(validateSpaceName('Kitchen'), undefined);
    assert.equal(validateSpaceName(' '), 'A space needs a name.');
    assert.match(validateSpaceName('x'.repeat(101)) ?? '', /at most 100/);
  });

  it('invites are decoded and checked while typing', () => {
    const code = encodeInvite({ space: newSpace('Kitchen'), addresses: ['/ip4/127.0.0.1/tcp/1/ws/p2p/12D3KooWx'] });
    assert.equal(validateInvite(code), undefined);
    assert.equal(validateInvite(`  ${code}\n`), undefined, 'pasted with whitespace');
    assert.match(validateInvite('') ?? '', /starts with "sn1-"/);
    assert.match(validateInvite('hello') ?? '', /not a Shared Notes invite/);
    assert.match(validateInvite(code.slice(0, -2)) ?? '', /damaged|incomplete/);
    assert.equal(describeInvite(code), 'Kitchen (1 address)');
    assert.match(describeInvite(encodeInvite({ space: newSpace('K'), addresses: [] })), /local network/);
  });

  it('turns one-line recipe input into lines', () => {
    assert.equal(ingredientsFromInput('200 g flour; 2 eggs,, salt ;'), '- 200 g flour\n- 2 eggs\n- salt');
    assert.equal(linesFromInput('Mix | Rest\\nBake'), 'Mix\nRest\nBake');
    assert.equal(ingredientsFromInput(''), '');
  });

  it('display names have a length limit', () => {
    assert.equal(validateDisplayName('Ann'), undefined);
    assert.ok(validateDisplayName('x'.repeat(101)));
  });
});

describe('settings', () => {
  it('defaults: account name, all interfaces over websockets, mDNS on', () => {
    assert.deepEqual(readSettings(() => undefined, 'ann'), { displayName: 'ann', listen: DEFAULT_LISTEN, bootstrap: [], mdns: true, alwaysOn: [] });
  });

  it('reads values and ignores ill-typed ones', () => {
    const values: Record<string, unknown> = { displayName: ' Ann ', listenAddresses: ['/ip4/127.0.0.1/tcp/0/ws', 7, ''], bootstrapPeers: 'nope', mdns: false };
    assert.deepEqual(readSettings((k) => values[k], 'x'), { displayName: 'Ann', listen: ['/ip4/127.0.0.1/tcp/0/ws'], bootstrap: [], mdns: false, alwaysOn: [] });
    assert.equal(readSettings((k) => (k === 'mdns' ? 'yes' : undefined), '').mdns, true);
    assert.equal(readSettings(() => undefined, '').displayName, 'Anonymous');
  });
});

describe('layering', () => {
  it('the pure extension modules never import vscode (so these tests run in plain Node)', () => {
    const dir = join(__dirname, '../../src/extension');
    const pure = ['tree-items.ts', 'status.ts', 'note-document.ts', 'inputs.ts', 'settings.ts'];
    for (const file of pure) {
      const text = readFileSync(join(dir, file), 'utf8');
      assert.doesNotMatch(text, /from 'vscode'|require\('vscode'\)/, file);
    }
    assert.ok(readdirSync(dir).includes('extension.ts'));
  });
});
