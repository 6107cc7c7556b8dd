/**
 * What a running CLI peer says without being asked, and how it stops, with real processes over
 * loopback: arrivals name the author of the change, catch-ups name their entries, one identity per
 * device in `peers`, `show` and `history` (names kept across restarts), quiet output, and quit /
 * Ctrl-C during a sync.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { CLI, CliPeer, CliPeerPool, type Line } from '../helpers/cli-peer.js';

const pool = new CliPeerPool();
const start = (name: string, extra: string[] = [], dir?: string) => pool.start(name, extra, dir);
const children: ChildProcessWithoutNullStreams[] = [];
after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await pool.cleanUp();
});

type PeerLine = Line & { peerId: string; name?: string; device?: string; connected: boolean; state: string };
const peerOf = (l: Line, peerId: string) => (l.peers as PeerLine[]).find((p) => p.peerId === peerId);
const entryOf = (l: Line) => l.entry as { id: string; author: { name: string; device: string } };

/** A readable (not --json) peer: its stdout lines with the time each arrived. */
class ReadablePeer {
  readonly out: Array<{ at: number; text: string }> = [];
  constructor(readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (text) => this.out.push({ at: Date.now(), text }));
    child.stderr.resume();
  }
  static start(data: string, args: string[]): ReadablePeer {
    const child = spawn(process.execPath, [CLI, '--data', data, '--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0/ws', ...args], {
      env: { ...process.env, SHARED_NOTES_ANTI_ENTROPY_MS: '2000' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    return new ReadablePeer(child);
  }
  async waitFor(test: (text: string) => boolean, timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.out.findIndex((l) => test(l.text));
      if (i >= 0) return i;
      if (Date.now() > deadline) throw new Error(`readable peer: no such line in time; output:\n${this.out.map((l) => l.text).join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('the arrival feed, identity and quiet output', { timeout: 300_000 }, () => {
  let a: CliPeer, b: CliPeer, c: CliPeer;
  let noteId: string;

  it('peers, show and history name the same device, with its display name', async () => {
    a = await start('Ann', ['--new-space', 'Kitchen']);
    b = await start('Bob', ['--join', a.ready.invite]);
    c = await start('Cy', ['--join', a.ready.invite]);
    const note = entryOf(await a.run('create note Pancakes|flour'));
    noteId = note.id;
    await a.run(`publish ${noteId}`);
    const ann = await b.until('B knows Ann by name and device', () => b.run('peers'), (l) => peerOf(l, a.ready.peerId)?.device !== undefined && peerOf(l, a.ready.peerId)?.name === 'Ann');
    const annDevice = peerOf(ann, a.ready.peerId)!.device;
    await b.waitFor((l) => l.type === 'entry' && l.id === noteId);
    assert.equal(entryOf(await b.show(noteId)).author.device, annDevice, 'show: the author is the device peers lists');
    assert.equal(entryOf(await b.show(noteId)).author.name, 'Ann');
    const history = (await b.run(`history ${noteId}`)).history as Array<{ by: { name: string; device: string } }>;
    assert.deepEqual([...new Set(history.map((h) => `${h.by.name}/${h.by.device}`))], [`Ann/${annDevice}`]);
  });

  it('an edit is announced with the author of the change, a delete is not echoed to its author', async () => {
    const markA = a.lines.length;
    await b.run(`edit ${noteId} body=flour\\neggs`);
    const edited = await a.waitFor((l) => l.type === 'entry' && l.id === noteId && l.op === 'edit', 20_000, markA);
    assert.deepEqual(edited.by && (edited.by as { name: string }).name, 'Bob', 'the editor, not the creator');
    assert.equal(entryOf(edited).author.name, 'Ann', 'the entry still belongs to Ann');

    await c.waitFor((l) => l.type === 'entry' && l.id === noteId && l.op === 'edit');
    const markC = c.lines.length;
    const markA2 = a.lines.length;
    await c.run(`delete ${noteId}`);
    const deleted = await a.waitFor((l) => l.type === 'entry' && l.id === noteId && l.op === 'delete', 20_000, markA2);
    assert.equal((deleted.by as { name: string }).name, 'Cy');
    await b.waitFor((l) => l.type === 'entry' && l.id === noteId && l.op === 'delete');
    await c.run('sync');
    await new Promise((r) => setTimeout(r, 3_000)); // syncs with A and B have run (anti-entropy 2 s)
    const echoes = c.lines.slice(markC).filter((l) => l.type === 'entry' && l.id === noteId);
    assert.deepEqual(echoes, [], 'Cy is not told about its own delete');
  });

  it('a catch-up names its entries; --json peer lines come only on a change (progress at most once a second)', async (t) => {
    const titles = ['Soup', 'Plan', 'Bread', 'Cake', 'Tea', 'Jam', 'Rice'];
    for (const t of titles) await a.run(`publish ${entryOf(await a.run(`create note ${t}|x`)).id}`);
    const dStarted = Date.now();
    const d = await start('Dee', ['--join', a.ready.invite]);
    const caught = await d.waitFor((l) => l.type === 'catch-up' || l.type === 'entry', 30_000);
    if (caught.type === 'catch-up') {
      assert.ok((caught.entries as number) >= titles.length, JSON.stringify(caught));
      assert.ok((caught.ids as string[]).length >= titles.length);
    }
    await d.until('Dee in sync', () => d.status(), (s) => s.connected >= 1 && s.inSync === s.connected);
    await new Promise((r) => setTimeout(r, 3_000));
    // Every peer line is news: a new connection, name, device or state, or else sync progress,
    // which may come at most once a second (so no more such lines than seconds Dee ran).
    const seen = new Map<string, string>();
    let progressOnly = 0;
    const peerLines = d.lines.filter((l) => l.type === 'peer') as Array<PeerLine & { progress?: unknown }>;
    for (const p of peerLines) {
      const key = `${p.connected}|${p.name ?? ''}|${p.device ?? ''}|${p.state}`;
      if (seen.get(p.peerId) === key) {
        assert.ok(p.progress !== undefined, `a repeated peer line without progress: ${JSON.stringify(p)}`);
        progressOnly++;
      }
      seen.set(p.peerId, key);
    }
    const ranSeconds = (Date.now() - dStarted) / 1000;
    assert.ok(progressOnly <= Math.ceil(ranSeconds) * seen.size, `${progressOnly} progress-only peer lines in ${ranSeconds.toFixed(1)} s`);
    t.diagnostic(`Dee: ${peerLines.length} peer lines in ${ranSeconds.toFixed(1)} s: ${peerLines.map((p) => `${p.name ?? '-'} ${p.state}`).join(', ')}`);
  });

  it('the readable CLI prints no status lines around an edit that leaves the state as it was', async () => {
    const data = await pool.tempDir('sn-readable-');
    const r = ReadablePeer.start(data, ['--name', 'Rea', '--join', a.ready.invite]);
    await r.waitFor((t) => t.includes('Type "help" for commands'));
    await a.until('Rea in sync with A', () => a.run('peers'), (l) => (l.peers as PeerLine[]).some((p) => p.name === 'Rea' && p.state === 'in-sync'));
    // The mesh forms after the join (Rea hears of the others from Ann's peer list): wait until Rea
    // says it is in sync with everyone Ann is connected to, then let start-up statuses settle.
    const others = ((await a.run('peers')).peers as PeerLine[]).filter((p) => p.connected).length;
    await r.waitFor((t) => t === `status: in sync with ${others} peers`, 60_000);
    await new Promise((res) => setTimeout(res, 4_000));
    const mark = r.out.length;
    r.child.stdin.write('create note Quiet|please\n');
    await r.waitFor((t) => t.startsWith('created draft note'));
    const created = r.out.find((l) => l.text.startsWith('created draft note'))!.text;
    const id = /note ([0-9a-f]{32})/.exec(created)![1]!;
    r.child.stdin.write(`publish ${id}\n`);
    await r.waitFor((t) => t.startsWith('published'));
    r.child.stdin.write(`edit ${id} body=still quiet\n`);
    await r.waitFor((t) => t.startsWith('edited'));
    await new Promise((res) => setTimeout(res, 4_000));
    const after = r.out.slice(mark).map((l) => l.text);
    assert.deepEqual(after.filter((t) => t.startsWith('status:')), [], after.join('\n'));
    assert.deepEqual(after.slice(0, 3).map((t) => t.split(' ')[0]), ['created', 'published', 'edited']);
    r.child.stdin.write('quit\n');
    await new Promise((res) => r.child.once('exit', res));
  });

  it('quit during a sync releases the lock before "bye"; Ctrl-C during a sync exits 0', async () => {
    for (let i = 0; i < 30; i++) await a.run(`publish ${entryOf(await a.run(`create note Bulk ${i}|${'text '.repeat(200)}`)).id}`);
    const data = await pool.tempDir('sn-quitter-');
    const e = await start('Eli', ['--join', a.ready.invite], data);
    await e.waitFor((l) => l.type === 'peer' && l.state === 'syncing', 20_000).catch(() => undefined); // as early as can be seen
    const bye = await e.run('quit');
    assert.equal(bye.quitting, true);
    const again = await start('Eli', [], data); // would fail with StoreLockedError while the lock were held
    assert.equal(again.ready.space.id, a.ready.space.id);
    assert.equal(await e.whenExited(), 0);

    assert.equal(await again.kill('SIGTERM'), 0);
    const f = await start('Fay', ['--join', a.ready.invite]);
    await f.waitFor((l) => l.type === 'peer' && l.state === 'syncing', 20_000).catch(() => undefined);
    assert.equal(await f.kill('SIGINT'), 0, `Ctrl-C is a clean shutdown:\n${f.stderr.slice(-10).join('\n')}`);
    assert.ok(!f.stderr.some((l) => /shutdown failed|no longer exists/.test(l)), f.stderr.join('\n'));
  });

  it('after a restart, known peers show the names they announced before', async () => {
    const bData = b.dataDir;
    const annId = a.ready.peerId;
    assert.equal(await b.quit(), 0);
    assert.equal(await a.quit(), 0);
    await c.quit();
    const b2 = await start('Bob', [], bData);
    const listed = peerOf(await b2.run('peers'), annId);
    assert.equal(listed?.name, 'Ann', 'the stored name, before Ann is back');
    assert.equal(listed?.connected, false);
    assert.match(listed?.device ?? '', /^[0-9a-f]{16}$/);
  });
});
