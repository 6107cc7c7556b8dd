/**
 * Index rows from one change without loading its shard (`Automerge.decodeChange`, ~150 µs): the
 * path a gossiped or local change takes when its shard is not in memory. Narrow on purpose: it
 * handles only a change made on top of exactly the heads the index holds for the shard (so
 * nothing concurrent can make a value lose) and only the shapes the product writes (a new entry,
 * scalar fields set, text edits, a delete marker). Anything else answers `load`: the caller
 * loads the shard and re-indexes it, which is always right. Which entry an operation touches is
 * read from its object ids, never from the change's op record. Pure.
 */
import * as A from '@automerge/automerge';
import { MAX_AUTHOR_NAME_LENGTH, MAX_TITLE_LENGTH } from '../constants.js';
import { EDITABLE_FIELDS, type EntryKind } from '../entry.js';
import type { IndexRow } from './index-rows.js';
import { SHARD_ENTRIES_OBJ } from './shard-genesis.js';
import { belongsTo, type ShardId } from './shard-layout.js';

export type ChangeIndexing =
  | { readonly kind: 'rows'; readonly rows: IndexRow[]; readonly heads: string[] }
  | { readonly kind: 'known' }
  | { readonly kind: 'load'; readonly reason: string };

type Role = 'entry' | 'author' | 'deleted' | 'deletedBy' | 'text';
interface Work {
  row: IndexRow;
  isNew: boolean;
  fields: Record<string, string | number>;
  authorName?: string;
  deleted?: { at?: number; by?: string };
}

const SCALAR_TEXT = new Set(['kind', 'state', 'title', 'name']);
const SCALAR_TIME = new Set(['updatedAt', 'createdAt']);
const TEXT_FIELDS = new Set(['body', 'ingredients', 'instructions']);

class NeedsLoad extends Error {
  override readonly name = 'NeedsLoad';
}

/**
 * The rows `change` makes in `shard`, given the heads the index holds for it and its current rows;
 * `known` if the index already counts it, `load` when only loading the shard can tell.
 */
export function rowsFromChange(shard: ShardId, change: Uint8Array | A.DecodedChange, heads: readonly string[], currentRows: () => readonly IndexRow[]): ChangeIndexing {
  const decoded = change instanceof Uint8Array ? A.decodeChange(change) : change;
  if (heads.includes(decoded.hash)) return { kind: 'known' };
  if (!sameSet(decoded.deps, heads)) return { kind: 'load', reason: 'the change is not on top of the indexed heads' };
  try {
    const work = indexOps(shard, decoded, currentRows);
    const rows = [...work.values()].map(finish);
    return { kind: 'rows', rows, heads: [decoded.hash] };
  } catch (err) {
    if (err instanceof NeedsLoad) return { kind: 'load', reason: err.message };
    throw err;
  }
}

