/**
 * One log of a NoteLog (the local drafts, or the shared log) as its operations see it: entry by
 * entry. A v1 log is one document (`ReplicaSide`: every entry always at hand, one set of heads);
 * a sharded shared log (`ShardSide`) keeps each entry in its shard document, so an entry's
 * version is its shard's heads and its synchronous reads need the shard in memory (`load`, or
 * `hold` while an editor has it open). Pure.
 */
import * as A from '@automerge/automerge';
import type { LogScope } from './entry.js';
import { SHARD_LAYOUT, SPACE_LAYOUT, type EntryLayout } from './entry-layout.js';
import type { EntryId } from './ids.js';
import { rawEntry, type SpaceDoc } from './layout.js';
import type { Heads, MadeChange, Replica } from './replica.js';
import { rawShardEntry } from './shards/shard-layout.js';
import type { ShardedSpace } from './shards/sharded-space.js';

/** A change made in memory: `own` is the version a copy made at the change's base now stands for. */
export interface SideChange extends MadeChange {
  readonly own: Heads;
}

export interface LogSide {
  readonly scope: LogScope;
  readonly layout: EntryLayout;
  /** Brings what the synchronous reads of `ids` need into memory (a v1 log: nothing to do). */
  load(ids: Iterable<EntryId>): Promise<void>;
  /** Keeps entry `id` at hand until the returned function is called. */
  hold(id: EntryId): Promise<() => void>;
  /** Whether the synchronous reads of entry `id` can run now. */
  atHand(id: EntryId): boolean;
  /** The document that holds entry `id` (throws ShardNotLoadedError when it is not at hand). */
  docOf(id: EntryId): A.Doc<unknown>;
  /** The stored value of entry `id`, undefined when the log has none. */
  raw(id: EntryId): unknown;
  /** The version entry `id` is at: the heads of the document holding it. */
  heads(id: EntryId): Heads;
  hasHeads(id: EntryId, heads: Heads): boolean;
  /** Hashes of every change of the document holding `id` (to resolve a typed version token). */
  changeHashes(id: EntryId): string[];
  /** A change to entry `id`, resolved once durable. */
  change(id: EntryId, message: string, fn: (doc: unknown) => void): Promise<void>;
  /** A change to entry `id` made in memory before it returns; with `base`, made as if there. */
  changeNow(id: EntryId, message: string, fn: (doc: unknown) => void, base?: Heads): SideChange;
}

/** A log that is one Automerge document (the drafts, or a v1 shared log). */
export class ReplicaSide implements LogSide {
  readonly layout = SPACE_LAYOUT;

  constructor(
    readonly scope: LogScope,
    readonly replica: Replica<SpaceDoc>,
  ) {}

  async load(): Promise<void> {}

  async hold(): Promise<() => void> {
    return () => undefined;
  }

  atHand(): boolean {
    return true;
  }

  docOf(): A.Doc<unknown> {
    return this.replica.doc;
  }

  raw(id: EntryId): unknown {
    return this.replica.pristine ? undefined : rawEntry(this.replica.doc, id); // the genesis alone holds no entry
  }

  heads(): Heads {
    return this.replica.heads();
  }

  hasHeads(_id: EntryId, heads: Heads): boolean {
    return this.replica.hasHeads(heads);
  }

  changeHashes(): string[] {
    return this.replica.changesMeta().map((m) => m.hash);
  }

  async change(_id: EntryId, message: string, fn: (doc: unknown) => void): Promise<void> {
    await this.replica.change(message, fn);
  }

  changeNow(_id: EntryId, message: string, fn: (doc: unknown) => void, base?: Heads): SideChange {
    if (base === undefined) {
      const made = this.replica.changeNow(message, fn);
      return { ...made, own: made.heads };
    }
    const made = this.replica.changeAtNow(base, message, fn);
    return { ...made, own: made.heads, heads: this.replica.heads() };
  }
}

/** A sharded shared log (schema v2): each entry in its shard document. */
export class ShardSide implements LogSide {
  readonly scope = 'shared' as const;
  readonly layout = SHARD_LAYOUT;

  constructor(readonly space: ShardedSpace) {}

  load(ids: Iterable<EntryId>): Promise<void> {
    return this.space.load(ids);
  }

  hold(id: EntryId): Promise<() => void> {
    return this.space.hold(id);
  }

  atHand(id: EntryId): boolean {
    return this.space.loaded(id) !== undefined;
  }

  docOf(id: EntryId): A.Doc<unknown> {
    return this.space.docOf(id);
  }

  raw(id: EntryId): unknown {
    return rawShardEntry(this.space.docOf(id), id);
  }

  heads(id: EntryId): Heads {
    return A.getHeads(this.space.docOf(id));
  }

  hasHeads(id: EntryId, heads: Heads): boolean {
    return heads.length > 0 && A.hasHeads(this.space.docOf(id), [...heads]);
  }

  changeHashes(id: EntryId): string[] {
    return A.getChangesMetaSince(this.space.docOf(id), []).map((meta) => meta.hash); // metadata only, as Replica.changesMeta
  }

  async change(id: EntryId, message: string, fn: (doc: unknown) => void): Promise<void> {
    await (await this.space.change(id, message, fn)).durable;
  }

  changeNow(id: EntryId, message: string, fn: (doc: unknown) => void, base?: Heads): SideChange {
    const made = this.space.changeNow(id, message, fn, base);
    return { heads: [...made.heads], own: [...made.own], ...(made.change ? { change: made.change } : {}), durable: made.durable };
  }
}
