/**
 * What a newcomer reads and installs agrees with what the code and scripts do: the README names
 * every CLI option and command and every JSON line type, says what `npm test` runs, no locked
 * package wants a newer Node than the README asks for, and the VSIX gets a user-facing page.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { USAGE } from '../../src/cli/args.js';
import { COMMAND_HELP } from '../../src/cli/commands.js';

const root = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const readme = read('README.md');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

/** Whether `version` (x.y.z) satisfies an npm `engines` range of the forms packages use. */
export function satisfies(version: string, range: string): boolean {
  const v = version.split('.').map(Number);
  const cmp = (a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
  const parse = (text: string) => {
    const parts = text.replace(/^v/, '').split('.');
    const wild = parts.findIndex((p) => p === 'x' || p === '*' || p === undefined);
    const nums = [0, 1, 2].map((i) => (parts[i] === undefined || parts[i] === 'x' || parts[i] === '*' ? 0 : Number(parts[i])));
    return { nums, given: wild < 0 ? parts.length : wild };
  };
  const one = (comparator: string): boolean => {
    const m = /^(>=|<=|>|<|\^|~|=)?\s*(.+)$/.exec(comparator.trim());
    if (!m || m[2] === '*' || m[2] === 'x') return true;
    const { nums, given } = parse(m[2]!);
    const c = cmp(v, nums);
    switch (m[1]) {
      case '>=': return c >= 0;
      case '>': return c > 0;
      case '<=': return c <= 0;
      case '<': return c < 0;
      case '^': return c >= 0 && (nums[0]! > 0 ? v[0] === nums[0] : v[0] === 0 && v[1] === nums[1]);
      case '~': return c >= 0 && v[0] === nums[0] && (given < 2 || v[1] === nums[1]);
      default: return given >= 3 ? c === 0 : v[0] === nums[0] && (given < 2 || v[1] === nums[1]);
    }
  };
  return range.split('||').some((alt) => {
    const hyphen = /^\s*(\S+)\s+-\s+(\S+)\s*$/.exec(alt);
    if (hyphen) return one(`>=${hyphen[1]}`) && one(`<=${hyphen[2]}`);
    return alt.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split(/\s+/).filter(Boolean).every(one);
  });
}

describe('install and README', () => {
  it('no locked package wants a newer Node than the README asks for (npm ci prints no EBADENGINE)', () => {
    const minimum = /Node ≥ (\d+\.\d+)/.exec(readme)?.[1];
    assert.ok(minimum, 'the README names the Node version it needs');
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: { node?: string } }> };
    const wanting = Object.entries(lock.packages)
      .filter(([, p]) => typeof p.engines?.node === 'string' && !satisfies(`${minimum}.0`, p.engines.node))
      .map(([name, p]) => `${name.replace(/^node_modules\//, '')} (${p.engines!.node})`);
    assert.deepEqual(wanting, []);
  });

  it('the engines range reader agrees with npm on the forms packages use', () => {
    assert.equal(satisfies('20.19.0', '^20.19.0 || ^22.13.0 || >=24'), true);
    assert.equal(satisfies('20.18.0', '^20.19.0 || ^22.13.0 || >=24'), false);
    assert.equal(satisfies('20.19.0', '>=22'), false);
    assert.equal(satisfies('20.19.0', '>= 10.0.0'), true);
    assert.equal(satisfies('20.19.0', '^18.18.0 || ^20.9.0 || >=21.1.0'), true);
    assert.equal(satisfies('20.19.0', '>=14.17 <21'), true);
    assert.equal(satisfies('20.19.0', '20.x'), true);
    assert.equal(satisfies('20.19.0', '*'), true);
  });

  it('says what `npm test` runs: it ends with the editor suite', () => {
    assert.match(pkg.scripts.test!, /npm run test:editor$/);
    assert.doesNotMatch(readme, /apart from `npm test`/);
    assert.match(readme, /`npm test`[^]*?ends with the editor suite \(`npm run test:editor`/);
  });

  it('documents every CLI option and command', () => {
    const options = [...USAGE.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]!);
    assert.ok(options.length >= 14, options.join(' '));
    for (const option of options) assert.ok(readme.includes(option), `README mentions ${option}`);
    const commands = [...COMMAND_HELP.matchAll(/^ {2}([a-z]+)/gm)].map((m) => m[1]!);
    for (const word of [...commands, 'list', 'exit']) assert.ok(readme.includes(`\`${word}`), `README's command table has ${word}`);
  });

  it('the JSON table names every line type and the fields newcomers asked about', () => {
    const types = [...readme.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]!);
    for (const type of ['ready', 'result', 'error', 'entry', 'catch-up', 'peer', 'sync', 'spaces']) assert.ok(types.includes(type), type);
    for (const field of ['`scope`', '`progress`', '`lastSyncAt`', '`deleted: true`', '`by`', '`device`', '`notices`']) assert.ok(readme.includes(field), field);
  });

  it('scripts name no build machine path; the VSIX gets the user-facing page', () => {
    for (const file of ['scripts/install-code-server.sh', 'scripts/package-vsix.mjs', 'scripts/build.mjs']) assert.doesNotMatch(read(file), /\/(work|home|root|Users)\//, file);
    assert.match(read('scripts/package-vsix.mjs'), /'--readme-path', 'media\/MARKETPLACE\.md'/);
    const page = read('media/MARKETPLACE.md');
    assert.match(page, /## Getting started/);
    assert.doesNotMatch(page, /npm (ci|test|run)|ARCHITECTURE|src\//, 'no developer material');
  });
});
