import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summaryOf, type Entry, type SummaryList } from '../../src/core/entry.js';
import type { EntryId, DeviceId } from '../../src/core/ids.js';
import type { PeerStatus } from '../../src/engine/types.js';
import {
  deletedItem, entryItem, escapeMarkdown, GROUP_PAGE, groupChildren, invalidItem, notesItem, notesRoots, openEntryText, pagedChildren, peerItem, shortAddress, sortPeers,
  type ItemData, type PeerRow,
} from '../../src/extension/tree-items.js';
import { NO_PROGRESS } from '../helpers/peers.js';
import { shortPeerId } from '../../src/core/text.js';
import { presenceLabel } from '../../src/extension/presence-model.js';
import { HOSTILE_STRINGS, UNSAFE_CHAR, UNSAFE_IN_TEXT } from '../helpers/hostile-strings.js';
import { withOpenBy } from '../../src/extension/tree-items.js';
import { memoryNoteLog } from '../helpers/core.js';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const author = { name: 'Ann', device: 'dev-ann' as DeviceId };
const id = (n: number) => n.toString(16).padStart(32, '0') as EntryId;
const note = (n: number, state: 'draft' | 'published', extra: Partial<{ title: string; body: string }> = {}): Entry => ({
  id: id(n), kind: 'note', state, author, createdAt: NOW - 600_000, updatedAt: NOW - 120_000, title: `Note ${n}`, body: 'first line\nsecond *line*', ...extra,
});
const recipe = (n: number, state: 'draft' | 'published'): Entry => ({
  id: id(n), kind: 'recipe', state, author, createdAt: NOW, updatedAt: NOW, name: 'Pancakes', ingredients: '- flour\n- eggs', instructions: 'Mix | fry',
});
const list = (entries: Entry[], invalid: SummaryList['invalid'] = []): SummaryList => ({ entries: entries.map(summaryOf), deleted: [], invalid });

