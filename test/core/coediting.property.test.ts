/**
 * Co-editing as a property: several members edit one published note through editors that hold a
 * copy made at some version (`{ base, text }`), type into it, save from stale bases and sync in any
 * order. Every character is unique (fresh code points), so the final text can be checked exactly:
 * it holds every character typed and not deleted, once, and nothing else, on every replica.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { EntryId } from '../../src/core/ids.js';
import type { NoteLog } from '../../src/core/note-log.js';
import type { Heads } from '../../src/core/replica.js';
import { changesFor, exchange, memoryNoteLog } from '../helpers/core.js';

const MAX_REPLICAS = 4;
/** CJK ideographs: one UTF-16 unit and one grapheme each, so a diff can never split or merge them. */
const FIRST_CHAR = 0x4e00;

type Action =
  | { t: 'type'; editor: number; at: number; count: number }
  | { t: 'delete'; editor: number; at: number; count: number }
  | { t: 'save'; editor: number; refresh: boolean }
  | { t: 'reload'; editor: number }
  | { t: 'sync'; from: number; to: number; bothWays: boolean; shuffle: number };

const editor = fc.nat({ max: MAX_REPLICAS - 1 });
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('type' as const), editor, at: fc.nat(), count: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('delete' as const), editor, at: fc.nat(), count: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('save' as const), editor, refresh: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('reload' as const), editor }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('sync' as const), from: editor, to: editor, bothWays: fc.boolean(), shuffle: fc.nat() }) },
);

/** An open editor: the copy it was made from (`base`), what is in it now, and whether that is saved. */
/** An editor's copy: the version it was loaded from, and once it saved without reloading, the
 *  text it saved (its shadow: what it and the log last agreed on), as a live editor keeps it. */
interface Editor {
  base: Heads;
  shadow?: string;
  text: string;
  dirty: boolean;
}

const bodyOf = (log: NoteLog, id: EntryId): string => {
  const read = log.get(id);
  assert.ok(read?.status === 'valid' && read.entry.kind === 'note', `note ${id} is readable`);
  return read.entry.body;
};

/** Deterministic shuffle (the seed comes from fast-check, so a failure replays). */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Full sync through the first replica: it gathers everything, then gives everything back. */
async function syncAll(logs: readonly NoteLog[]): Promise<void> {
  for (let round = 0; round < 2; round++) for (const log of logs.slice(1)) await exchange(logs[0]!, log);
}

