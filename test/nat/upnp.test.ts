/**
 * Two homes, no server at all: home B's router speaks UPnP IGD / NAT-PMP (miniupnpd in its
 * network namespace), so Bob's peer maps its port and tells others the public address; Ann,
 * behind an ordinary NAT, connects to it directly and they sync. Root only; every namespace and
 * the miniupnpd process are removed afterwards.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { decodeInvite, encodeInvite } from '../../src/core/invite.js';
import { CliPeer, tempDir, type Line } from '../helpers/cli-peer.js';
import { NatTopology, natTestsUnavailable, ROUTER_A_IP, ROUTER_B_IP } from './topology.js';

const skip = natTestsUnavailable();
const topology = new NatTopology(`u${process.pid % 10000}`);
const peers: CliPeer[] = [];
const dirs: string[] = [];
const PORT = 4001;

async function dir(name: string): Promise<string> {
  const d = await tempDir(`sn-upnp-${name}-`);
  dirs.push(d);
  return d;
}

describe('two homes behind NAT, one router with UPnP: a direct connection, no server', { skip, timeout: 240_000 }, () => {
  let upnpSkip: string | undefined;
  before(async () => {
    topology.up();
    upnpSkip = topology.startUpnpB(await dir('router'));
  });
  after(async () => {
    await Promise.all(peers.map((p) => p.kill()));
    topology.down();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    assert.deepEqual(topology.leftovers(), [], 'every namespace removed');
  });

  it('Bob maps his port by UPnP and announces it; Ann dials it and they sync', async (t) => {
    if (upnpSkip) {
      t.skip(upnpSkip);
      return;
    }
    // LAN multicast on (it stays inside home B's namespace): SSDP finds the router.
    const bob = await CliPeer.start('Bob', await dir('bob'), ['--new-space', 'Kitchen'], {
      listen: `/ip4/0.0.0.0/tcp/${PORT}/ws`,
      wrap: topology.exec(topology.homeB),
      lanMulticast: true,
    });
    peers.push(bob);
    const mapped = `/ip4/${ROUTER_B_IP}/tcp/${PORT}/ws/p2p/${bob.ready.peerId}`;
    const invite = decodeInvite(
      (await bob.until('Bob to announce the address his router mapped', () => bob.run('invite'), (l) => decodeInvite(l.invite as string).addresses.includes(mapped), 60_000))
        .invite as string,
    );
    // Ann only gets the mapped public address: any connection is direct through Bob's router.
    const ann = await CliPeer.start('Ann', await dir('ann'), ['--join', encodeInvite({ space: invite.space, addresses: [mapped] })], {
      listen: '/ip4/0.0.0.0/tcp/0/ws',
      wrap: topology.exec(topology.homeA),
    });
    peers.push(ann);
    const created = await ann.run('create note Soup|from home A');
    const id = (created.entry as { id: string }).id;
    await ann.run(`publish ${id}`);
    await bob.until(
      'Bob sees the note',
      () => bob.run(`show ${id}`).catch((err: Error & { line?: Line }) => err.line ?? ({ type: 'error' } as Line)),
      (l) => l.type === 'result' && (l.entry as { title?: string } | undefined)?.title === 'Soup',
      45_000,
    );
    const established = topology.established(topology.homeB);
    assert.ok(
      established.some((pair) => pair.startsWith(`10.2.0.2:${PORT} ${ROUTER_A_IP}:`)),
      `a direct connection from home A into Bob's mapped port; established in home B: ${established.join('; ')}`,
    );
  });
});
