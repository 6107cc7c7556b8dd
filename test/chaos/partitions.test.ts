/**
 * Partitions: five peer processes, every directed link through a proxy the test cuts and heals at
 * random (paused like dropped packets, or reset), peers killed (-9 or SIGTERM) and restarted, while
 * all of them write. Then everything heals: every acknowledged op must reach every peer and all
 * heads must become identical. N, the time that takes, is reported.
 *
 * The peers announce a dead-end address (--announce), so that they never learn each other's real
 * listening ports: the only working routes are the links below, given to each as --bootstrap.
 */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { DeadEnd, freePort, LinkProxy, type LinkState } from './link-proxy.js';
import { Ledger, ManagedPeer, missingOps, prepareSpace, sortedHeads, writeLoop } from './peers.js';
import { pickOne, printFigures, randomInt, scaled, seconds, sleep, type Figure } from './report.js';

const NAMES = ['P0', 'P1', 'P2', 'P3', 'P4'];
const CHAOS_MS = scaled(25_000, 150_000);
/** The last stretch of each round happens split 2 | 3, so the heal always has work to do. */
const FINAL_SPLIT_MS = scaled(8_000, 40_000);
/** How the final split cuts: the short run picks one, the full run measures both. */
const FINAL_SPLITS: LinkState[] = scaled([Math.random() < 0.5 ? 'paused' : 'reset'], ['reset', 'paused']);
/** Generous: the redial backoff alone may reach 60 s during a long partition. */
const CONVERGE_LIMIT_MS = 240_000;

const cleanup: Array<() => Promise<void>> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step().catch((err: unknown) => console.error(`cleanup: ${String(err)}`));
});

