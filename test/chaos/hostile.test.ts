/**
 * Hostile member: a node holding the space key sends fuzzed gossip and sync frames (fast-check:
 * random bytes, truncated and bit-flipped real changes and sync messages, oversized frames,
 * floods, replays, orphans) at a CLI peer while three honest CLI peers write. No honest process
 * may crash, they must keep converging, and with the product's defaults the hostile node is cut
 * off after its third piece of bad data.
 *
 * The target of the volume run keeps listening whatever it receives (SHARED_NOTES_STRIKES), or
 * the first three bad messages would end the fuzzing; gossipsub's own scoring still stops
 * relaying a node's messages after a few invalid ones, so the hostile node takes a fresh identity
 * every ROTATE_EVERY gossip messages, as a real attacker holding the key can.
 */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import fc from 'fast-check';
import type { CliPeer } from '../helpers/cli-peer.js';
import { gossip, gossipAttacks, makeMaterial, syncAttacks, type Attack } from './fuzz-corpus.js';
import { HostileNode } from './hostile-node.js';
import { Ledger, ManagedPeer, missingOps, prepareSpace, sortedHeads, writeLoop } from './peers.js';
import { printFigures, rssMiB, scaled, seconds, sleep } from './report.js';

const TOTAL = scaled(600, 10_000);
const ROTATE_EVERY = 40;
const SEED = Number(process.env.CHAOS_SEED) || Date.now();

const cleanup: Array<() => Promise<void>> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step().catch((err: unknown) => console.error(`cleanup: ${String(err)}`));
});

const strikeLines = (cli: CliPeer) => cli.stderr.filter((l) => l.includes('sent bad data')).length;
const errorLines = (cli: CliPeer) => cli.stderr.filter((l) => / ERROR /.test(l)).length;

