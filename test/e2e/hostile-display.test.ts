/**
 * Issue 12, finding 5: a member writes titles, bodies, author names, an invalid entry and a delete
 * made of terminal escape sequences, C1 controls, bidi overrides and line breaks. A real CLI peer
 * in text mode prints them on arrival and in `ls`, `show`, `history`, `peers`; no control or bidi
 * character may reach its terminal. A second peer in --json mode keeps the exact data, with every
 * such character \u-escaped in its output lines.
 */
import assert from 'node:assert/strict';
import * as A from '@automerge/automerge';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import { decodeInvite } from '../../src/core/invite.js';
import { newEntryId, type EntryId } from '../../src/core/ids.js';
import { encodeOp } from '../../src/core/ops.js';
import { emptyShard, shardOf, type ShardDoc, type ShardId } from '../../src/core/shards/shard-layout.js';
import { encodeShardGossip } from '../../src/net/gossip-codec.js';
import { HostileNode } from '../chaos/hostile-node.js';
import { CLI, CliPeer, tempDir } from '../helpers/cli-peer.js';
import { HOSTILE_STRINGS, UNSAFE_CHAR, UNSAFE_IN_TEXT } from '../helpers/hostile-strings.js';

const imm = (s: string) => new A.ImmutableString(s);
const AT = Date.now() - 60_000;

/** A change to one shard on top of its genesis alone (its own actor), so each applies whatever arrives first. */
interface Crafted {
  readonly shard: ShardId;
  readonly change: Uint8Array;
}
function changeOnGenesis(id: string, message: string, value: Record<string, unknown>): Crafted {
  const actor = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  const change = A.getLastLocalChange(A.change(emptyShard(actor), { message, time: Math.floor(AT / 1000) }, (d: ShardDoc) => void (d.e[id] = value)))!;
  return { shard: shardOf(id as EntryId), change };
}

/** The hostile member's changes: per string, a published note, a recipe, an invalid entry and a deleted note. */
function hostileChanges(): { changes: Crafted[]; noteIds: EntryId[] } {
  const changes: Crafted[] = [];
  const noteIds: EntryId[] = [];
  for (const s of HOSTILE_STRINGS) {
    const by = { name: s.slice(0, 100), device: s.slice(0, 100) };
    const author = { name: imm(by.name), device: imm(by.device) };
    const common = { author, createdAt: AT, updatedAt: AT, state: imm('published') };
    const note = newEntryId();
    noteIds.push(note);
    changes.push(changeOnGenesis(note, encodeOp({ v: 1, op: 'publish', id: note, at: AT, by } as never), { ...common, kind: imm('note'), title: imm(s), body: `body: ${s}` }));
    const recipe = newEntryId();
    changes.push(changeOnGenesis(recipe, encodeOp({ v: 1, op: 'publish', id: recipe, at: AT, by } as never), { ...common, kind: imm('recipe'), name: imm(s), ingredients: s, instructions: s }));
    const invalid = newEntryId();
    changes.push(changeOnGenesis(invalid, encodeOp({ v: 1, op: 'publish', id: invalid, at: AT, by } as never), { ...common, kind: imm(s.slice(0, 20)) }));
    const deleted = newEntryId();
    changes.push(changeOnGenesis(deleted, encodeOp({ v: 1, op: 'delete', id: deleted, at: AT, by } as never), { ...common, kind: imm('note'), title: imm(s), body: s, deleted: { at: AT, by: author } }));
  }
  // A key that is no entry id at all (listed as invalid, its id printed).
  changes.push(changeOnGenesis(`000${HOSTILE_STRINGS[0]!}`, 'not an op record', { kind: imm('note') }));
  return { changes, noteIds };
}

