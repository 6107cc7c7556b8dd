/**
 * Issue 12, finding 4, with real CLI processes: a member has written many entries; a peer that
 * caught up with them answers `status` within a second while the member keeps writing, and each
 * new entry costs it what the entry touched: it is listed from the change alone, its shard not
 * loaded. Full size (100k entries) is in `npm run bench -- --shards`.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { memoryLogger } from '../../src/core/logger.js';
import { newEntryId, type DeviceId } from '../../src/core/ids.js';
import { encodeOp } from '../../src/core/ops.js';
import { idsByShard } from '../../src/core/shards/shard-id.js';
import { writePublished } from '../../src/core/shards/shard-ops.js';
import { openSpaceShards } from '../../src/storage/space-format.js';
import { CliPeer, tempDir } from '../helpers/cli-peer.js';

const ENTRIES = Number(process.env.SN_READS_ENTRIES ?? 5_000);

/** Writes `n` published notes into the shards of the space in `spaceDir` (the member's own folder, while it is stopped). */
async function writeEntries(spaceDir: string, n: number): Promise<void> {
  const space = await openSpaceShards(spaceDir, memoryLogger('warn'));
  const by = { name: 'Member', device: 'member-device-01' as DeviceId };
  const ids = Array.from({ length: n }, () => newEntryId());
  const number = new Map(ids.map((id, i) => [id, i]));
  // One change per shard, as a member that wrote them over time would have many.
  for (const group of idsByShard(ids).values()) {
    const written = await space.change(group[0]!, encodeOp({ v: 1, op: 'publish', id: group[0]!, at: Date.now(), by } as never), (d) => {
      for (const id of group) {
        const i = number.get(id)!;
        const at = Date.now() - 86_400_000 + i;
        writePublished(d, { id, kind: 'note', author: by, createdAt: at, updatedAt: at, fields: { title: `Note ${i}`, body: `Body of note ${i}.` } });
      }
    });
    await written.durable;
  }
  await space.close();
}

describe('cheap reads after a member wrote many entries', { timeout: 300_000 }, () => {
  const peers: CliPeer[] = [];
  const dirs: string[] = [];
  after(async () => {
    await Promise.all(peers.map((p) => p.kill()));
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it(`status answers in < 1 s and builds no index again while entries keep arriving (${ENTRIES.toLocaleString('en')} entries)`, async (t) => {
    const memberDir = await tempDir('sn-member-');
    const victimDir = await tempDir('sn-reader-');
    dirs.push(memberDir, victimDir);
    let member = await CliPeer.start('Member', memberDir, ['--new-space', 'Big']);
    const space = member.ready.space;
    await member.quit();
    await writeEntries(join(memberDir, 'spaces', space.id), ENTRIES);
    member = await CliPeer.start('Member', memberDir);
    peers.push(member);
    const reader = await CliPeer.start('Reader', victimDir, ['--join', member.ready.invite, '--verbose']);
    peers.push(reader);
    await reader.waitFor((l) => l.type === 'catch-up', 180_000); // whole shards at once
    await reader.until('caught up', () => reader.status(), (s) => s.published === ENTRIES, 120_000);
    const loads = () => reader.stderr.filter((l) => /loaded to apply a change/.test(l)).length;
    const loadedAfterCatchUp = loads();

    const timings: number[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await member.run(`create note Arriving ${i}|while the reader asks`);
      await member.run(`publish ${(created.entry as { id: string }).id}`);
      await reader.until(`entry ${i} arrived`, async () => {
        const started = performance.now();
        const status = await reader.status();
        timings.push(performance.now() - started);
        return status;
      }, (s) => s.published === ENTRIES + i + 1, 60_000);
    }
    t.diagnostic(`status answered in ${timings.map(Math.round).join(', ')} ms while 5 entries arrived`);
    const listed = await reader.run('ls', 60_000);
    assert.equal((listed.entries as unknown[]).length, ENTRIES + 5);
    assert.ok(Math.max(...timings) < 1_000, `status took ${timings.map(Math.round).join(', ')} ms; ${reader.stderr.filter((l) => /shard|caught|sync/.test(l)).slice(-20).join('\n')}`);
    assert.equal(loads(), loadedAfterCatchUp, 'the entries arriving one by one were listed from their changes, no shard loaded');
  });
});
