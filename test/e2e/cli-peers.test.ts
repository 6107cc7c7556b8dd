/**
 * Real CLI peers in separate processes over loopback websockets: gossip along a line, catch-up of
 * late and offline peers, convergence of concurrent edits, and outsiders kept out.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { decodeInvite, encodeInvite, newSpace } from '../../src/core/invite.js';
import { CliPeer, CliPeerPool, type Line } from '../helpers/cli-peer.js';

const pool = new CliPeerPool();
const start = (name: string, extra: string[] = [], dir?: string) => pool.start(name, extra, dir);
after(() => pool.cleanUp());

const entryOf = (l: Line) => l.entry as { id: string; title?: string; body?: string; state: string } | undefined;
const sortedHeads = (l: { heads: string[] }) => [...l.heads].sort().join(',');

async function inSyncWith(peer: CliPeer, n: number): Promise<void> {
  await peer.until(`in sync with ${n}`, () => peer.status(), (s) => s.connected >= n && s.inSync >= n);
}

describe('CLI peers over loopback', { timeout: 240_000 }, () => {
  let a: CliPeer, b: CliPeer, c: CliPeer;

  it('C invited by B meets A (peer exchange); a published note, its edit and its delete travel from A to C', async (t) => {
    a = await start('Ann', ['--new-space', 'Kitchen']);
    assert.equal(a.ready.space.name, 'Kitchen');
    b = await start('Bob', ['--join', a.ready.invite]);
    await inSyncWith(b, 1);
    c = await start('Cy', ['--join', (await b.run('invite')).invite as string]); // B's invite: B, and A as a member B sees
    assert.deepEqual(decodeInvite(a.ready.invite).addresses.every((x) => x.startsWith('/ip4/127.0.0.1/')), true);
    const started = performance.now();
    const viaA = (l: Line) => (l.peers as Array<{ peerId: string; connected: boolean; via?: string }>).find((p) => p.peerId === a.ready.peerId);
    const seen = await c.until('C connected to A', () => c.run('peers'), (l) => viaA(l)?.connected === true, 10_000);
    assert.equal(viaA(seen)?.via, 'loopback', 'the peers command says how');
    t.diagnostic(`C connected to A ${Math.round(performance.now() - started)} ms after its ready line`);
    await inSyncWith(b, 2);
    // Display names travel with the hello protocol: B's `peers` names both its neighbours.
    const names = (l: Line) => (l.peers as Array<{ name?: string; connected: boolean }>).filter((p) => p.connected).map((p) => p.name).sort();
    await b.until('B knows its peers by name', () => b.run('peers'), (l) => names(l).join() === 'Ann,Cy');

    const created = entryOf(await a.run('create note Pancakes|flour\\neggs'))!;
    assert.equal(created.state, 'draft');
    await a.run(`publish ${created.id.slice(0, 8)}`);
    const arrived = await c.waitFor((l) => l.type === 'entry' && l.id === created.id);
    assert.equal(entryOf(arrived)?.title, 'Pancakes');
    assert.equal(entryOf(arrived)?.body, 'flour\neggs');

    const mark = c.lines.length;
    await a.run(`edit ${created.id} body=flour\\neggs\\nmilk`);
    await c.waitFor((l) => l.type === 'entry' && l.id === created.id && entryOf(l)?.body === 'flour\neggs\nmilk', 20_000, mark);

    await a.run(`delete ${created.id}`);
    await c.waitFor((l) => l.type === 'entry' && l.id === created.id && l.status === 'deleted');
    const shown = await c.show(created.id);
    assert.ok(shown.tombstone, 'C shows a tombstone');
  });

  it('a draft never leaves its device', async () => {
    const draft = entryOf(await a.run('create note Secret plan|not for sharing'))!;
    await a.run('sync');
    await new Promise((r) => setTimeout(r, 1500));
    const error = await c.run(`show ${draft.id}`).catch((e: { line: Line }) => e.line);
    assert.equal(error.type, 'error');
    assert.equal(error.error, 'EntryNotFoundError');
  });

  it('a late joiner and a peer that was offline catch up and report in sync', async () => {
    await b.quit();
    for (let i = 0; i < 20; i++) {
      const e = entryOf(await a.run(`create recipe Dish ${i}|ingredient ${i}|cook ${i}`))!;
      await a.run(`publish ${e.id}`);
    }
    const d = await start('Dee', ['--join', a.ready.invite]);
    const b2 = await start('Bob', [], b.dataDir); // restarts from its data folder and redials known peers
    for (const p of [a, b2, d]) await inSyncWith(p, 1);
    const aHeads = sortedHeads(await a.status());
    for (const p of [b2, d]) {
      await p.until('same heads as A', () => p.status(), (s) => sortedHeads(s) === aHeads);
      const list = await p.run('ls');
      assert.equal((list.entries as unknown[]).length, 20);
    }
    b = b2;
    await c.until('C back in sync', () => c.status(), (s) => s.connected >= 1 && sortedHeads(s) === aHeads, 60_000);
  });

  it('concurrent edits and deletes on two peers converge everywhere', async () => {
    const shared = entryOf(await a.run('create note Plan|line one\\n'))!;
    await a.run(`publish ${shared.id}`);
    const doomed = entryOf(await a.run('create note Doomed|x'))!;
    await a.run(`publish ${doomed.id}`);
    // B deletes the doomed note and C edits both: each must have them first.
    for (const p of [b, c]) for (const e of [doomed, shared]) await p.waitFor((l) => l.type === 'entry' && l.id === e.id);
    // At the same moment: A and C edit the same note, C edits the doomed note while B deletes it.
    // Both edits start from the version each showed before (A and C are directly connected in the
    // mesh: without it, A's edit could reach C first and C's would be a later edit, not a concurrent one).
    const [fromA, fromC] = await Promise.all([a.show(shared.id), c.show(shared.id)]);
    await Promise.all([
      a.run(`edit ${shared.id}@${fromA.version as string} body=line zero\\nline one\\n|title=Plan A`),
      c.run(`edit ${shared.id}@${fromC.version as string} body=line one\\nline two\\n`),
      // If B's delete reaches C first, C's edit is refused: the same outcome, reached sooner.
      c.run(`edit ${doomed.id} title=Saved?`).catch((e: { line: Line }) => assert.equal(e.line.error, 'EntryDeletedError')),
      b.run(`delete ${doomed.id}`),
    ]);
    const all = [a, b, c];
    await a.until('all heads equal', async () => Promise.all(all.map(async (p) => sortedHeads(await p.status()))), (hs) => hs.every((h) => h === hs[0]), 60_000);
    const views = await Promise.all(all.map((p) => p.show(shared.id)));
    for (const v of views) assert.deepEqual(entryOf(v), entryOf(views[0]!));
    assert.equal(entryOf(views[0]!)?.body, 'line zero\nline one\nline two\n');
    for (const p of all) assert.ok((await p.show(doomed.id)).tombstone, `${p.name}: the delete wins`);
  });

  it('a peer without the key cannot connect or read anything', async () => {
    const real = decodeInvite(a.ready.invite);
    const forged = encodeInvite({ space: { ...newSpace('Kitchen'), id: real.space.id }, addresses: real.addresses });
    const eve = await start('Eve', ['--join', forged]);
    await new Promise((r) => setTimeout(r, 4000));
    const s = await eve.status();
    assert.equal(s.connected, 0);
    assert.equal(((await eve.run('ls')).entries as unknown[]).length, 0);
    const before = (await a.status()).connected;
    assert.ok(!eve.lines.some((l) => l.type === 'entry'), 'Eve received no entries');
    assert.ok((await a.run('peers')).peers instanceof Array);
    assert.ok(before >= 1);
    await eve.kill();
  });

  it('quit and SIGTERM shut down cleanly and release the store lock', async () => {
    assert.equal(await c.quit(), 0);
    const again = await start('Cy', [], c.dataDir);
    assert.equal(again.ready.space.id, a.ready.space.id);
    await assert.rejects(CliPeer.start('Cy2', c.dataDir), /StoreLockedError|in use by another/);
    assert.equal(await again.kill('SIGTERM'), 0, 'SIGTERM is a clean shutdown');
    const third = await start('Cy', [], c.dataDir); // the lock was released
    assert.equal(await third.quit(), 0);
  });
});