describe('notes tree data', () => {
  it('has Published and Drafts groups with counts, and an Invalid group only when needed', () => {
    const l = list([note(1, 'published'), note(2, 'draft'), recipe(3, 'draft')]);
    assert.deepEqual(notesRoots(l), [
      { type: 'group', group: 'published', count: 1 },
      { type: 'group', group: 'drafts', count: 2 },
    ]);
    const withInvalid = list([], [{ id: 'zz', scope: 'shared', reason: 'title is missing' }]);
    assert.deepEqual(notesRoots(withInvalid).map((n) => (n.type === 'group' ? `${n.group}:${n.count}` : '')), ['published:0', 'drafts:0', 'invalid:1']);
    const group = notesItem({ type: 'group', group: 'drafts', count: 0 });
    assert.equal(group.collapsible, 'expanded', 'an empty group stays expandable, so it opens when the first entry arrives');
    assert.equal(notesItem({ type: 'group', group: 'drafts', count: 2 }).description, '2');
  });

  it('puts each entry under its group', () => {
    const l = list([note(1, 'published'), note(2, 'draft'), recipe(3, 'draft')]);
    assert.deepEqual(groupChildren(l, 'drafts').map((n) => (n.type === 'entry' ? n.entry.id : '')), [id(2), id(3)]);
    assert.deepEqual(groupChildren(l, 'published').map((n) => (n.type === 'entry' ? n.entry.id : '')), [id(1)]);
  });

  it('a long group lists its newest GROUP_PAGE entries, then a row that lists more and says how many are listed', () => {
    const many = list(Array.from({ length: GROUP_PAGE * 2 + 50 }, (_, i) => ({ ...note(i + 1, 'published'), updatedAt: NOW - i })));
    const first = pagedChildren(many, 'published', GROUP_PAGE);
    assert.equal(first.length, GROUP_PAGE + 1);
    assert.deepEqual(first.slice(0, GROUP_PAGE), groupChildren(many, 'published').slice(0, GROUP_PAGE), 'the newest first, as the whole group lists them');
    const more = first.at(-1)!;
    assert.deepEqual(more, { type: 'more', group: 'published', shown: GROUP_PAGE, total: GROUP_PAGE * 2 + 50 });
    const row = notesItem(more);
    assert.equal(row.label, `Show ${GROUP_PAGE} more`);
    assert.equal(row.description, `${GROUP_PAGE} of ${(GROUP_PAGE * 2 + 50).toLocaleString('en')} listed`);
    assert.equal(row.showMoreOf, 'published', 'a click lists the next page');
    assert.equal(row.openEntryId, undefined);
    const last = pagedChildren(many, 'published', GROUP_PAGE * 2);
    assert.equal(notesItem(last.at(-1)!).label, 'Show 50 more', 'the last page says how many are left');
    assert.equal(pagedChildren(many, 'published', GROUP_PAGE * 3).length, GROUP_PAGE * 2 + 50, 'everything listed: no more row');
    assert.equal(pagedChildren(many, 'drafts', GROUP_PAGE).length, 0);
    // A page of a bigger list (NoteLog.summaryPage): its totals count what it does not hold.
    const page = { ...list(Array.from({ length: GROUP_PAGE }, (_, i) => note(i + 1, 'published'))), totals: { published: 100_000, drafts: 0, deleted: 7, invalid: 0 } };
    assert.deepEqual(pagedChildren(page, 'published', GROUP_PAGE).at(-1), { type: 'more', group: 'published', shown: GROUP_PAGE, total: 100_000 });
    assert.deepEqual(notesRoots(page).map((n) => (n.type === 'group' ? `${n.group}:${n.count}` : '')), ['published:100000', 'drafts:0', 'deleted:7']);
  });

  it('shows kind icon, author and relative time, a context value for menus, and opens on click', () => {
    const item = entryItem(note(1, 'draft'), NOW);
    assert.equal(item.label, 'Note 1');
    assert.equal(item.icon, 'note');
    assert.equal(item.description, 'Ann · 2 min ago');
    assert.equal(item.contextValue, 'entry.draft.note');
    assert.equal(item.openEntryId, id(1));
    const r = entryItem(recipe(3, 'published'), NOW);
    assert.equal(r.icon, 'book');
    assert.equal(r.contextValue, 'entry.published.recipe');
    assert.equal(r.description, 'Ann · just now');
  });

  it('writes markdown tooltips with escaped peer text: recipe fields, note preview', () => {
    const n = entryItem(note(1, 'draft', { title: 'Evil [link](http://x) **bold**' }), NOW).tooltip ?? '';
    assert.ok(n.includes('Evil \\[link\\]\\(http://x\\) \\*\\*bold\\*\\*'), n);
    assert.ok(n.includes('second \\*line\\*'), 'note body preview, escaped');
    assert.ok(n.includes('draft (only on this device)'));
    const r = entryItem(recipe(3, 'published'), NOW).tooltip ?? '';
    assert.match(r, /\*\*Ingredients\*\*[\s\S]*\\- flour[\s\S]*\*\*Instructions\*\*[\s\S]*Mix \\\| fry/);
    const long = entryItem(note(4, 'draft', { body: 'x'.repeat(1000) }), NOW).tooltip ?? '';
    assert.ok(long.length < 600, 'the preview is cut');
    assert.ok(entryItem(note(5, 'draft', { body: '' }), NOW).tooltip?.includes('*(empty)*'));
  });

  it('shows invalid entries as such, with the reason', () => {
    const item = invalidItem({ id: id(9), scope: 'shared', reason: 'title is missing' });
    assert.equal(item.label, 'Invalid entry 00000000');
    assert.equal(item.description, 'title is missing');
    assert.equal(item.icon, 'warning');
    assert.equal(item.contextValue, 'entry.invalid');
    assert.equal(item.openEntryId, undefined, 'nothing to open');
  });

  it('titles that are blank or multi-line still make one readable label (a line break shown as ⏎)', () => {
    assert.equal(entryItem(note(1, 'draft', { title: '  a\n b  ' }), NOW).label, 'a⏎ b');
    assert.equal(entryItem(note(1, 'draft', { title: ' ' }), NOW).label, '(untitled)');
  });

  it('works on a real note log (create, publish)', async () => {
    const { log } = await memoryNoteLog();
    const a = await log.createNote({ title: 'Shopping', body: 'milk' });
    await log.createRecipe({ name: 'Soup', ingredients: 'water', instructions: 'boil' });
    await log.publish(a.id);
    const l = log.summaries();
    assert.deepEqual(notesRoots(l), [{ type: 'group', group: 'published', count: 1 }, { type: 'group', group: 'drafts', count: 1 }]);
    const [pub] = groupChildren(l, 'published');
    assert.equal(pub && notesItem(pub).contextValue, 'entry.published.note');
    await log.close();
  });
});

