/**
 * `shared-notes serve` as a daemon (real processes over loopback): it runs with stdin closed,
 * /metrics parses as Prometheus text and its counters move when a member's note syncs, /health
 * answers, SIGHUP reopens the log file, and SIGTERM releases every store lock within 2 s.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FileLogStore } from '../../src/storage/file-log-store.js';
import { FileShardStore } from '../../src/storage/shard-store.js';
import { memoryLogger } from '../../src/core/logger.js';
import { CliPeer, tempDir } from '../helpers/cli-peer.js';
import { parsePrometheus, sumOf } from '../helpers/prometheus.js';
import { ServeProcess } from '../helpers/serve-process.js';

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0/ws', '--no-mdns'];
const processes: Array<{ kill(): Promise<unknown> }> = [];
const dirs: string[] = [];
after(async () => {
  await Promise.all(processes.map((p) => p.kill()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function scrape(serve: ServeProcess) {
  const res = await serve.fetch('/metrics');
  assert.equal(res.status, 200);
  assert.match(res.type ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(res.body);
}

async function until<T>(what: string, probe: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} not reached in ${timeoutMs} ms; last: ${JSON.stringify(last)?.slice(-3000)}`);
}

describe('shared-notes serve', { timeout: 180_000 }, () => {
  it('runs with stdin closed, exposes metrics that move when a note syncs, reopens its log on SIGHUP, and SIGTERM releases the locks within 2 s', async () => {
    const data = await tempDir('sn-serve-');
    dirs.push(data);
    const logPath = join(data, 'serve.log');
    const serve = await ServeProcess.start('serve', ['--data', data, '--new-space', 'Kitchen', '--metrics', '127.0.0.1:0', '--log', logPath, ...LOOPBACK]);
    processes.push(serve);
    const space = serve.ready[0]!.space.id;

    // stdin is /dev/null-like (closed): a plain peer would have quit at end of input.
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(serve.running, true, `serve quit with stdin closed:\n${serve.stderr.join('\n')}`);

    const health = await serve.fetch('/health');
    assert.equal(health.status, 200);
    const h = JSON.parse(health.body) as { status: string; spaces: Array<{ id: string; connected: number }> };
    assert.equal(h.status, 'ok');
    assert.deepEqual(h.spaces.map((s) => s.id), [space]);
    assert.equal((await serve.fetch('/nothing')).status, 404);

    const before = await scrape(serve);
    for (const name of ['shared_notes_connected_peers', 'shared_notes_peers_in_sync', 'shared_notes_entries', 'shared_notes_store_bytes', 'shared_notes_fsync_seconds']) {
      assert.ok(before.types.has(name), `${name} declared`);
    }
    const entriesBefore = sumOf(before.samples, 'shared_notes_entries', { space });

    const memberDir = await tempDir('sn-serve-member-');
    dirs.push(memberDir);
    const member = await CliPeer.start('Ann', memberDir, ['--join', serve.ready[0]!.invite]);
    processes.push(member);
    const created = await member.run('create note Soup|Leek and potato');
    const id = (created.entry as { id: string }).id;
    await member.run(`publish ${id}`);

    const after = await until(
      'the served peer to hold the note and count the traffic',
      () => scrape(serve),
      (m) =>
        sumOf(m.samples, 'shared_notes_entries', { space }) >= entriesBefore + 1 &&
        sumOf(m.samples, 'shared_notes_connected_peers', { space }) === 1 &&
        sumOf(m.samples, 'shared_notes_peers_in_sync', { space }) === 1 &&
        sumOf(m.samples, 'shared_notes_sync_sessions_total', { space }) >= 1 &&
        sumOf(m.samples, 'shared_notes_protocol_bytes_total', { space, protocol: '/shared-notes/shards/1.0.0', direction: 'in' }) > 0 &&
        sumOf(m.samples, 'shared_notes_protocol_messages_total', { space, protocol: '/shared-notes/shards/1.0.0', direction: 'out' }) > 0,
    );
    // The first catch-up of an empty peer arrives as a snapshot; a later note is a gossiped change
    // appended to the log, which is what the fsync histogram times.
    const second = await member.run('create note Bread|Flour, water, salt');
    await member.run(`publish ${(second.entry as { id: string }).id}`);
    const afterSecond = await until(
      'the second note appended to the log',
      () => scrape(serve),
      (m) =>
        sumOf(m.samples, 'shared_notes_entries', { space }) >= sumOf(after.samples, 'shared_notes_entries', { space }) + 1 &&
        sumOf(m.samples, 'shared_notes_fsync_seconds_count', { space }) >= 1 &&
        sumOf(m.samples, 'shared_notes_protocol_bytes_total', { space, direction: 'in' }) > sumOf(after.samples, 'shared_notes_protocol_bytes_total', { space, direction: 'in' }),
    );
    // A histogram's +Inf bucket counts every observation.
    assert.equal(
      sumOf(afterSecond.samples, 'shared_notes_fsync_seconds_bucket', { space, le: '+Inf' }),
      sumOf(afterSecond.samples, 'shared_notes_fsync_seconds_count', { space }),
    );
    assert.ok(sumOf(afterSecond.samples, 'shared_notes_store_bytes', { space }) > sumOf(before.samples, 'shared_notes_store_bytes', { space }));
    assert.equal(sumOf(afterSecond.samples, 'shared_notes_gossip_rejections_total', { space }), 0);

    // logrotate: move the file away, SIGHUP, and the next lines go to a new file by the old name.
    await rename(logPath, `${logPath}.1`);
    serve.child.kill('SIGHUP');
    await until('a new log file after SIGHUP', async () => (existsSync(logPath) ? await readFile(logPath, 'utf8') : ''), (t) => t.includes('log file reopened'), 5_000);
    assert.match(await readFile(`${logPath}.1`, 'utf8'), /space network up/);

    const sent = performance.now();
    serve.child.kill('SIGTERM');
    const code = await serve.exited;
    const stoppedMs = performance.now() - sent;
    assert.equal(code, 0, (await readFile(logPath, 'utf8')).slice(-2000));
    assert.ok(stoppedMs < 2_000, `stopped in ${Math.round(stoppedMs)} ms`);
    const spaceDir = join(data, 'spaces', space);
    for (const store of ['shards', 'local']) assert.equal(existsSync(join(spaceDir, store, 'LOCK')), false, `${store}/LOCK released`);
    await (await FileLogStore.open(join(spaceDir, 'local'))).close();
    await (await FileShardStore.open(spaceDir, { logger: memoryLogger() })).close();
    await member.quit();
  });

  it('hosts every space of its folder, each on its own node', async () => {
    const data = await tempDir('sn-serve-two-');
    dirs.push(data);
    const first = await ServeProcess.start('first', ['--data', data, '--new-space', 'Kitchen', '--metrics', '127.0.0.1:0', ...LOOPBACK]);
    processes.push(first);
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    const both = await ServeProcess.start('both', ['--data', data, '--new-space', 'Garage', '--metrics', '127.0.0.1:0', ...LOOPBACK], { spaces: 2 });
    processes.push(both);
    assert.deepEqual(both.ready.map((r) => r.space.name).sort(), ['Garage', 'Kitchen']);
    assert.notEqual(both.ready[0]!.addresses[0], both.ready[1]!.addresses[0]);
    const health = JSON.parse((await both.fetch('/health')).body) as { spaces: Array<{ name: string }> };
    assert.deepEqual(health.spaces.map((s) => s.name).sort(), ['Garage', 'Kitchen']);
    both.child.kill('SIGTERM');
    assert.equal(await both.exited, 0);
  });

  it('refuses to start without a space, with a clear message', async () => {
    const data = await tempDir('sn-serve-empty-');
    dirs.push(data);
    await assert.rejects(ServeProcess.start('empty', ['--data', data, ...LOOPBACK]), /no space in .*--join INVITE/s);
  });
});
