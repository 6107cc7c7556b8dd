/**
 * Disk: a full disk and a read-only folder (real ones: a small tmpfs, remounted read-only), and
 * damaged files. Each case checks that the user gets a clear, named error, that nothing that was
 * acknowledged is lost, and that the recovery path docs/RELIABILITY.md describes works.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tempDir, type CliPeer, type Line } from '../helpers/cli-peer.js';
import { Tmpfs } from './mounts.js';
import { Ledger, ManagedPeer, missingOps, prepareSpace, sortedHeads, type PreparedPeer } from './peers.js';
import { printFigures, type Figure } from './report.js';

const cleanup: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step().catch((err: unknown) => console.error(`cleanup: ${String(err)}`));
});
const figures: Figure[] = [];
after(() => printFigures('Disk', figures));

type Outcome = { ok: true; id: string } | { ok: false; error: string; message: string };

/** create + publish; the publish goes into the ledger only when acknowledged. */
async function publishNote(cli: CliPeer, title: string, ledger: Ledger, p: PreparedPeer): Promise<Outcome> {
  try {
    const created = (await cli.run(`create note ${title}|${title} body`)).entry as { id: string };
    const published = (await cli.run(`publish ${created.id}`)).entry as { id: string; updatedAt: number };
    ledger.add({ op: 'publish', id: published.id, device: p.deviceId, at: published.updatedAt, by: p.name });
    return { ok: true, id: published.id };
  } catch (err) {
    const line = (err as { line?: Line }).line;
    if (!line) throw err;
    return { ok: false, error: String(line.error), message: String(line.message) };
  }
}

/** Starting is expected to fail: the error line the user sees (and the exit code). */
async function failedStart(peer: ManagedPeer): Promise<{ error: string; message: string }> {
  try {
    await peer.start();
  } catch (err) {
    const text = String(err);
    const json = /\{"type":"error".*\}/.exec(text)?.[0];
    const line = json ? (JSON.parse(json) as { error: string; message: string }) : { error: 'exit', message: text.slice(0, 300) };
    peer.failedStarts.pop(); // expected
    return line;
  }
  throw new Error(`${peer.name} started although it should not have`);
}

const short = (message: string) => message.replace(/\/tmp\/\S*\/([^/\s]+)/g, '…/$1').slice(0, 110);

async function converge(peers: CliPeer[]): Promise<void> {
  await peers[0]!.until('same heads', () => Promise.all(peers.map(async (p) => sortedHeads((await p.status()).heads))), (hs) => hs.every((h) => h === hs[0]), 60_000);
}

async function twoPeers(diskDir?: string) {
  // The peer's data folder on the given disk (if any), the witness's on the usual one.
  const dirFor = async (name: string) => {
    if (!diskDir || name !== 'Disk') return tempDir(`sn-chaos-${name}-`);
    await mkdir(join(diskDir, 'data'), { recursive: true });
    return join(diskDir, 'data');
  };
  const { peers: [p, w] } = await prepareSpace(['Disk', 'Witness'], undefined, dirFor);
  const witness = new ManagedPeer(w!.name, w!.dir, () => []);
  cleanup.push(() => witness.remove());
  const wc = await witness.start();
  const peer = new ManagedPeer(p!.name, p!.dir, () => ['--bootstrap', wc.ready.addresses[0]!]);
  cleanup.push(() => peer.kill());
  await peer.start();
  return { p: p!, w: w!, peer, witness };
}