describe('peers tree data', () => {
  const peer = (p: Partial<PeerRow> & { peerId: string }): PeerRow => ({ addrs: [], connected: true, state: 'in-sync', ...p });

  it('before a peer says its name: a short id, the state in words and a readable address', () => {
    const item = peerItem(peer({ peerId: '12D3KooWAbCdEfGhIjKlMnOp', addrs: ['/ip4/127.0.0.1/tcp/4001/ws/p2p/12D3KooWAbCdEfGhIjKlMnOp'], lastSyncAt: NOW - 5_000 }), NOW);
    assert.equal(item.label, '…IjKlMnOp');
    assert.equal(item.description, 'in sync · 127.0.0.1:4001 (ws)');
    assert.equal(item.icon, 'pass');
    assert.equal(item.contextValue, 'peer.in-sync');
    assert.match(item.tooltip ?? '', /Last sync: just now/);
    assert.match(item.tooltip ?? '', /`\/ip4\/127\.0\.0\.1\/tcp\/4001/);
  });

  it('labels a peer with its name, keeping its short id in the description and tooltip', () => {
    const item = peerItem(peer({ peerId: '12D3KooWAbCdEfGhIjKlMnOp', name: 'Bob [the *cook*](x)', addrs: ['/ip4/10.0.0.2/tcp/4001/ws'], state: 'behind' }), NOW);
    assert.equal(item.label, 'Bob [the *cook*](x)', 'a label is plain text');
    assert.equal(item.description, 'not in sync · …IjKlMnOp · 10.0.0.2:4001 (ws)');
    assert.match(item.tooltip ?? '', /^\*\*Bob \\\[the \\\*cook\\\*\\\]\\\(x\\\)\*\* · peer `12D3KooWAbCdEfGhIjKlMnOp`/);
    assert.equal(peerItem(peer({ peerId: 'p', name: 'Bob' })).description, 'in sync · p', 'no address yet');
    const moved = peerItem(peer({ peerId: 'p', addrs: ['/ip4/10.0.0.2/tcp/4001/ws', '/ip4/10.0.0.2/tcp/4002/ws'] }));
    assert.equal(moved.description, 'in sync · 10.0.0.2:4002 (ws)', 'the address learned last (the peer restarted on another port)');
    assert.match(moved.tooltip ?? '', /4001[\s\S]*4002/, 'the tooltip lists them all');
  });

  it('says how each peer is connected: this machine, LAN, direct, relayed', () => {
    const via = (v: PeerRow['via'], connected = true) => peerItem(peer({ peerId: 'p', name: 'Bob', via: v, connected }));
    assert.equal(via('lan').description, 'in sync · LAN · p');
    assert.equal(via('loopback').description, 'in sync · this machine · p');
    assert.equal(via('direct').description, 'in sync · direct · p');
    assert.equal(via('relayed').description, 'in sync · relayed · p');
    assert.match(via('relayed').tooltip ?? '', /Connected: through a relay/);
    assert.equal(via('lan', false).description, 'disconnected · p', 'nothing about a connection we do not have');
  });

  it('distinguishes syncing, behind, waiting and disconnected', () => {
    const d = (s: PeerRow['state'], connected = true) => peerItem(peer({ peerId: 'p', state: s, connected })).description;
    assert.equal(d('syncing'), 'syncing…');
    assert.equal(d('behind'), 'not in sync');
    assert.equal(d('connecting'), 'connected, waiting for first sync');
    assert.equal(d('in-sync', false), 'disconnected');
    const progress = peerItem(peer({ peerId: 'p', state: 'syncing', progress: { ...NO_PROGRESS, bytesIn: 2048, bytesOut: 10, changesIn: 7 } })).tooltip ?? '';
    assert.match(progress, /Received 2\.0 KB \(7 changes\), sent 10 B/);
  });

  it('lists only connected peers, in a stable order', () => {
    const peers = [peer({ peerId: 'b' }), peer({ peerId: 'c', connected: false }), peer({ peerId: 'a', state: 'syncing' })];
    assert.deepEqual(sortPeers(peers).map((p) => p.peerId), ['a', 'b']);
  });

  it('shortens addresses and ids, leaving unknown shapes alone', () => {
    assert.equal(shortAddress('/ip6/::1/tcp/9/ws'), '[::1]:9 (ws)');
    assert.equal(shortAddress('/dns4/example.org/tcp/443/tls/ws'), 'example.org:443 (tls/ws)');
    assert.equal(shortAddress('/ip4/10.0.0.1/tcp/7'), '10.0.0.1:7');
    assert.equal(shortAddress('/memory/x'), '/memory/x');
    assert.equal(shortPeerId('short'), 'short');
  });

  it('escapes every markdown control character', () => {
    assert.equal(escapeMarkdown('a*b_c`d[e](f)#g|h<i>'), 'a\\*b\\_c\\`d\\[e\\]\\(f\\)\\#g\\|h\\<i\\>');
  });
});

describe('presence in the trees', () => {
  const peer = (p: Partial<PeerRow> & { peerId: string }): PeerRow => ({ addrs: [], connected: true, state: 'in-sync', ...p });

  it('an entry others have open says who, in its description and its tooltip', () => {
    const item = withOpenBy(entryItem(note(1, 'published'), NOW), ['Carol', 'Dan']);
    assert.equal(item.description, 'Ann · 2 min ago · open: Carol, Dan');
    assert.match(item.tooltip ?? '', /Open now by Carol, Dan$/);
    assert.equal(item.label, 'Note 1', 'the rest of the row is unchanged');
    assert.equal(item.openEntryId, id(1));
    const evil = withOpenBy(entryItem(note(1, 'published'), NOW), ['[Mallory](http://x)']);
    assert.match(evil.tooltip ?? '', /Open now by \\\[Mallory\\\]\\\(http:\/\/x\\\)$/, 'names are escaped in markdown');
    const alone = entryItem(note(2, 'published'), NOW);
    assert.equal(withOpenBy(alone, []), alone, 'nobody: the row as it was');
  });

  it('a peer row says which entry the peer has open, after its state', () => {
    const item = peerItem(peer({ peerId: '12D3KooWAbCdEfGhIjKlMnOp', name: 'Carol', addrs: ['/ip4/10.0.0.2/tcp/4001/ws'] }), NOW, { title: 'Pancakes' });
    assert.equal(item.description, 'in sync · has "Pancakes" open · …IjKlMnOp · 10.0.0.2:4001 (ws)');
    assert.match(item.tooltip ?? '', /Has \*\*Pancakes\*\* open/);
    const unknown = peerItem(peer({ peerId: 'p', name: 'Dan' }), NOW, { title: undefined });
    assert.equal(unknown.description, 'in sync · has an entry open · p');
    const long = peerItem(peer({ peerId: 'p' }), NOW, { title: `Multi\nline ${'x'.repeat(100)}` }).description ?? '';
    assert.ok(long.startsWith('in sync · has "Multi⏎line xx') && long.includes('…" open'), long);
    assert.equal(peerItem(peer({ peerId: 'p' }), NOW).description, 'in sync', 'nothing open: as before');
  });
});

describe('peer-written text in the trees', () => {
  it('no control, bidi or line-break character reaches a label, description or tooltip', () => {
    for (const s of HOSTILE_STRINGS) {
      const who = { name: `Eve ${s}`, device: `dev ${s}` as DeviceId };
      const items: ItemData[] = [
        entryItem({ ...note(1, 'published', { title: s, body: `body ${s}` }), author: who }, NOW),
        entryItem({ ...(recipe(2, 'draft') as Extract<Entry, { kind: 'recipe' }>), name: s, ingredients: s, instructions: s, author: who }, NOW),
        deletedItem({ id: id(3), kind: 'note', deletedAt: NOW, deletedBy: who, title: s }, NOW),
        invalidItem({ id: `${s}`.slice(0, 64), scope: 'shared', reason: `unknown kind "${s}"` }),
        peerItem({ peerId: '12D3KooWAbcdefghijklmnop', name: s, addrs: [`/dns4/${s}/tcp/1/ws`], connected: true, state: 'in-sync' }, NOW, { title: s }),
        withOpenBy(entryItem(note(4, 'published'), NOW), [s, `Bob ${s}`]),
      ];
      for (const item of items) {
        const where = `${item.id} for ${JSON.stringify(s)}`;
        assert.doesNotMatch(item.label, UNSAFE_CHAR, `label of ${where}`);
        assert.doesNotMatch(item.description ?? '', UNSAFE_CHAR, `description of ${where}`);
        assert.doesNotMatch(item.tooltip ?? '', UNSAFE_IN_TEXT, `tooltip of ${where}`);
      }
      assert.doesNotMatch(openEntryText({ title: s }), UNSAFE_CHAR);
      assert.doesNotMatch(presenceLabel({ peerId: '12D3KooWAbcdefghijklmnop', name: s }), UNSAFE_CHAR);
    }
  });
});

describe('peer text with VS Code icon syntax', () => {
  const peer = (p: Partial<PeerStatus> & { peerId: string }): PeerStatus => ({ addrs: [], connected: true, state: 'in-sync', ...p });
  it('never reaches a tree label, description or tooltip as an icon', () => {
    const icon = /\$\(/;
    const hostile = note(9, 'draft', { title: '$(shield) Verified by admin', body: 'click $(link-external) here' });
    const entry = { ...hostile, author: { name: '$(account) Admin', device: 'd' as DeviceId } } as Entry;
    const item = entryItem(entry, NOW);
    for (const text of [item.label, item.description ?? '', item.tooltip ?? '']) assert.doesNotMatch(text, icon, text);
    assert.match(item.label, /Verified by admin/);
    const p = peerItem(peer({ peerId: 'p', name: '$(check) in sync', addrs: [] }), NOW, { title: '$(flame) hot' });
    for (const text of [p.label, p.description ?? '', p.tooltip ?? '']) assert.doesNotMatch(text, icon, text);
    assert.doesNotMatch(withOpenBy(item, ['$(eye) Eve']).description ?? '', icon);
    assert.doesNotMatch(presenceLabel({ peerId: 'p', name: '$(eye) Eve' }), icon);
    assert.doesNotMatch(openEntryText({ title: '$(eye) x' }), icon);
  });
});
