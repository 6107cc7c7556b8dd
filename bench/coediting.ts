/**
 * Co-editing through real engines: a keystroke saved on one SpacePeer until the other shows it
 * (next to the same without network or disk: two in-memory NoteLogs), and three writers typing
 * into one note at once. Every typed character is a fresh code point, so each one is traceable
 * and the final texts can be checked for lost characters. Measures only; never asserts.
 */
import * as A from '@automerge/automerge';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Entry } from '../src/core/entry.js';
import type { DeviceId, EntryId } from '../src/core/ids.js';
import { memoryLogger } from '../src/core/logger.js';
import { MemoryLogStore } from '../src/core/memory-store.js';
import { NoteLog } from '../src/core/note-log.js';
import type { Heads } from '../src/core/replica.js';
import type { SpacePeer } from '../src/engine/space-peer.js';
import { markdownBody, random } from './edited-fixture.js';
import { benchSpace, endpoint, headsKey, seededFolder, startPeer, viaPort } from './ours.js';
import { quantile } from './table.js';
import { until } from './wire.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const WARM_UP = 10;
/** The extension saves typed text at most every 150 ms; people type ~10 characters a second. */
export const KEYSTROKE_GAP_MS = 100;

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
  n: number;
}
const percentiles = (xs: number[]): Percentiles => ({ p50: quantile(xs, 0.5), p99: quantile(xs, 0.99), max: Math.max(...xs), n: xs.length });

const bodyOf = (log: NoteLog, id: EntryId): string => {
  const read = log.get(id);
  return read?.status === 'valid' && read.entry.kind === 'note' ? read.entry.body : '';
};

/** An editor's open copy: the version it was made from and its text (refreshed after each own save). */
class Typist {
  base: Heads;
  text: string;
  private next: number;
  readonly typed: string[] = [];

  constructor(
    readonly log: NoteLog,
    readonly id: EntryId,
    firstChar: number,
    private readonly rnd: () => number,
  ) {
    this.next = firstChar;
    this.base = log.version(id).heads;
    this.text = bodyOf(log, id);
  }

  /** The character the next keystroke types. */
  get upcoming(): string {
    return String.fromCharCode(this.next);
  }

  /** Types one fresh character at a random place and saves it as the extension does; returns it and the call's duration. */
  async keystroke(): Promise<{ char: string; ms: number }> {
    const char = String.fromCharCode(this.next++);
    const at = Math.floor(this.rnd() * (this.text.length + 1));
    this.typed.push(char);
    const start = performance.now();
    await this.log.edit(this.id, { body: this.text.slice(0, at) + char + this.text.slice(at) }, this.base);
    const ms = performance.now() - start;
    // No unsaved input now: the copy is reloaded with the version it shows, both read together.
    this.base = this.log.version(this.id).heads;
    this.text = bodyOf(this.log, this.id);
    return { char, ms };
  }
}