function indexOps(shard: ShardId, change: A.DecodedChange, currentRows: () => readonly IndexRow[]): Map<string, Work> {
  const byObj = new Map<string, IndexRow>();
  for (const row of currentRows()) if (row.obj !== '') byObj.set(row.obj, row);
  const created = new Map<string, { role: Role; id: string }>();
  const touched = new Map<string, Work>();
  const workOf = (row: IndexRow, isNew: boolean): Work => {
    let w = touched.get(row.id);
    if (!w) touched.set(row.id, (w = { row, isNew, fields: {} }));
    return w;
  };
  change.ops.forEach((op, i) => {
    const opId = `${change.startOp + i}@${change.actor}`;
    const key = 'key' in op ? op.key : undefined;
    const value = 'value' in op ? op.value : undefined;
    if (op.obj === SHARD_ENTRIES_OBJ) {
      if (op.action !== 'makeMap' || key === undefined || !belongsTo(key, shard)) throw new NeedsLoad(`an operation on the entry map (${op.action} ${String(key).slice(0, 40)})`);
      touched.delete(key);
      workOf({ id: key, kind: '', state: 'published', updatedAt: 0, author: '', title: '', obj: opId }, true);
      created.set(opId, { role: 'entry', id: key });
      return;
    }
    const place = created.get(op.obj) ?? (byObj.has(op.obj) ? { role: 'entry' as const, id: byObj.get(op.obj)!.id } : undefined);
    if (place === undefined) {
      if (key === undefined) return; // a sequence operation: an edit of an existing entry's text
      throw new NeedsLoad(`a map operation on an object the index cannot place (${op.obj})`);
    }
    const w = touched.get(place.id) ?? workOf(byObj.get(op.obj)!, false);
    if (place.role === 'text') return;
    if (key === undefined) throw new NeedsLoad('a sequence operation on a map');
    if (place.role === 'entry') {
      if (op.action === 'set' && SCALAR_TEXT.has(key) && typeof value === 'string') w.fields[key] = value;
      else if (op.action === 'set' && SCALAR_TIME.has(key) && typeof value === 'number') w.fields[key] = value;
      else if (op.action === 'makeMap' && key === 'author') created.set(opId, { role: 'author', id: place.id });
      else if (op.action === 'makeMap' && key === 'deleted') {
        w.deleted = {};
        created.set(opId, { role: 'deleted', id: place.id });
      } else if (op.action === 'makeText' && TEXT_FIELDS.has(key)) created.set(opId, { role: 'text', id: place.id });
      else throw new NeedsLoad(`${op.action} of "${key.slice(0, 40)}" on an entry`);
    } else if (place.role === 'author' || place.role === 'deletedBy') {
      if (op.action !== 'set' || typeof value !== 'string' || (key !== 'name' && key !== 'device')) throw new NeedsLoad(`${op.action} of "${key.slice(0, 40)}" on an author`);
      if (key === 'name' && place.role === 'author') w.authorName = value;
      if (key === 'name' && place.role === 'deletedBy') w.deleted = { ...w.deleted, by: value };
    } else if (place.role === 'deleted') {
      if (op.action === 'set' && key === 'at' && typeof value === 'number') w.deleted = { ...w.deleted, at: value };
      else if (op.action === 'makeMap' && key === 'by') created.set(opId, { role: 'deletedBy', id: place.id });
      else throw new NeedsLoad(`${op.action} of "${key.slice(0, 40)}" on a delete marker`);
    }
  });
  return touched;
}

/** The row a touched entry ends with; anything the product would not have written needs a load. */
function finish(w: Work): IndexRow {
  const f = w.fields;
  if (w.isNew) {
    const kind = f.kind;
    if (kind !== 'note' && kind !== 'recipe') throw new NeedsLoad('a new entry without a known kind');
    const title = f[titleField(kind)];
    if (f.state !== 'published' || typeof title !== 'string' || typeof f.updatedAt !== 'number' || typeof f.createdAt !== 'number' || w.authorName === undefined) {
      throw new NeedsLoad('a new entry without every field');
    }
    checkLengths(title, w.authorName);
    const row: IndexRow = { ...w.row, kind, state: 'published', updatedAt: f.updatedAt, author: w.authorName, title };
    return w.deleted ? deletedRow(row, w) : row;
  }
  if (w.row.state !== 'published' || w.authorName !== undefined || f.kind !== undefined || f.state !== undefined) throw new NeedsLoad('an edit of a deleted or invalid entry, or of its kind, state or author');
  const kind = w.row.kind as EntryKind;
  const title = f[titleField(kind)];
  const row: IndexRow = { ...w.row, ...(typeof title === 'string' ? { title } : {}), ...(typeof f.updatedAt === 'number' ? { updatedAt: f.updatedAt } : {}) };
  checkLengths(row.title, row.author);
  return w.deleted ? deletedRow(row, w) : row;
}

function deletedRow(row: IndexRow, w: Work): IndexRow {
  const { at, by } = w.deleted ?? {};
  if (typeof at !== 'number' || typeof by !== 'string') throw new NeedsLoad('a delete marker without its time or author');
  checkLengths(row.title, by);
  return { ...row, state: 'deleted', updatedAt: at, author: by };
}

const titleField = (kind: EntryKind): string => Object.entries(EDITABLE_FIELDS[kind]).find(([, type]) => type === 'title')![0];

function checkLengths(title: string, author: string): void {
  if (title.length > MAX_TITLE_LENGTH || author.length > MAX_AUTHOR_NAME_LENGTH || title.trim() === '') throw new NeedsLoad('a title or name out of bounds');
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
