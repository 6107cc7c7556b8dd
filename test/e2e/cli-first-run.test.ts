/**
 * What a newcomer meets first, with real CLI processes: --version, bad --data / --listen /
 * --bootstrap values and unwritable folders (a clear line, no stack trace), and folders holding
 * several spaces (--spaces, `spaces`, --space PREFIX, notices on join / reused name / plain start).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Tmpfs } from '../chaos/mounts.js';
import { CLI, CliPeerPool } from '../helpers/cli-peer.js';

const pool = new CliPeerPool();
after(() => pool.cleanUp());
const dir = (prefix: string) => pool.tempDir(prefix);
const start = (name: string, data: string, extra: string[] = []) => pool.start(name, extra, data);

/** Runs the CLI to its end with stdin closed; resolves with its exit code and output. */
function runCli(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`shared-notes ${args.join(' ')} did not end in time:\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const LOOPBACK = ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0/ws'];
const noStack = (text: string) => assert.doesNotMatch(text, /^\s+at\s/m, `no stack trace:\n${text}`);

describe('first run: flags and bad input', { timeout: 120_000 }, () => {
  it('--version prints the version and exits without touching the data folder', async () => {
    const data = join(await dir('sn-ver-'), 'data');
    const r = await runCli(['--version', '--data', data]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^shared-notes \d+\.\d+\.\d+\n$/);
    assert.equal(existsSync(data), false, 'no data folder created');
  });

  it('--data "" is refused and writes nothing into the current directory', async () => {
    const cwd = await dir('sn-cwd-');
    for (const args of [['--data', ''], ['--data=']]) {
      const r = await runCli([...args, ...LOOPBACK], { cwd });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--data needs a folder/);
    }
    assert.deepEqual(await readdir(cwd), []);
  });

  it('--listen without /ws is a clear error naming the address, not a libp2p stack trace', async () => {
    const r = await runCli(['--data', await dir('sn-listen-'), '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot listen on "\/ip4\/127\.0\.0\.1\/tcp\/0": only WebSocket addresses are supported/);
    assert.doesNotMatch(r.stderr, /faultTolerance/);
    noStack(r.stderr);
  });

  it('an unreachable bootstrap address logs a readable reason', async () => {
    const r = await runCli(['--data', await dir('sn-boot-'), ...LOOPBACK, '--bootstrap', '/ip4/127.0.0.1/tcp/1/ws'], { timeoutMs: 30_000 });
    // stdin is closed at once: the peer starts, tries the dial, and shuts down cleanly.
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /could not connect to \/ip4\/127\.0\.0\.1\/tcp\/1\/ws: .*ECONNREFUSED/);
    assert.doesNotMatch(r.stderr, /\[object Object\]/);
  });

  it('a read-only data folder is reported as read-only, never as "no longer exists"', async (t) => {
    const fs = await Tmpfs.mount(32);
    if (typeof fs === 'string') return t.skip(fs);
    try {
      const existing = join(fs.dir, 'existing');
      assert.equal((await runCli(['--data', existing, ...LOOPBACK])).code, 0); // creates a space, then ends (stdin closed)
      await fs.remount('ro');
      for (const data of [existing, join(fs.dir, 'new')]) {
        const r = await runCli(['--data', data, ...LOOPBACK]);
        assert.equal(r.code, 1, data);
        assert.match(r.stderr, /read-only file system/, r.stderr);
        assert.doesNotMatch(r.stderr, /no longer exists/);
        noStack(r.stderr);
      }
      const r = await runCli(['--spaces', '--data', join(fs.dir, 'new')]);
      assert.match(r.stderr, /cannot write to the data folder .*: the folder is on a read-only file system/);
    } finally {
      await fs.unmount();
    }
  });
});

describe('a folder with several spaces', { timeout: 180_000 }, () => {
  it('says what it opened, lists the spaces, and opens one by a prefix of its name or id', async () => {
    const data = await dir('sn-spaces-');
    const kitchen = await start('Ann', data, ['--new-space', 'Kitchen']);
    await kitchen.run('create note Soup|water');
    const kitchenId = kitchen.ready.space.id;
    assert.equal(await kitchen.quit(), 0);

    const garden = await start('Ann', data, ['--new-space', 'Garden']);
    assert.deepEqual(garden.ready.notices, []);
    assert.equal(await garden.quit(), 0);

    // A second space called Kitchen: created, and it says so.
    const again = await start('Ann', data, ['--new-space', 'kitchen']);
    assert.match(String((again.ready.notices as string[])[0]), /created a new space "kitchen" .*"Kitchen" \(\w{8}…\) has the same name/);
    const listed = await again.run('spaces');
    const spaces = listed.spaces as Array<{ id: string; name: string; entries: number }>;
    assert.deepEqual(spaces.map((s) => [s.name, s.entries]), [['Kitchen', 1], ['Garden', 0], ['kitchen', 0]]);
    assert.equal(listed.current, again.ready.space.id);
    assert.equal(await again.quit(), 0);

    // A plain start opens the newest and says how to choose.
    const plain = await start('Ann', data);
    assert.equal(plain.ready.space.name, 'kitchen');
    assert.match(String((plain.ready.notices as string[])[0]), /opened "kitchen" .*the newest of 3 spaces in this folder; choose one with --space NAME\|ID/);
    assert.equal(await plain.quit(), 0);

    const byName = await start('Ann', data, ['--space', 'gar']);
    assert.equal(byName.ready.space.name, 'Garden');
    assert.equal(await byName.quit(), 0);
    const byId = await start('Ann', data, ['--space', kitchenId.slice(0, 6)]);
    assert.equal(byId.ready.space.id, kitchenId);

    // --spaces while one space is open elsewhere: the others are counted, that one is marked in use.
    const r = await runCli(['--spaces', '--data', data]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Kitchen\s+\? \(open in another Shared Notes process\)/);
    assert.match(r.stdout, /Garden\s+0 entries/);
    assert.equal(await byId.quit(), 0);

    const ambiguous = await runCli(['--data', data, ...LOOPBACK, '--space', 'k']);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stderr, /"k" matches 2 spaces: "Kitchen" \(\w{8}…\), "kitchen"/);
  });

  it('joining a second space says that the folder now holds two', async () => {
    const host = await start('Bob', await dir('sn-host-'), ['--new-space', 'Book club']);
    const data = await dir('sn-joiner-');
    const first = await start('Cy', data, ['--new-space', 'Mine']);
    assert.equal(await first.quit(), 0);
    const joined = await start('Cy', data, ['--join', host.ready.invite]);
    assert.equal(joined.ready.space.name, 'Book club');
    assert.match(String((joined.ready.notices as string[])[0]), /joined "Book club" .*this folder now holds 2 spaces/);
    assert.equal(await joined.quit(), 0);
    const rejoin = await start('Cy', data, ['--join', host.ready.invite]);
    assert.match(String((rejoin.ready.notices as string[])[0]), /already a member of "Book club"/);
    await rejoin.quit();
    await host.quit();
  });
});
