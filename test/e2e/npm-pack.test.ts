/**
 * `npm pack` makes a tarball that `npm install -g` turns into a working `shared-notes` command on
 * a machine without this checkout: packed from the built dist/, installed into a temporary prefix
 * without the network (the bundle has no runtime dependencies), then run from elsewhere.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/cli-peer.js';
import { ServeProcess } from '../helpers/serve-process.js';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('npm pack', { timeout: 180_000 }, () => {
  it('packs the CLI bundle and the Automerge WASM, installs with -g into a fresh prefix, and runs', async () => {
    assert.ok(existsSync(join(root, 'dist', 'cli.js')), 'run `npm run build` first');
    const work = await tempDir('sn-pack-');
    dirs.push(work);
    // --ignore-scripts: pack what was built (prepack would rebuild it).
    const { stdout } = await run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, maxBuffer: 16 << 20 });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed!.files.map((f) => f.path).sort();
    for (const wanted of ['dist/cli.js', 'dist/automerge_wasm_bg.wasm', 'deploy/shared-notes.service', 'docs/OPERATOR.md', 'package.json', 'README.md', 'LICENSE']) {
      assert.ok(files.includes(wanted), `${wanted} is in the tarball (has: ${files.join(', ')})`);
    }
    assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.endsWith('.map') || f === 'dist/extension.js'), `only the CLI ships: ${files.join(', ')}`);

    const prefix = join(work, 'prefix');
    await run(npm, ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, join(work, packed!.filename)], { cwd: work });
    const bin = join(prefix, 'bin', 'shared-notes');
    assert.ok(existsSync(bin), `bin linked (prefix holds ${(await readdir(prefix)).join(', ')})`);
    assert.deepEqual(await readdir(join(prefix, 'lib', 'node_modules', 'shared-notes', 'node_modules')).catch(() => []), [], 'no dependencies installed');

    const help = await run(bin, ['--help'], { cwd: work });
    assert.match(help.stdout, /Usage: shared-notes/);
    assert.match((await run(bin, ['serve', '--help'], { cwd: work })).stdout, /--metrics HOST:PORT/);

    // A short serve from the installed command (it loads the WASM beside the bundle).
    const serve = await ServeProcess.start('installed', ['--data', join(work, 'data'), '--new-space', 'Packed', '--listen', '/ip4/127.0.0.1/tcp/0/ws', '--no-mdns'], { command: [bin] });
    assert.equal(serve.ready[0]!.space.name, 'Packed');
    serve.child.kill('SIGTERM');
    assert.equal(await serve.exited, 0);
  });
});