describe('disk trouble', { timeout: 300_000 }, () => {
  it('a full disk: writes fail with a clear error, nothing acknowledged is lost, writing resumes once there is room', async (t) => {
    const fs = await Tmpfs.mount(24);
    if (typeof fs === 'string') return t.skip(fs);
    cleanup.push(() => fs.unmount());
    const { p, w, peer, witness } = await twoPeers(fs.dir);
    const ledger = new Ledger();
    for (let i = 0; i < 5; i++) assert.ok((await publishNote(peer.cli!, `before ${i}`, ledger, p)).ok);
    await publishNote(witness.cli!, 'from the witness', ledger, w);
    await converge([peer.cli!, witness.cli!]);

    const filler = await fs.fill();
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 200 && !outcomes.some((o) => !o.ok); i++) outcomes.push(await publishNote(peer.cli!, `full ${i}`, ledger, p));
    const refused = outcomes.find((o): o is Extract<Outcome, { ok: false }> => !o.ok);
    for (let i = 0; i < 3; i++) await publishNote(witness.cli!, `witness while full ${i}`, ledger, w);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const stillAnswers = (await peer.cli!.status()).type === 'result';

    await fs.unfill(filler);
    const afterRoom = await publishNote(peer.cli!, 'after freeing space', ledger, p);
    await peer.kill('SIGKILL');
    await witness.kill('SIGTERM'); // the peer must have it all on its own disk
    const reopened = await peer.start();
    const lostOwn = await missingOps(reopened, ledger);

    // Starting on a disk with no room at all.
    await peer.kill('SIGTERM');
    const filler2 = await fs.fill();
    const startFull = await failedStart(peer);
    await fs.unfill(filler2);
    await witness.start();
    const again = await peer.start();
    await converge([again, witness.cli!]);
    const lostAfter = await missingOps(again, ledger);

    figures.push(
      ['full disk: writes acknowledged before it filled up', `${outcomes.filter((o) => o.ok).length + 5}`],
      ['full disk: what the user sees', refused ? `${refused.error}: ${short(refused.message)}` : 'nothing refused'],
      ['full disk: peer keeps running and answering', stillAnswers ? 'yes' : 'no'],
      ['full disk: first write after freeing space', afterRoom.ok ? 'saved (with the changes held in memory)' : `${afterRoom.error}`],
      ['full disk: acknowledged ops lost after kill -9 + reopen (alone)', lostOwn.length],
      ['full disk: starting with no room at all', `${startFull.error}: ${short(startFull.message)}`],
      ['full disk: acknowledged ops lost after freeing space and restarting', lostAfter.length],
    );
    assert.ok(refused && refused.error === 'StoreWriteError' && /no space left/.test(refused.message), JSON.stringify(refused));
    assert.ok(stillAnswers);
    assert.ok(afterRoom.ok);
    assert.deepEqual(lostOwn, []);
    assert.equal(startFull.error, 'StoreWriteError', JSON.stringify(startFull));
    assert.match(startFull.message, /no space left/);
    assert.deepEqual(lostAfter, []);
  });

  it('a read-only folder: starting fails with a clear error, nothing is changed, and it opens once writable', async (t) => {
    // A file system cannot be made read-only under a writer's open files (mount says "busy"),
    // short of the kernel doing it after disk errors; a write failing with EROFS at run time takes
    // the same path as the full disk above (StoreWriteError, kept in memory, saved later).
    const fs = await Tmpfs.mount(24);
    if (typeof fs === 'string') return t.skip(fs);
    cleanup.push(() => fs.unmount());
    const { p, peer, witness } = await twoPeers(fs.dir);
    const ledger = new Ledger();
    for (let i = 0; i < 5; i++) assert.ok((await publishNote(peer.cli!, `before ${i}`, ledger, p)).ok);
    await peer.cli!.run('create note a draft|only here');
    await peer.kill('SIGKILL'); // even its LOCK is left behind
    await witness.kill('SIGTERM');

    const fingerprint = async () => {
      const hash = createHash('sha256');
      const walk = async (dir: string): Promise<void> => {
        for (const entry of (await readdir(dir, { withFileTypes: true })).sort((x, y) => x.name.localeCompare(y.name))) {
          const path = join(dir, entry.name);
          hash.update(path);
          if (entry.isDirectory()) await walk(path);
          else hash.update(await readFile(path));
        }
      };
      await walk(p.dir);
      return hash.digest('hex');
    };
    const before = await fingerprint();
    await fs.remount('ro');
    const startRo = await failedStart(peer);
    const unchanged = (await fingerprint()) === before;
    await fs.remount('rw');
    const again = await peer.start();
    const lost = await missingOps(again, ledger);
    const drafts = ((await again.run('ls')).entries as Array<{ state: string }>).filter((e) => e.state === 'draft').length;

    figures.push(
      ['read-only: starting on a read-only folder', `${startRo.error}: ${short(startRo.message)}`],
      ['read-only: files changed by the failed start', unchanged ? 'none' : 'some'],
      ['read-only: acknowledged ops lost once writable again (alone)', lost.length],
    );
    assert.equal(startRo.error, 'StoreWriteError');
    assert.match(startRo.message, /read-only/);
    assert.ok(unchanged);
    assert.deepEqual(lost, []);
    assert.equal(drafts, 1);
  });

  it('damaged files: a clear error or a reported repair, the damaged original kept, and the data back from a peer', async () => {
    const { p, w, peer, witness } = await twoPeers();
    const ledger = new Ledger();
    for (let i = 0; i < 8; i++) await publishNote(peer.cli!, `note ${i}`, ledger, p);
    for (let i = 0; i < 2; i++) await publishNote(witness.cli!, `witness ${i}`, ledger, w);
    await peer.cli!.run('create note a draft|only here');
    await converge([peer.cli!, witness.cli!]);
    const space = (await readdir(join(p.dir, 'spaces')))[0]!;
    const drafts = async (c: CliPeer) => ((await c.run('ls')).entries as Array<{ state: string }>).filter((e) => e.state === 'draft').length;

    /** Stops the peer, damages a file, restarts: returns how the start went and what is missing once synced. */
    const damage = async (label: string, harm: () => Promise<void>, recover?: () => Promise<void>, after?: (cli: CliPeer) => Promise<CliPeer | void>) => {
      await peer.kill('SIGTERM');
      await harm();
      let opening: string;
      let cli: CliPeer;
      try {
        cli = await peer.start();
        const problems = cli.ready.problems as Array<{ kind: string; movedTo?: string }>;
        opening = problems.length ? `repaired: ${problems.map((x) => `${x.kind}${x.movedTo ? ' (original kept)' : ''}`).join(', ')}` : 'opened, nothing to report';
      } catch {
        const failed = peer.failedStarts.pop() ?? '';
        const json = /\{"type":"error".*\}/.exec(failed)?.[0];
        const line = json ? (JSON.parse(json) as { error: string; message: string }) : { error: 'exit', message: failed.slice(0, 200) };
        opening = `refused: ${line.error}: ${short(line.message)}`;
        assert.ok(recover, `${label}: no recovery path for ${opening}`);
        await recover();
        cli = await peer.start();
      }
      cli = (await after?.(cli)) ?? cli;
      await converge([cli, witness.cli!]);
      const missing = await missingOps(cli, ledger);
      figures.push([`${label}: on opening`, opening], [`${label}: acknowledged ops missing after recovery`, missing.length]);
      return { cli, opening, missing };
    };

    const flip = async (file: string, at: (size: number) => number) => {
      const bytes = await readFile(file);
      const i = at(bytes.length);
      bytes[i] = bytes[i]! ^ 0xff;
      await writeFile(file, bytes);
    };

    // The shard log holding the peer's first note, and the index of every shard's rows.
    const firstOwn = ledger.ops.find((o) => o.op === 'publish' && o.device === p.deviceId)!.id;
    const shardFile = join(p.dir, 'spaces', space, 'shards', firstOwn[0]!, firstOwn.slice(0, 3));
    const loadEverything = async (c: CliPeer) => {
      for (const id of ledger.ids()) await c.run(`show ${id}`).catch(() => undefined);
    };

    // A shard log is verified when it is first read: the damage is cut out (the original kept),
    // the index follows the log, and the digest brings the lost changes back from a peer.
    // Two frames in that log (the publish, then an edit), and the damage in the first one: damage
    // followed by valid frames is corruption (a damaged last frame is a torn write, cut).
    await peer.cli!.run(`edit ${firstOwn} body=edited before the damage`);
    const midLog = await damage('bit flips in the middle of a shard log', () => flip(shardFile, () => 6 + 12), undefined, loadEverything);
    assert.ok((await readdir(dirname(shardFile))).some((f) => f.startsWith(`${firstOwn.slice(0, 3)}.corrupt-`)), 'the damaged original is kept');
    assert.ok(midLog.cli.stderr.some((l) => /listed again from the log|damaged/.test(l)), midLog.cli.stderr.join('\n'));

    const indexFile = join(p.dir, 'spaces', space, 'index');
    const index = await damage('a damaged read index', async () => {
      const cli = await peer.start(); // writes the index file (folded at close)
      assert.equal(await cli.quit(), 0);
      await flip(indexFile, (n) => Math.floor(n / 3));
    });
    assert.doesNotMatch(index.opening, /refused/);

    const shardHash = () => readFile(shardFile).then((b) => createHash('sha256').update(b).digest('hex'));
    let foreignHash = '';
    // The crash check at start reads a shard log whose size changed: it refuses to start with a
    // clear error and changes nothing, until the file is moved aside (a peer then brings it back).
    const foreign = await damage(
      'a shard log overwritten by another program',
      async () => {
        await writeFile(shardFile, 'plain text where the log was\n');
        foreignHash = await shardHash();
      },
      async () => {
        assert.equal(await shardHash(), foreignHash, 'nothing was changed');
        await rename(shardFile, `${shardFile}.foreign`);
      },
    );
    assert.match(foreign.opening, /refused: StoreReadError: cannot open .*not a Shared Notes file/);

    const spaceFile = join(p.dir, 'spaces', space, 'space.json');
    const spaceJson = await damage('space.json damaged', () => writeFile(spaceFile, '{"id": "trunc'), async () => {
      await rename(spaceFile, `${spaceFile}.damaged`);
      // Joining again with an invite from any member puts the key back; the logs are kept.
      peer.extraArgs = ['--join', witness.cli!.ready.invite];
    });
    peer.extraArgs = [];
    assert.match(spaceJson.opening, /refused: StoreReadError/);
    assert.equal(await drafts(spaceJson.cli), 1, 'the draft survived rejoining');

    const identity = await damage('identity.key damaged', () => writeFile(join(p.dir, 'identity.key'), 'not a key'), () => rename(join(p.dir, 'identity.key'), join(p.dir, 'identity.key.damaged')));
    assert.match(identity.opening, /refused: StoreReadError: .*identity\.key is damaged/);

    const device = await damage('device.json damaged', () => writeFile(join(p.dir, 'device.json'), 'hello'), () => rename(join(p.dir, 'device.json'), join(p.dir, 'device.json.damaged')));
    assert.match(device.opening, /refused: StoreReadError/);

    const peersFile = await damage('peers.json damaged', () => writeFile(join(p.dir, 'spaces', space, 'peers.json'), '[{'));
    assert.doesNotMatch(peersFile.opening, /refused/);

    // An unreadable lock is someone's lock being written for 5 s; an old one is taken over.
    const shardsDir = join(p.dir, 'spaces', space, 'shards');
    const lock = await damage('an unreadable LOCK file left by a crash', async () => {
      await writeFile(join(shardsDir, 'LOCK'), 'garbage');
      const anHourAgo = new Date(Date.now() - 3_600_000);
      await utimes(join(shardsDir, 'LOCK'), anHourAgo, anHourAgo);
    });
    assert.doesNotMatch(lock.opening, /refused/);

    for (const c of [midLog, index, foreign, spaceJson, identity, device, peersFile, lock]) assert.deepEqual(c.missing, []);
    assert.equal(await drafts(peer.cli!), 1, 'the draft is still there');
  });
});
