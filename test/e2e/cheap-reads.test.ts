/**
 * Issue 12, finding 4, with real CLI processes: a member has written many entries; a peer that
 * caught up with them answers `status` within a second while the member keeps writing, and each
 * new entry costs it what the entry touched (its entry index is built once, at the first read
 * after the catch-up, never again). Full size (100k entries) is in `npm run bench -- --reads`.
 */
import assert from 'node:assert/strict';
import * as A from '@automerge/automerge';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { memoryLogger } from '../../src/core/logger.js';
import { newEntryId } from '../../src/core/ids.js';
import { bucketFor, type SpaceDoc } from '../../src/core/layout.js';
import { encodeOp } from '../../src/core/ops.js';
import { Replica } from '../../src/core/replica.js';
import { FileLogStore } from '../../src/storage/file-log-store.js';
import { CliPeer, tempDir } from '../helpers/cli-peer.js';

const ENTRIES = Number(process.env.SN_READS_ENTRIES ?? 5_000);
const PER_CHANGE = 1_000;
const imm = (s: string) => new A.ImmutableString(s);

/** Appends `n` published notes to the shared log in `dir` (the member's own folder, while it is stopped). */
async function writeEntries(dir: string, n: number): Promise<void> {
  const logger = memoryLogger('warn');
  const store = await FileLogStore.open(dir, { logger });
  const { replica } = await Replica.open<SpaceDoc>(store, { name: 'shared', logger });
  const by = { name: 'Member', device: 'member-device-01' };
  for (let done = 0; done < n; done += PER_CHANGE) {
    const ids = Array.from({ length: Math.min(PER_CHANGE, n - done) }, () => newEntryId());
    await replica.change(encodeOp({ v: 1, op: 'publish', id: ids[0]!, at: Date.now(), by } as never), (d) => {
      for (const [i, id] of ids.entries()) {
        const at = Date.now() - 86_400_000 + done + i;
        bucketFor(d, id)![id] = { kind: imm('note'), author: { name: imm(by.name), device: imm(by.device) }, createdAt: at, updatedAt: at, state: imm('published'), title: imm(`Note ${done + i}`), body: `Body of note ${done + i}.` };
      }
    });
  }
  await replica.close();
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
    await writeEntries(join(memberDir, 'spaces', space.id, 'shared'), ENTRIES);
    member = await CliPeer.start('Member', memberDir);
    peers.push(member);
    const reader = await CliPeer.start('Reader', victimDir, ['--join', member.ready.invite, '--verbose']);
    peers.push(reader);
    await reader.waitFor((l) => l.type === 'catch-up', 180_000); // the whole document at once
    await reader.until('caught up', () => reader.status(), (s) => s.published === ENTRIES, 60_000);
    const builds = () => reader.stderr.filter((l) => /entry index of the shared log built/.test(l)).length;
    const builtAfterCatchUp = builds();

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
    assert.ok(Math.max(...timings) < 1_000, `status took ${timings.map(Math.round).join(', ')} ms; ${reader.stderr.filter((l) => /entry index|history|snapshot|caught/.test(l)).join('\n')}`);
    assert.equal(builds(), builtAfterCatchUp, 'no rebuild of the entry index while entries arrived one by one');
  });
});
