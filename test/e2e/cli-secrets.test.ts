/**
 * Issue 12, finding 7, with real CLI processes: the invite (it holds the space key) read from
 * standard input, a file or the environment never appears in /proc/PID/cmdline; on the command
 * line it still works, with a warning. A data folder someone else made 0755 is made 0700, and its
 * key files are 0600.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CliPeer, tempDir } from '../helpers/cli-peer.js';

const unix = process.platform === 'linux';

describe('the invite kept off the command line', { timeout: 180_000 }, () => {
  const peers: CliPeer[] = [];
  const dirs: string[] = [];
  after(async () => {
    await Promise.all(peers.map((p) => p.kill()));
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  const dir = async (name: string) => {
    const d = await tempDir(`sn-${name}-`);
    dirs.push(d);
    return d;
  };
  const start = async (...args: Parameters<typeof CliPeer.start>) => {
    const peer = await CliPeer.start(...args);
    peers.push(peer);
    return peer;
  };
  /** The process's command line as other accounts see it. */
  const cmdline = async (peer: CliPeer) => (unix ? (await readFile(`/proc/${peer.pid}/cmdline`, 'utf8')).replace(/\0/g, ' ') : '');

  it('joins from standard input, a file and the environment; the command line never holds the invite', async () => {
    const ann = await start('Ann', await dir('ann'), ['--new-space', 'Secret kitchen']);
    const invite = ann.ready.invite;

    // Standard input: the first line is the invite, the lines after it are commands as usual.
    const bob = await start('Bob', await dir('bob'), ['--join', '-'], { stdin: `${invite}\nstatus\n` });
    const fileDir = await dir('invite-file');
    const file = join(fileDir, 'invite.txt');
    await writeFile(file, `${invite}\n`, { mode: 0o600 });
    const cy = await start('Cy', await dir('cy'), ['--join-file', file]);
    // The environment, into a data folder made by hand with mode 0755.
    const deeDir = join(await dir('dee'), 'data');
    await mkdir(deeDir, { recursive: true, mode: 0o755 });
    await chmod(deeDir, 0o755);
    const dee = await start('Dee', deeDir, [], { env: { SHARED_NOTES_INVITE: invite } });

    for (const peer of [bob, cy, dee]) {
      assert.equal(peer.ready.space.id, ann.ready.space.id, `${peer.name} joined Ann's space`);
      assert.equal(peer.ready.space.name, 'Secret kitchen');
      assert.ok(!(await cmdline(peer)).includes('sn1-'), `${peer.name}'s command line does not hold the invite`);
      assert.ok(!peer.stderr.some((l) => /on the command line/.test(l)), `${peer.name} gives no command-line warning`);
    }
    assert.equal((await bob.waitFor((l) => l.type === 'result' && l.command === 'status')).space !== undefined, true, 'the line after the invite ran as a command');
    await ann.until('three members connected', () => ann.status(), (s) => s.connected >= 3, 60_000);

    if (unix) {
      assert.equal((await stat(deeDir)).mode & 0o777, 0o700, 'the data folder is made private whoever created it');
      assert.equal((await stat(join(deeDir, 'identity.key'))).mode & 0o777, 0o600);
      assert.equal((await stat(join(deeDir, 'spaces', ann.ready.space.id, 'space.json'))).mode & 0o777, 0o600);
    }
  });

  it('still takes the invite on the command line, with a warning, and refuses a file that holds no invite', async () => {
    const ann = await start('Ann2', await dir('ann2'), ['--new-space', 'Open kitchen']);
    const eve = await start('Eve', await dir('eve'), ['--join', ann.ready.invite]);
    assert.equal(eve.ready.space.id, ann.ready.space.id);
    assert.ok(eve.stderr.some((l) => /invite was given on the command line/.test(l)), eve.stderr.join('\n'));

    const empty = join(await dir('empty'), 'invite.txt');
    await writeFile(empty, '\n');
    await assert.rejects(CliPeer.start('Fay', await dir('fay'), ['--join-file', empty]), /no invite in/);
  });
});