it(`${NAMES.length} peers writing through random partitions and restarts converge once healed`, { timeout: CHAOS_MS + (FINAL_SPLIT_MS + CONVERGE_LIMIT_MS) * 2 + 240_000 }, async () => {
  const { peers: prepared } = await prepareSpace(NAMES);
  const ports = await Promise.all(prepared.map(() => freePort()));
  const deadEnds = await Promise.all(prepared.map(() => DeadEnd.start()));
  cleanup.push(async () => void (await Promise.all(deadEnds.map((d) => d.close()))));

  const managed: ManagedPeer[] = [];
  const links = new Map<string, LinkProxy>();
  const link = (i: number, j: number) => links.get(`${i}>${j}`)!;
  for (let i = 0; i < NAMES.length; i++) {
    for (let j = 0; j < NAMES.length; j++) {
      if (i !== j) links.set(`${i}>${j}`, await LinkProxy.start(`${NAMES[i]}>${NAMES[j]}`, () => (managed[j]?.running ? ports[j] : undefined)));
    }
  }
  cleanup.push(async () => void (await Promise.all([...links.values()].map((l) => l.close()))));
  prepared.forEach((p, i) => {
    const args = () => [
      '--announce', deadEnds[i]!.multiaddr,
      ...prepared.flatMap((q, j) => (j === i ? [] : ['--bootstrap', link(i, j).multiaddr(q.peerId)])),
    ];
    // The product's default anti-entropy interval (30 s), not the e2e tests' 2 s.
    managed.push(new ManagedPeer(p.name, p.dir, args, { listen: `/ip4/127.0.0.1/tcp/${ports[i]}/ws`, env: { SHARED_NOTES_ANTI_ENTROPY_MS: '' } }));
  });
  cleanup.push(async () => void (await Promise.all(managed.map((m) => m.remove()))));
  await Promise.all(managed.map((m) => m.start()));

  // Both directions of a pair share a fate, as a cable does.
  const setPair = (i: number, j: number, state: LinkState) => {
    link(i, j).set(state);
    link(j, i).set(state);
  };
  const pairs = NAMES.flatMap((_, i) => NAMES.map((__, j) => [i, j] as const).filter(([a, b]) => a < b));
  const counts = { linkCuts: 0, linkHeals: 0, partitions: 0, healAll: 0, kill9: 0, sigterm: 0 };

  const ledger = new Ledger();
  const restarting = new Map<number, Promise<void>>();
  const restart = (i: number) => {
    const signal: NodeJS.Signals = Math.random() < 0.7 ? 'SIGKILL' : 'SIGTERM';
    if (signal === 'SIGKILL') counts.kill9++;
    else counts.sigterm++;
    const m = managed[i]!;
    restarting.set(i, (async () => {
      await m.kill(signal);
      await sleep(randomInt(0, 3000));
      await m.start().catch(() => undefined); // counted in m.failedStarts; checked below
    })().finally(() => restarting.delete(i)));
  };

  // One round per way of splitting at the end: the heal after a reset split waits for redials,
  // the heal after a paused one finds the old connections alive.
  const acked = NAMES.map(() => 0);
  const heals: Array<{ mode: LinkState; minority: string; headsBefore: number; ms: number | undefined }> = [];
  for (const finalMode of FINAL_SPLITS) {
    let stopWriting = false;
    const writers = managed.map((m, i) => writeLoop(m, prepared[i]!.deviceId, ledger, () => stopWriting));
    const chaosStarted = Date.now();
    while (Date.now() - chaosStarted < CHAOS_MS / FINAL_SPLITS.length) {
      await sleep(randomInt(500, 2000));
      const roll = Math.random();
      const mode: LinkState = Math.random() < 0.5 ? 'paused' : 'reset';
      if (roll < 0.35) {
        const [i, j] = pickOne(pairs);
        setPair(i, j, mode);
        counts.linkCuts++;
      } else if (roll < 0.55) {
        const cut = pairs.filter(([i, j]) => link(i, j).state !== 'up');
        if (cut.length > 0) {
          const [i, j] = pickOne(cut);
          setPair(i, j, 'up');
          counts.linkHeals++;
        }
      } else if (roll < 0.7) {
        const side = new Set(NAMES.map((_, i) => i).filter(() => Math.random() < 0.5));
        for (const [i, j] of pairs) setPair(i, j, side.has(i) === side.has(j) ? 'up' : mode);
        counts.partitions++;
      } else if (roll < 0.8) {
        for (const [i, j] of pairs) setPair(i, j, 'up');
        counts.healAll++;
      } else {
        const idle = NAMES.map((_, i) => i).filter((i) => !restarting.has(i));
        if (idle.length > 0) restart(pickOne(idle));
      }
    }
    await Promise.all(restarting.values());
    for (const m of managed) if (!m.running) await m.start();
    const order = NAMES.map((_, i) => i).sort(() => Math.random() - 0.5);
    const minority = new Set(order.slice(0, 2));
    for (const [i, j] of pairs) setPair(i, j, minority.has(i) === minority.has(j) ? 'up' : finalMode);
    await sleep(FINAL_SPLIT_MS);
    stopWriting = true;
    (await Promise.all(writers)).forEach((n, i) => (acked[i]! += n));
    const headsBefore = new Set(await Promise.all(managed.map(async (m) => sortedHeads((await m.cli!.status()).heads)))).size;
    for (const [i, j] of pairs) setPair(i, j, 'up');

    // Healed: how long until every peer holds the same document?
    const healedAt = Date.now();
    let convergedMs: number | undefined;
    let lastHeads: string[] = [];
    while (Date.now() - healedAt < CONVERGE_LIMIT_MS) {
      lastHeads = await Promise.all(managed.map(async (m) => sortedHeads((await m.cli!.status()).heads)));
      if (lastHeads.every((h) => h === lastHeads[0])) {
        convergedMs = Date.now() - healedAt;
        break;
      }
      await sleep(250);
    }
    heals.push({ mode: finalMode, minority: [...minority].map((i) => NAMES[i]).join('+'), headsBefore, ms: convergedMs });
    if (convergedMs === undefined) break;
  }

  const missing = await Promise.all(managed.map((m) => missingOps(m.cli!, ledger)));
  const byOp = (op: string) => ledger.ops.filter((o) => o.op === op).length;
  const failedStarts = managed.flatMap((m) => m.failedStarts);
  const proxies = [...links.values()];
  printFigures('Partitions', [
    ['peer processes', NAMES.length],
    ['chaos duration (all peers writing)', seconds(CHAOS_MS)],
    ['link cuts (one pair) / heals', `${counts.linkCuts} / ${counts.linkHeals}`],
    ['random two-sided partitions / heal-alls', `${counts.partitions} / ${counts.healAll}`],
    ['proxy pauses / resets (per direction)', `${proxies.reduce((s, l) => s + l.stats.pauses, 0)} / ${proxies.reduce((s, l) => s + l.stats.resets, 0)}`],
    ['restarts: kill -9 / SIGTERM', `${counts.kill9} / ${counts.sigterm}`],
    ['restarts that failed to start', failedStarts.length],
    ['acknowledged ops (publish / edit / delete)', `${ledger.ops.length} (${byOp('publish')} / ${byOp('edit')} / ${byOp('delete')})`],
    ['acknowledged per peer', acked.join(', ')],
    ['commands refused or cut short', [...ledger.errors].map(([k, v]) => `${k} ${v}`).join(', ') || '0'],
    ...heals.flatMap((h): Figure[] => [
      [`final split ${h.minority} vs the rest (${h.mode}, ${seconds(FINAL_SPLIT_MS)}): distinct heads at the heal`, h.headsBefore],
      [`N after the ${h.mode} split: heal → identical heads on all peers`, h.ms === undefined ? `not within ${seconds(CONVERGE_LIMIT_MS)}` : seconds(h.ms)],
    ]),
    ['acknowledged ops missing, per peer', missing.map((m) => m.length).join(', ')],
  ]);

  assert.deepEqual(failedStarts, [], 'every restart opened its stores');
  for (const h of heals) assert.ok(h.ms !== undefined, `heads still differ ${seconds(CONVERGE_LIMIT_MS)} after healing the ${h.mode} split`);
  assert.ok(ledger.ops.length > 0, 'the peers wrote something');
  missing.forEach((m, i) => assert.deepEqual(m, [], `${NAMES[i]} lacks acknowledged ops`));
});