describe('co-editing from stale copies (property)', () => {
  it('keeps every character nobody deleted and brings back none that was deleted', async () => {
    // Opening a NoteLog applies the genesis change (4,096 bucket maps), ~100 ms here: the replicas
    // are opened once and every run edits a note of its own, starting from fully synced replicas.
    const all: NoteLog[] = [];
    for (let i = 0; i < MAX_REPLICAS; i++) all.push((await memoryNoteLog(`Member ${i}`, `dev-${i}`)).log);

    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 3, max: MAX_REPLICAS }), fc.array(action, { minLength: 5, maxLength: 40 }), async (replicas, actions) => {
        const logs = all.slice(0, replicas);
        let next = FIRST_CHAR;
        const inserted = new Set<string>();
        const deleted = new Set<string>();
        const fresh = (count: number): string => {
          let s = '';
          for (let i = 0; i < count; i++) s += String.fromCharCode(next++);
          for (const c of s) inserted.add(c);
          return s;
        };

        await syncAll(all);
        const id = (await logs[0]!.publish((await logs[0]!.createNote({ title: 'Plan', body: fresh(6) })).id)).id;
        await syncAll(logs);
        const open = (log: NoteLog): Editor => ({ base: log.version(id).heads, text: bodyOf(log, id), dirty: false });
        const editors = logs.map(open);

        const save = async (i: number): Promise<void> => {
          const log = logs[i]!;
          const ed = editors[i]!;
          await log.editNow(id, { body: ed.text }, { base: ed.base, ...(ed.shadow !== undefined ? { shadow: { body: ed.shadow } } : {}) }).durable;
          // The log now holds this text merged with whatever arrived: the copy's next save is
          // measured from it (no version of the log is exactly this text when peers' edits came in).
          ed.shadow = ed.text;
          ed.dirty = false;
        };

        for (const a of actions) {
          if (a.t === 'sync') {
            const from = logs[a.from % replicas]!;
            const to = logs[a.to % replicas]!;
            if (from === to) continue;
            if (a.bothWays) await exchange(from, to);
            else await to.shared.applyRemoteChanges(shuffled(changesFor(from, to), a.shuffle), 'peer');
            continue;
          }
          const i = a.editor % replicas;
          const ed = editors[i]!;
          if (a.t === 'type') {
            const at = a.at % (ed.text.length + 1);
            ed.text = ed.text.slice(0, at) + fresh(a.count) + ed.text.slice(at);
            ed.dirty = true;
          } else if (a.t === 'delete') {
            if (ed.text.length === 0) continue;
            const at = a.at % ed.text.length;
            for (const c of ed.text.slice(at, at + a.count)) deleted.add(c);
            ed.text = ed.text.slice(0, at) + ed.text.slice(at + a.count);
            ed.dirty = true;
          } else if (a.t === 'save') {
            await save(i);
            if (a.refresh) editors[i] = open(logs[i]!);
          } else if (!ed.dirty) {
            editors[i] = open(logs[i]!); // an unmodified editor reloads when the note changes
          }
        }

        for (let i = 0; i < replicas; i++) await save(i);
        await syncAll(logs);

        const texts = logs.map((log) => bodyOf(log, id));
        for (const text of texts) assert.equal(text, texts[0], 'every replica holds the same text');
        const expected = [...inserted].filter((c) => !deleted.has(c)).sort();
        const got = [...texts[0]!].sort();
        const missing = expected.filter((c) => !got.includes(c));
        const back = got.filter((c) => deleted.has(c));
        assert.deepEqual({ missing, back, duplicates: got.length - new Set(got).size }, { missing: [], back: [], duplicates: 0 });
        assert.deepEqual(got, expected);
      }),
      { numRuns: 30 },
    );
    await Promise.all(all.map((log) => log.close()));
  });
});

describe('the save path', () => {
  it('a copy behind the log is merged three ways at the heads, never at its old version', async () => {
    const { log: ann } = await memoryNoteLog('Ann', 'dev-ann');
    const { log: bob } = await memoryNoteLog('Bob', 'dev-bob');
    const note = (await ann.publish((await ann.createNote({ title: 'Plan', body: 'one' })).id)).id;
    const other = (await ann.publish((await ann.createNote({ title: 'Other', body: 'x' })).id)).id;
    await exchange(ann, bob);
    // Counts changes made at an old version (Automerge isolates the whole document for those).
    const atBase: Heads[] = [];
    const changeAtNow = ann.shared.changeAtNow.bind(ann.shared);
    ann.shared.changeAtNow = (base, message, fn) => (atBase.push(base), changeAtNow(base, message, fn));

    const base = ann.version(note).heads;
    await bob.edit(other, { body: 'x, y' });
    await exchange(ann, bob);
    await ann.edit(note, { body: 'one, two' }, base);
    assert.deepEqual(atBase, []);

    await exchange(ann, bob);
    const stale = ann.version(note).heads;
    await bob.edit(note, { body: 'zero, one, two' });
    await exchange(ann, bob);
    await ann.edit(note, { body: 'one, two, three' }, stale);
    assert.deepEqual(atBase, [], 'text is merged at the heads');
    assert.equal(bodyOf(ann, note), 'zero, one, two, three');

    // A title changed on both sides since the copy was made: at the copy's version, so both stay.
    const old = ann.version(note).heads;
    await bob.edit(note, { title: 'Plan B' });
    await exchange(ann, bob);
    await ann.edit(note, { title: 'Plan A' }, old);
    assert.deepEqual(atBase, [old]);
    assert.equal(ann.conflictsOf(note)[0]?.values.length, 2);
    await Promise.all([ann.close(), bob.close()]);
  });
});