/** Resolves with the time `log` first reports a change of `id` whose body holds `char`. */
function whenVisible(log: NoteLog, id: EntryId, char: string, timeoutMs = 30_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`keystroke ${char} not visible within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = log.events.on('changed', (c) => {
      if (c.ids.includes(id) && bodyOf(log, id).includes(char)) {
        clearTimeout(timer);
        off();
        resolve(performance.now());
      }
    });
  });
}

async function publishedNote(log: NoteLog, seed: number): Promise<Entry> {
  const draft = await log.createNote({ title: 'Weekend plan', body: markdownBody(random(seed)) });
  return log.publish(draft.id);
}

async function connectedPeers(saved: Uint8Array, count: number): Promise<SpacePeer[]> {
  const space = benchSpace();
  const peers: SpacePeer[] = [];
  for (let i = 0; i < count; i++) {
    const bootstrap = peers.map((p) => viaPort(endpoint(p).port, p.network.peerId));
    peers.push(await startPeer(await seededFolder(`coedit${i}`, space, saved), space, bootstrap, `Writer ${i}`));
  }
  const connected = (p: SpacePeer) => p.network.peers().filter((s) => s.connected).length;
  await until('the peers to connect', () => peers.every((p) => connected(p) >= count - 1), 60_000, 20);
  await sleep(2_500); // gossipsub builds its mesh on its heartbeat (1 s)
  return peers;
}

/** Keystroke on A until B's log reports it, through two SpacePeers on loopback. */
export async function oursKeystroke(saved: Uint8Array, keys: number): Promise<Percentiles> {
  const peers = await connectedPeers(saved, 2);
  try {
    const [a, b] = peers as [SpacePeer, SpacePeer];
    const note = await publishedNote(a.log, 1);
    await until('the note to reach B', () => bodyOf(b.log, note.id) !== '', 30_000);
    const typist = new Typist(a.log, note.id, 0x4e00, random(2));
    const times: number[] = [];
    for (let i = 0; i < keys + WARM_UP; i++) {
      const seen = whenVisible(b.log, note.id, typist.upcoming);
      const start = performance.now();
      await typist.keystroke();
      const arrived = await seen;
      if (i >= WARM_UP) times.push(arrived - start);
      await sleep(KEYSTROKE_GAP_MS);
    }
    return percentiles(times);
  } finally {
    await Promise.allSettled(peers.map((p) => p.close()));
  }
}

/** The floor of a keystroke: two NoteLogs over in-memory stores, the change handed over directly. */
export async function floorKeystroke(saved: Uint8Array, keys: number): Promise<Percentiles> {
  const open = async (name: string) => {
    const shared = new MemoryLogStore();
    await shared.compact(saved);
    return NoteLog.open({ shared, local: new MemoryLogStore(), logger: memoryLogger('warn') }, { author: { name, device: `${name}-device` as DeviceId } });
  };
  const [a, b] = [await open('a'), await open('b')];
  const handOver = () => b.shared.applyRemoteChanges(A.getChangesSince(a.shared.doc, b.shared.heads()), 'a');
  const note = await publishedNote(a, 1);
  await handOver();
  const typist = new Typist(a, note.id, 0x4e00, random(2));
  const times: number[] = [];
  for (let i = 0; i < keys + WARM_UP; i++) {
    const seen = whenVisible(b, note.id, typist.upcoming);
    const start = performance.now();
    await typist.keystroke();
    await handOver();
    if (i >= WARM_UP) times.push((await seen) - start);
  }
  await Promise.all([a.close(), b.close()]);
  return percentiles(times);
}

export interface WritersResult {
  writers: number;
  seconds: number;
  keystrokes: number;
  /** `log.edit` call per keystroke on its writer's engine, fsync included. */
  edit: Percentiles;
  /** `Replica.acceptRemoteChanges` per gossip delivery (apply, NoteLog's listeners, write started). */
  remoteApply: Percentiles;
  /** Changes that came by sync sessions instead of gossip. */
  bySync: number;
  /** Event-loop delay over the run (all three engines share this process). */
  loopDelayP99: number;
  loopDelayMax: number;
  settleMs: number;
  identical: boolean;
  lost: number;
  finalLength: number;
}

/** Times every call of `replica.acceptRemoteChanges` (a synchronous method) into `into`. */
function timeRemoteApplies(peer: SpacePeer, into: number[], bySync: { count: number }): void {
  const replica = peer.log.shared;
  const accept = replica.acceptRemoteChanges.bind(replica);
  replica.acceptRemoteChanges = (changes, from) => {
    const start = performance.now();
    const result = accept(changes, from);
    into.push(performance.now() - start);
    return result;
  };
  const receive = replica.receiveSyncMessage.bind(replica);
  replica.receiveSyncMessage = async (state, message, from) => {
    const result = await receive(state, message, from);
    bySync.count += result.applied;
    return result;
  };
}

/** `writers` engines typing `perSecond` characters a second each into one note for `seconds`. */
export async function threeWriters(saved: Uint8Array, seconds: number, writers = 3, perSecond = 10): Promise<WritersResult> {
  const peers = await connectedPeers(saved, writers);
  try {
    const note = await publishedNote(peers[0]!.log, 3);
    await until('the note to reach every writer', () => peers.every((p) => bodyOf(p.log, note.id) !== ''), 30_000);
    const applies: number[] = [];
    const bySync = { count: 0 };
    for (const p of peers) timeRemoteApplies(p, applies, bySync);
    const typists = peers.map((p, w) => new Typist(p.log, note.id, 0x4e00 + w * 0x1000, random(10 + w)));
    const edits: number[] = [];
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const gap = 1000 / perSecond;
    const end = performance.now() + seconds * 1000;
    await Promise.all(
      typists.map(async (typist, w) => {
        await sleep((gap * w) / writers); // writers out of phase, as people are
        for (let k = 0, due = performance.now(); performance.now() < end; k++) {
          edits.push((await typist.keystroke()).ms);
          due += gap;
          await sleep(Math.max(0, due - performance.now()));
        }
      }),
    );
    loop.disable();
    const settleStart = performance.now();
    await until('the writers to converge', () => new Set(peers.map((p) => headsKey(p.log.shared.heads()))).size === 1, 120_000, 10);
    const settleMs = performance.now() - settleStart;
    const texts = peers.map((p) => bodyOf(p.log, note.id));
    const final = new Set(texts[0]);
    const typed = typists.flatMap((t) => t.typed);
    return {
      writers,
      seconds,
      keystrokes: typed.length,
      edit: percentiles(edits),
      remoteApply: percentiles(applies),
      bySync: bySync.count,
      loopDelayP99: loop.percentile(99) / 1e6,
      loopDelayMax: loop.max / 1e6,
      settleMs,
      identical: texts.every((t) => t === texts[0]),
      lost: typed.filter((c) => !final.has(c)).length,
      finalLength: texts[0]!.length,
    };
  } finally {
    await Promise.allSettled(peers.map((p) => p.close()));
  }
}

export interface StaleBaseFigures {
  ops: number;
  /** p50 ms of one `edit` of a note's body from a copy made at the current heads. */
  current: number;
  /** …from a copy one remote change behind, that change being to another note. */
  otherNote: number;
  /** …from a copy one remote change behind, that change being to this note (the merge path). */
  sameNote: number;
}

/** Cost of a save against how far its copy is behind, on the edited space of `ops` operations (in memory). */
export async function staleBaseEdits(saved: Uint8Array, ops: number, rounds = 15): Promise<StaleBaseFigures> {
  const open = async (name: string) => {
    const shared = new MemoryLogStore();
    await shared.compact(saved);
    return NoteLog.open({ shared, local: new MemoryLogStore(), logger: memoryLogger('warn') }, { author: { name, device: `${name}-device` as DeviceId } });
  };
  const [a, b] = [await open('a'), await open('b')];
  const deliver = (from: NoteLog, to: NoteLog) => to.shared.applyRemoteChanges(A.getChangesSince(from.shared.doc, to.shared.heads().filter((h) => from.shared.hasHeads([h]))), 'peer');
  const note = (await publishedNote(a, 4)).id;
  const other = (await publishedNote(a, 5)).id;
  await deliver(a, b);
  const time = async (remote: EntryId | undefined): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const base = a.version(note).heads;
      const text = bodyOf(a, note);
      if (remote) {
        await b.edit(remote, { body: `${bodyOf(b, remote)} b${i}` }, b.version(remote).heads);
        await deliver(b, a);
      }
      const start = performance.now();
      await a.edit(note, { body: `${text} a${i}` }, base);
      times.push(performance.now() - start);
      await deliver(a, b);
    }
    return quantile(times, 0.5);
  };
  const figures = { ops, current: await time(undefined), otherNote: await time(other), sameNote: await time(note) };
  await Promise.all([a.close(), b.close()]);
  return figures;
}
