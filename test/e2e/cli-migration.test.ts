/**
 * A data folder written by the release before sharding (test/fixtures/v1-release-data: one
 * Automerge document per space) opens with this version: it is converted to shards at start, its
 * entries, drafts, tombstone and history are all there, it syncs as v2 with a member who joins,
 * and it opens again without a second conversion. Real CLI processes on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { cp, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { CliPeerPool } from '../helpers/cli-peer.js';

const pool = new CliPeerPool();
after(() => pool.cleanUp());

const FIXTURE = join(process.cwd(), 'test/fixtures/v1-release-data');
const SPACE = '17e75c97234d7d7aa0a837d914e154a3';
const SOUP = 'b1f3a2f41b12bc0e70bc4db699e69e10';
const CAKE = 'db56e9efd05cd6d2a353bcd0a38880ba';
const DRAFT = '0103747a4326ba0c285663cb003a7083';
const GONE = 'e6b559fc97d2730af2bf5dc290a3fada';

type Listed = { id: string; state: string; title: string };
type HistoryLine = { op: string; changes: Array<{ field: string; before?: string; after?: string }> };

it('a v1 data folder of the previous release is converted at start, keeps everything, and syncs as v2', async () => {
  const data = await pool.tempDir('sn-v1-');
  await cp(FIXTURE, data, { recursive: true });
  const spaceDir = join(data, 'spaces', SPACE);

  const ann = await pool.start('Ann', [], data);
  assert.ok(ann.stderr.some((l) => /converted .* to shards: 3 entries/.test(l)), ann.stderr.join('\n'));
  assert.equal(JSON.parse(await readFile(join(spaceDir, 'format.json'), 'utf8')).format, 2);
  assert.ok((await stat(join(spaceDir, 'shared', 'log'))).size > 0, 'the v1 log is kept');

  const listed = await ann.run('ls');
  const entries = listed.entries as Listed[];
  assert.deepEqual(entries.map((e) => [e.id, e.state, e.title]).sort(), [
    [DRAFT, 'draft', 'Secret plan'],
    [SOUP, 'published', 'Leek soup'],
    [CAKE, 'published', 'Cake'],
  ].sort());
  assert.equal(listed.deleted, 1);
  const soup = (await ann.show(SOUP)).entry as { title: string; body: string };
  assert.deepEqual([soup.title, soup.body], ['Leek soup', 'Leek and potato, salted']);
  assert.ok((await ann.show(GONE)).tombstone, 'the deleted entry is a tombstone');

  // Its history from before the conversion, with what each step changed.
  const history = (await ann.run(`history ${SOUP}`)).history as HistoryLine[];
  assert.deepEqual(history.map((h) => h.op), ['create', 'publish', 'edit', 'edit'], JSON.stringify(history));
  assert.deepEqual(history[2]!.changes, [{ field: 'body', before: 'Leek and potato', after: 'Leek and potato, salted' }]);
  assert.deepEqual(history[3]!.changes, [{ field: 'title', before: 'Soup', after: 'Leek soup' }]);
  // A version from before the conversion can be written back (a new edit, on the shard).
  await ann.run(`restore ${SOUP} 3`);
  assert.equal(((await ann.show(SOUP)).entry as { title: string }).title, 'Soup');
  assert.deepEqual(((await ann.run(`history ${SOUP}`)).history as HistoryLine[]).map((h) => h.op), ['create', 'publish', 'edit', 'edit', 'edit']);

  // A member joins: the shards come over (not the draft), and edits go both ways.
  const bob = await pool.start('Bob', ['--join', ann.ready.invite]);
  await bob.until('Bob holds the published entries', () => bob.run('ls'), (l) => (l.entries as Listed[]).length === 2);
  assert.equal(((await bob.show(SOUP)).entry as { body: string }).body, 'Leek and potato, salted');
  await bob.run(`edit ${SOUP} body=Leek and potato, salted, with cream`);
  await ann.until('Ann sees Bob\'s edit', () => ann.show(SOUP), (l) => (l.entry as { body: string }).body === 'Leek and potato, salted, with cream');
  await ann.run(`edit ${CAKE} instructions=mix, rest, bake`);
  await bob.until('Bob sees Ann\'s edit', () => bob.show(CAKE), (l) => (l.entry as { instructions: string }).instructions === 'mix, rest, bake');
  await ann.until('both in sync', () => ann.status(), (s) => s.connected === 1 && s.inSync === 1);
  assert.deepEqual((await bob.status()).heads, (await ann.status()).heads, 'the same shard digest root');

  // Opens again as v2: no second conversion, nothing lost.
  assert.equal(await ann.quit(), 0);
  const again = await pool.start('Ann', [], data);
  assert.ok(!again.stderr.some((l) => /converted/.test(l)), 'converted once');
  assert.equal(((await again.show(SOUP)).entry as { body: string }).body, 'Leek and potato, salted, with cream');
  assert.equal(((await again.run(`history ${SOUP}`)).history as HistoryLine[]).length, 6);
});
