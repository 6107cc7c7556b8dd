import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stopAll } from '../helpers/net.js';
import { degrees, gossipDegrees, linked, spread, startMesh, waitForGossipMesh, waitForMesh } from './mesh-helpers.js';

const MEMBERS = 20;
const TARGET = 8;
/** Gossip mesh peers each member must hold before live delivery is timed (gossipsub's D_lo is 4). */
const GOSSIP_MIN = 4;
/** Live delivery takes ~0.2-1.4 s here on a quiet machine; CI machines are not quiet. */
const SPREAD_LIMIT_MS = 10_000;

test(`a ${MEMBERS}-member mesh: each joined through a random earlier member; notes reach all; half can leave`, { timeout: 360_000 }, async (t) => {
  const { nodes } = await startMesh(MEMBERS);
  t.after(() => stopAll(nodes));
  const formed = await waitForMesh(nodes, TARGET, 120_000);
  t.diagnostic(`mesh formed ${Math.round(formed)} ms after the last member started; connections per member: ${degrees(nodes).join(' ')}`);
  const grafted = await waitForGossipMesh(nodes, GOSSIP_MIN, 30_000);
  t.diagnostic(`gossip meshes grafted ${Math.round(grafted)} ms later; gossip peers per member: ${gossipDegrees(nodes).join(' ')}`);

  // A note from any member reaches all (five members, each a random one). How fast is a benchmark's
  // question (`npm run bench -- --mesh`); the limit here only allows for a loaded CI machine.
  for (let i = 0; i < 5; i++) {
    const from = nodes[Math.floor(Math.random() * nodes.length)]!;
    const ms = await spread(from, nodes, `note-${i}`, SPREAD_LIMIT_MS);
    t.diagnostic(`note-${i} from ${from.name} reached all ${MEMBERS} in ${Math.round(ms)} ms`);
  }

  // Kill half, at random: the others stay connected (repairing the mesh) and keep syncing.
  const shuffled = [...nodes].sort(() => Math.random() - 0.5);
  const gone = shuffled.slice(0, MEMBERS / 2);
  const rest = shuffled.slice(MEMBERS / 2);
  await stopAll(gone);
  await waitForMesh(rest, TARGET, 120_000);
  assert.ok(linked(rest));
  await waitForGossipMesh(rest, GOSSIP_MIN, 30_000);
  t.diagnostic(`after half left, connections per remaining member: ${degrees(rest).join(' ')}`);
  for (let i = 0; i < 3; i++) {
    const from = rest[Math.floor(Math.random() * rest.length)]!;
    const ms = await spread(from, rest, `after-${i}`, SPREAD_LIMIT_MS);
    t.diagnostic(`after-${i} from ${from.name} reached the remaining ${rest.length} in ${Math.round(ms)} ms`);
  }
});