it(`honest peers survive and converge through ${TOTAL} fuzzed gossip messages and sync frames from a member`, { timeout: scaled(240_000, 1_200_000) }, async () => {
  const { space, peers: [pa, pb, pc] } = await prepareSpace(['Ann', 'Bob', 'Cy']);
  const a = new ManagedPeer(pa!.name, pa!.dir, () => [], { env: { SHARED_NOTES_STRIKES: '1000000000' } });
  cleanup.push(() => a.remove());
  const ca = await a.start();
  const aAddr = ca.ready.addresses[0]!;
  const b = new ManagedPeer(pb!.name, pb!.dir, () => ['--bootstrap', aAddr]);
  cleanup.push(() => b.remove());
  const cb = await b.start();
  const c = new ManagedPeer(pc!.name, pc!.dir, () => ['--bootstrap', aAddr, '--bootstrap', cb.ready.addresses[0]!]);
  cleanup.push(() => c.remove());
  const cc = await c.start();
  await ca.until('A connected to B and C', () => ca.status(), (s) => s.connected >= 2, 60_000);
  const honest = [ca, cb, cc];
  const rssBefore = rssMiB(ca.pid);

  const ledger = new Ledger();
  let stopWriting = false;
  const writers = [a, b, c].map((m, i) => writeLoop(m, [pa, pb, pc][i]!.deviceId, ledger, () => stopWriting, [100, 300]));

  // The corpus: fixed oversized messages and floods, then fast-check's mix up to TOTAL.
  const material = await makeMaterial(scaled(20, 100));
  const fixed: Attack[] = [
    ...[1.5, 5].flatMap((mib) => [0, 1].map((): Attack => ({ kind: 'gossip', label: `oversized gossip (${mib} MiB)`, bytes: Uint8Array.from([2, 1, 0x0a, 0xbc, ...new Uint8Array(mib * 1024 * 1024)]) }))),
    ...material.valid.map((change): Attack => ({ kind: 'gossip', label: 'flood of valid changes', bytes: gossip(change) })),
    ...Array.from({ length: scaled(50, 400) }, (): Attack => ({ kind: 'gossip', label: 'flood of one replayed change', bytes: 'replay' })),
    ...Array.from({ length: scaled(1, 3) }, (): Attack => ({ kind: 'sync', label: 'sync frame of 16 MiB garbage', frames: [new Uint8Array(16 * 1024 * 1024).fill(0xab)] })),
  ];
  const mixed = fc.sample(fc.oneof({ weight: 6, arbitrary: gossipAttacks(material) }, { weight: 4, arbitrary: syncAttacks(material) }), { numRuns: TOTAL - fixed.length, seed: SEED });
  const attacks = [...fixed, ...mixed].sort(() => Math.random() - 0.5);
  console.log(`# fuzzing with fast-check seed ${SEED} (CHAOS_SEED=${SEED} replays the same attacks, in another order)`);

  const tally = new Map<string, number>();
  const syncOutcomes = new Map<string, number>();
  let identities = 0;
  let gossipSinceRotation = 0;
  let gossipRefusedLocally = 0;
  let hostile: HostileNode | undefined;
  let lastReplay: Uint8Array | undefined;
  const rotate = async () => {
    await hostile?.stop();
    hostile = await HostileNode.start(space, { dialOnly: true });
    identities++;
    gossipSinceRotation = 0;
    await hostile.connect(aAddr, ca.ready.peerId);
  };
  cleanup.push(async () => void (await hostile?.stop()));
  await rotate();
  const attackStarted = Date.now();
  for (const attack of attacks) {
    tally.set(attack.label, (tally.get(attack.label) ?? 0) + 1);
    if (attack.kind === 'gossip') {
      if (gossipSinceRotation >= ROTATE_EVERY) await rotate();
      gossipSinceRotation++;
      let bytes = attack.bytes;
      if (bytes === 'replay') bytes = lastReplay = hostile!.heard.at(-1) ?? lastReplay ?? gossip(material.valid[0]!);
      if (!(await hostile!.publish(bytes))) gossipRefusedLocally++;
    } else {
      const outcome = await hostile!.sync(ca.ready.peerId, attack);
      syncOutcomes.set(outcome, (syncOutcomes.get(outcome) ?? 0) + 1);
    }
  }
  const attackMs = Date.now() - attackStarted;
  await hostile!.stop();
  hostile = undefined;
  const rssAfter = rssMiB(ca.pid);

  stopWriting = true;
  const acked = await Promise.all(writers);
  const crashed = [a, b, c].filter((m) => !m.running).map((m) => m.name);
  assert.deepEqual(crashed, [], 'honest peers still running after the attack');
  const convergeStarted = Date.now();
  await ca.until('honest heads identical', () => Promise.all(honest.map(async (p) => sortedHeads((await p.status()).heads))), (hs) => hs.every((h) => h === hs[0]), 120_000).catch((err: Error) => {
    // Why the honest members do not converge: what each of them refused, and from whom.
    const refusals = honest.map((p) => `${p.name}:\n${p.stderr.filter((l) => /bad data|hanging up|refus|ended early|could not/.test(l)).slice(-12).join('\n')}`);
    throw new Error(`${err.message}\n${refusals.join('\n')}`);
  });
  const convergeMs = Date.now() - convergeStarted;
  const missing = await Promise.all(honest.map((p) => missingOps(p, ledger)));
  const listed = await ca.run('ls', 60_000);
  const hostileEntries = (listed.entries as Array<{ author: { name: string } }>).filter((e) => e.author.name === 'Hostile').length;
  const strikesAtA = strikeLines(ca);

  // With the product's defaults: three pieces of bad data and the member is cut off and refused.
  const penalty = async (target: CliPeer, how: 'gossip' | 'sync') => {
    const h = await HostileNode.start(space);
    cleanup.push(() => h.stop());
    await h.connect(target.ready.addresses[0]!, target.ready.peerId);
    let sent = 0;
    const started = Date.now();
    while (h.isConnectedTo(target.ready.peerId) && Date.now() - started < 20_000) {
      if (sent < 10) {
        sent++;
        if (how === 'gossip') await h.publish(Uint8Array.from([1, 1, 0xde, 0xad, 0xbe, 0xef]));
        else await h.sync(target.ready.peerId, { frames: [Uint8Array.from([0xde, 0xad, 0xbe, 0xef])] }, 1_000);
      }
      await sleep(200);
    }
    const cutOffMs = Date.now() - started;
    const status = ((await target.run('peers')).peers as Array<{ peerId: string; strikes: number; blockedUntil?: number; connected: boolean }>).find((p) => p.peerId === h.peerId);
    const redial = await h.connect(target.ready.addresses[0]!, target.ready.peerId, 5_000).then(() => 'accepted', () => 'refused');
    await sleep(1_000);
    const stillOut = !h.isConnectedTo(target.ready.peerId);
    await h.stop();
    return { sent, cutOffMs, status, redial, stillOut };
  };
  const byGossip = await penalty(cb, 'gossip');
  const bySync = await penalty(cc, 'sync');

  // The honest peers carry on together afterwards.
  await cb.run(`create note after the attack|still here`).then((l) => cb.run(`publish ${(l.entry as { id: string }).id}`));
  await ca.until('honest heads identical after the penalties', () => Promise.all(honest.map(async (p) => sortedHeads((await p.status()).heads))), (hs) => hs.every((h) => h === hs[0]), 60_000);

  const sent = [...tally].sort((x, y) => y[1] - x[1]);
  printFigures('Hostile member: what was sent', sent.map(([label, n]) => [label, n] as const));
  printFigures('Hostile member: outcome', [
    ['fast-check seed (CHAOS_SEED to replay)', SEED],
    ['hostile messages sent (gossip + sync streams)', `${attacks.length} (${attacks.filter((x) => x.kind === 'gossip').length} + ${attacks.filter((x) => x.kind === 'sync').length}) in ${seconds(attackMs)}`],
    ['gossip gossipsub refused to send (over its size limit)', gossipRefusedLocally],
    ['sync streams: answered / closed / refused / timed out', ['answered', 'closed', 'refused', 'timeout'].map((k) => syncOutcomes.get(k) ?? 0).join(' / ')],
    ['hostile identities used', identities],
    ['honest processes crashed', crashed.length],
    ['bad data reported by the target (strikes)', strikesAtA],
    ['error lines logged by honest peers', honest.map(errorLines).join(', ')],
    ['valid hostile notes accepted (members may write)', hostileEntries],
    ['invalid entries listed with a reason', (listed.invalid as unknown[]).length],
    ['target memory (RSS) before / after', `${rssBefore} / ${rssAfter} MiB`],
    ['honest ops acknowledged during the attack', `${ledger.ops.length} (${acked.join(', ')})`],
    ['honest ops missing, per peer', missing.map((x) => x.length).join(', ')],
    ['honest heads identical after the attack', seconds(convergeMs)],
    ['defaults, bad gossip: sent before cut off / time', `${byGossip.sent} / ${seconds(byGossip.cutOffMs)}`],
    ['defaults, bad sync frames: sent before cut off / time', `${bySync.sent} / ${seconds(bySync.cutOffMs)}`],
    ['cut-off member: strikes / blocked / redial', [byGossip, bySync].map((p) => `${p.status?.strikes} / ${p.status?.blockedUntil ? 'yes' : 'no'} / ${p.stillOut ? 'kept out' : 'got back in'}`).join('; ')],
  ]);

  missing.forEach((m, i) => assert.deepEqual(m, [], `${honest[i]!.name} lacks acknowledged honest ops`));
  assert.ok(strikesAtA > 0, 'the target noticed bad data');
  for (const p of [byGossip, bySync]) {
    assert.ok(p.status && p.status.strikes >= 3 && p.status.blockedUntil !== undefined && !p.status.connected, `cut off: ${JSON.stringify(p.status)}`);
    assert.ok(p.stillOut, 'a blocked member does not get back in');
  }
  assert.deepEqual([a, b, c].filter((m) => !m.running).map((m) => m.name), [], 'no honest process exited');
});
