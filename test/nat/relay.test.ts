/**
 * Across NATs, with real processes in Linux network namespaces (see topology.ts): two homes behind
 * MASQUERADE routers and a public always-on peer (`shared-notes serve`, circuit relay v2).
 * - NATed members converge through the always-on peer (they only dial out to it).
 * - The always-on peer restarting loses nothing: a note written while it was down reaches the
 *   other home after it is back.
 * - With the relay, a member reaches another home's member through its relayed address, and
 *   DCUtR replaces that with a direct TCP connection when one side is reachable (a port forward,
 *   announced); notes then flow with the always-on peer gone.
 * - The other way round (a NATed member dials a reachable one): libp2p's DCUtR cannot upgrade that
 *   direction. It is started by the side the relayed connection reached; when the dialer has no
 *   public address, that side gives up ("A did not have any dialable multiaddrs") without asking
 *   the dialer to dial. SpaceConnections covers it (the dialer dials the public address the other
 *   announced, then closes the relayed connection), but in this topology the relayed connection
 *   does not even form: a peer with --announce advertises only its announced address (libp2p's
 *   address manager then drops circuit addresses), and a dial of Bob's hand-written circuit
 *   address was refused by the relay ("Remote closed connection during opening"). The NATed
 *   member learns Bob's public address from the always-on peer's peer list and dials it: the test
 *   asserts that outcome and prints which path was taken.
 * Root only; skipped with the reason elsewhere. Every namespace is removed afterwards.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { decodeInvite, encodeInvite } from '../../src/core/invite.js';
import { CLI, CliPeer, tempDir, type Line } from '../helpers/cli-peer.js';
import { ServeProcess } from '../helpers/serve-process.js';
import { NatTopology, natTestsUnavailable, PUBLIC_IP, ROUTER_A_IP, ROUTER_B_IP } from './topology.js';

const skip = natTestsUnavailable();
const topology = new NatTopology();
const processes: Array<{ kill(): Promise<unknown> }> = [];
const dirs: string[] = [];
const PORT = 4001;

async function dir(name: string): Promise<string> {
  const d = await tempDir(`sn-nat-${name}-`);
  dirs.push(d);
  return d;
}

const inPublic = () => [...topology.exec(topology.public), process.execPath, CLI];

function serveArgs(data: string, extra: string[] = []): string[] {
  return ['--data', data, '--listen', `/ip4/0.0.0.0/tcp/${PORT}/ws`, '--announce', `/ip4/${PUBLIC_IP}/tcp/${PORT}/ws`, '--no-mdns', '--metrics', '127.0.0.1:0', ...extra];
}

async function member(name: string, ns: string, extra: string[], listen = '/ip4/0.0.0.0/tcp/0/ws'): Promise<CliPeer> {
  const peer = await CliPeer.start(name, await dir(name), extra, { listen, wrap: topology.exec(ns) });
  processes.push(peer);
  return peer;
}

async function publish(peer: CliPeer, title: string): Promise<string> {
  const created = await peer.run(`create note ${title}|written at home`);
  const id = (created.entry as { id: string }).id;
  await peer.run(`publish ${id}`);
  return id;
}

async function sees(peer: CliPeer, id: string, title: string, timeoutMs = 45_000): Promise<void> {
  await peer.until(
    `${peer.name} sees "${title}"`,
    () => peer.run(`show ${id}`).catch((err: Error & { line?: Line }) => err.line ?? ({ type: 'error' } as Line)),
    (l) => l.type === 'result' && (l.entry as { title?: string } | undefined)?.title === title,
    timeoutMs,
  );
}

describe('across NATs through an always-on peer', { skip, timeout: 420_000 }, () => {
  before(() => topology.up());
  after(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    topology.down();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    assert.deepEqual(topology.leftovers(), [], 'every namespace removed');
  });

  let relayData: string;
  let relay: ServeProcess;
  let ann: CliPeer; // home A, no port forward
  let bob: CliPeer; // home B, later with a port forward

  it('NATed members converge through the always-on peer', async () => {
    relayData = await dir('relay');
    relay = await ServeProcess.start('relay', serveArgs(relayData, ['--new-space', 'Kitchen']), { command: inPublic() });
    processes.push(relay);
    const invite = relay.ready[0]!.invite;
    assert.deepEqual(decodeInvite(invite).addresses, [`/ip4/${PUBLIC_IP}/tcp/${PORT}/ws/p2p/${relay.ready[0]!.peerId}`], 'the invite carries the announced public address');
    ann = await member('Ann', topology.homeA, ['--join', invite]);
    bob = await member('Bob', topology.homeB, ['--join', invite], `/ip4/0.0.0.0/tcp/${PORT}/ws`);
    const soup = await publish(ann, 'Soup');
    await sees(bob, soup, 'Soup');
    const bread = await publish(bob, 'Bread');
    await sees(ann, bread, 'Bread');
  });

  it('the always-on peer restarting loses nothing', async () => {
    relay.child.kill('SIGTERM');
    assert.equal(await relay.exited, 0);
    const whileDown = await publish(ann, 'Written while the server was down');
    relay = await ServeProcess.start('relay (restarted)', serveArgs(relayData), { command: inPublic() });
    processes.push(relay);
    await sees(bob, whileDown, 'Written while the server was down', 90_000);
    const soupAgain = (await bob.run('ls')).entries as Array<{ title: string }>;
    assert.deepEqual(soupAgain.map((e) => e.title).sort(), ['Bread', 'Soup', 'Written while the server was down']);
  });

  it('with the relay, a member reaches another home directly once one side is reachable (DCUtR)', async () => {
    // Cy, in home A, joins through the always-on peer and listens there (a relay reservation).
    const joined = await member('Cy', topology.homeA, ['--join', relay.ready[0]!.invite]);
    const relayed = await joined.until(
      'Cy to hold a relay reservation (a /p2p-circuit address in its invite)',
      async () => decodeInvite((await joined.run('invite')).invite as string).addresses,
      (addrs) => addrs.some((a) => a.includes(`/p2p/${relay.ready[0]!.peerId}/p2p-circuit/p2p/${joined.ready.peerId}`)),
      30_000,
    );
    const circuit = relayed.find((a) => a.includes('/p2p-circuit/'))!;
    // Bob's router now forwards his port and he announces his public address; he knows Cy only
    // by her relayed address, so his dial goes through the always-on peer. DCUtR on Cy's side
    // sees Bob's public address and dials it: a direct TCP connection replaces the relayed one.
    topology.forwardB(PORT);
    await bob.kill('SIGTERM');
    bob = await CliPeer.start('Bob', bob.dataDir, ['--announce', `/ip4/${ROUTER_B_IP}/tcp/${PORT}/ws`, '--bootstrap', circuit], {
      listen: `/ip4/0.0.0.0/tcp/${PORT}/ws`,
      wrap: topology.exec(topology.homeB),
    });
    processes.push(bob);
    const direct = () => topology.established(topology.homeB).filter((pair) => pair.startsWith(`10.2.0.2:${PORT} ${ROUTER_A_IP}:`));
    const deadline = Date.now() + 45_000;
    while (direct().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.ok(direct().length > 0, `a direct connection from home A (${ROUTER_A_IP}) into home B; established in home B: ${topology.established(topology.homeB).join('; ')}\nBob:\n${bob.stderr.slice(-10).join('\n')}`);

    // With the always-on peer gone, Cy and Bob still exchange notes over the direct connection.
    relay.child.kill('SIGTERM');
    await relay.exited;
    const jam = await publish(joined, 'Jam');
    await sees(bob, jam, 'Jam', 30_000);
  });

  it('the other way round: a NATed member given only a reachable member\'s relayed address ends up connected to it directly', async () => {
    relay = await ServeProcess.start('relay (again)', serveArgs(relayData), { command: inPublic() });
    processes.push(relay);
    // Bob (port forward, announced) is back on the always-on peer. His invite lists only the
    // address he announces, so a relayed address for him is written out here.
    type PeerRow = { peerId: string; connected: boolean; via?: string };
    const relayId = relay.ready[0]!.peerId;
    await bob.until('Bob connected to the always-on peer again', () => bob.run('peers'), (l) => (l.peers as PeerRow[]).some((p) => p.peerId === relayId && p.connected), 90_000);
    const bobViaRelay = `/ip4/${PUBLIC_IP}/tcp/${PORT}/ws/p2p/${relayId}/p2p-circuit/p2p/${bob.ready.peerId}`;
    // Dee, in home A behind NAT, joins with an invite naming Bob only by that relayed address: she
    // is the dialer and only he is reachable. Whether the relayed connection forms first (then
    // SpaceConnections upgrades it) or not (then the always-on peer's peer list gives her Bob's
    // public address), she must end up connected to him directly.
    const onlyRelayed = encodeInvite({ space: decodeInvite(relay.ready[0]!.invite).space, addresses: [bobViaRelay] });
    const dee = await member('Dee', topology.homeA, ['--join', onlyRelayed, '--verbose']);
    const bobSeen = await dee.until(
      'Dee connected to Bob directly (not through the relay)',
      async () => ((await dee.run('peers')).peers as PeerRow[]).find((p) => p.peerId === bob.ready.peerId),
      (p) => p?.connected === true && p.via === 'direct',
      45_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nestablished in home B: ${topology.established(topology.homeB).join('; ')}\nDee:\n${dee.stderr.slice(-15).join('\n')}`);
    });
    assert.equal(bobSeen?.via, 'direct');
    const how = dee.stderr.some((l) => l.includes('replaces the relayed one')) ? 'upgraded from the relayed connection' : 'dialed directly (no relayed connection formed)';
    process.stdout.write(`# Dee → Bob direct: ${how}\n${dee.stderr.filter((l) => l.includes(bob.ready.peerId) || l.includes('relay')).map((l) => `# ${l}`).join('\n')}\n`);

    // With the always-on peer gone, Dee and Bob still exchange notes over the direct connection.
    relay.child.kill('SIGTERM');
    await relay.exited;
    const tea = await publish(bob, 'Tea');
    await sees(dee, tea, 'Tea', 30_000);
  });
});