/** A `shared-notes peer` in its readable (text) mode, its stdout kept byte for byte. */
class TextPeer {
  private out = Buffer.alloc(0);
  private err = '';
  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => (this.out = Buffer.concat([this.out, chunk])));
    child.stderr.on('data', (chunk: Buffer) => (this.err = (this.err + chunk.toString('utf8')).slice(-5000)));
  }

  static async start(dir: string): Promise<TextPeer> {
    const child = spawn(process.execPath, [CLI, 'peer', '--data', dir, '--no-mdns', '--name', 'Victim', '--listen', '/ip4/127.0.0.1/tcp/0/ws', '--new-space', 'Victims', ...(process.env.SN_E2E_VERBOSE ? ['--verbose'] : [])], {
      env: { ...process.env, SHARED_NOTES_ANTI_ENTROPY_MS: '1000' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const peer = new TextPeer(child);
    await peer.until((t) => /Type "help" for commands/.test(t), 30_000);
    return peer;
  }

  get text(): string {
    return this.out.toString('utf8');
  }

  async until(test: (text: string) => boolean, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!test(this.text)) {
      if (Date.now() > deadline) throw new Error(`timed out; output so far:\n${this.text.slice(-3000)}\nstderr:\n${this.err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return this.text;
  }

  type(line: string): void {
    this.child.stdin.write(line + '\n');
  }
}

describe('peer-written strings on the terminal', { timeout: 180_000 }, () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  });

  it('no control or bidi character reaches the terminal (text mode), and --json keeps the exact data', async () => {
    const victimDir = await tempDir('sn-victim-');
    const watcherDir = await tempDir('sn-watcher-');
    cleanup.push(() => rm(victimDir, { recursive: true, force: true }), () => rm(watcherDir, { recursive: true, force: true }));
    const victim = await TextPeer.start(victimDir);
    cleanup.push(async () => victim.child.kill('SIGKILL'));
    const invite = /(sn1-[A-Za-z0-9_.-]+)/.exec(victim.text)![1]!;
    const peerId = /Shared Notes peer (\S+)/.exec(victim.text)![1]!;
    const { space, addresses } = decodeInvite(invite);

    const watcher = await CliPeer.start('Watcher', watcherDir, ['--join', invite]);
    cleanup.push(() => watcher.kill());
    await watcher.until('connected to the victim', () => watcher.status(), (s) => (s.connected as number) >= 1);

    const hostile = await HostileNode.start({ id: space.id, key: space.key });
    cleanup.push(() => hostile.stop());
    await hostile.connect(addresses[0]!, peerId);
    const { changes, noteIds } = hostileChanges();
    // Gossip sent before the victim's mesh includes the hostile node is dropped: send again until
    // every change has an arrival line (a change already here is ignored, printed once).
    const arrivals = () => (victim.text.match(/^← /gm) ?? []).length;
    for (let round = 0; arrivals() < changes.length - 1; round++) {
      assert.ok(round < 30, `only ${arrivals()} of ${changes.length - 1} arrival lines`);
      for (const { shard, change } of changes) await hostile.publish(encodeShardGossip({ shard, change }));
      await victim.until((t) => (t.match(/^← /gm) ?? []).length >= changes.length - 1, 3_000).catch(() => undefined);
    }
    for (const command of ['ls', ...noteIds.map((id) => `show ${id.slice(0, 12)}`), `history ${noteIds[0]!.slice(0, 12)}`, 'peers', 'status', 'invite']) victim.type(command);
    const text = await victim.until((t) => (t.match(/sn1-/g) ?? []).length >= 2);

    const bad = [...text].filter((c) => UNSAFE_IN_TEXT.test(c));
    assert.deepEqual([...new Set(bad)].map((c) => c.codePointAt(0)!.toString(16)), [], 'no control or bidi character on the terminal');
    assert.match(text, /␛\[2J␛\[HClear screen/, 'an escape sequence is shown as text');
    assert.match(text, /abc\uFFFDtxt\.exe/, 'a bidi override is shown as a replacement character');
    assert.match(text, /two⏎lines/, 'a line break in a title is shown, not obeyed');
    assert.match(text, /invalid: unknown kind/, 'invalid entries are listed with their reason');
    for (const line of text.split('\n').filter((l) => l.startsWith('← '))) assert.doesNotMatch(line, UNSAFE_CHAR, line);

    // The --json peer: exact titles, and no raw control or bidi character in any line it printed.
    const listed = await watcher.until('every hostile note arrived', () => watcher.run('ls'), (l) => (l.entries as unknown[]).length >= noteIds.length * 2, 60_000);
    const titles = new Set((listed.entries as Array<{ kind: string; title?: string; name?: string; author: { name: string } }>).map((e) => e.title ?? e.name));
    // Exactly as written (a lone surrogate cannot be stored as UTF-8: Automerge keeps U+FFFD).
    for (const s of HOSTILE_STRINGS) assert.ok(titles.has(s.replace(/\p{Cs}/gu, '\uFFFD')), `--json keeps the exact title ${JSON.stringify(s)}`);
    for (const line of watcher.rawLines) assert.doesNotMatch(line, UNSAFE_CHAR, `a --json line: ${line.slice(0, 200)}`);
  });
});
