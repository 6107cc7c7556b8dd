import * as A from '@automerge/automerge';
import { GENESIS_CHANGE_BASE64, GENESIS_HASH } from './genesis.js';
import { GENESIS_DOC_BASE64 } from './genesis-doc.js';
import { measureChange } from './peer-input.js';
import type { LogStore, Logger, StoreProblem } from './ports.js';
import { problemText } from './text.js';

let genesisBytes: Uint8Array | undefined;
/** The change every space document starts from (see scripts/make-genesis.mjs). */
export function genesisChange(): Uint8Array {
  return (genesisBytes ??= Uint8Array.from(atob(GENESIS_CHANGE_BASE64), (c) => c.charCodeAt(0)));
}

/** The genesis change's hash (generated with it; test/core/genesis-doc.test.ts checks it). Decoding the change to get it took ~170 ms of a start. */
export function genesisHash(): string {
  return GENESIS_HASH;
}

/**
 * A document holding the genesis change alone. Loaded from its saved form (genesis-doc.ts): on a
 * fresh process that costs 75–240 ms against 400–500 ms for applying the change to an empty
 * document (the first Automerge work of a start runs unoptimised code; measured at 100k entries,
 * docs/BENCHMARKS.md). Should the saved form not load as exactly that (another Automerge version),
 * the change is applied: slower, never different.
 */
export function genesisDoc<T>(): A.Doc<T> {
  try {
    const doc = A.load<T>(savedGenesis());
    if (isGenesisOnly(A.getHeads(doc))) return doc;
  } catch (err) {
    if (err instanceof Error && err.message === 'Module terminated') throw err; // Automerge is gone for this process
  }
  return A.applyChanges(A.init<T>(), [genesisChange()])[0];
}

let savedGenesisBytes: Uint8Array | undefined;
const savedGenesis = (): Uint8Array => (savedGenesisBytes ??= Uint8Array.from(atob(GENESIS_DOC_BASE64), (c) => c.charCodeAt(0)));

/** A stored snapshot that is the genesis document alone, as this Automerge saves it (byte for byte). */
function isSavedGenesis(bytes: Uint8Array): boolean {
  const genesis = savedGenesis();
  return bytes.byteLength === genesis.byteLength && bytes.every((b, i) => b === genesis[i]);
}

/** True for the heads of a document that holds the genesis change and nothing else. */
export function isGenesisOnly(heads: readonly string[]): boolean {
  return heads.length === 1 && heads[0] === genesisHash();
}

/** Automerge reported a bug it hit (a Rust panic): the document it was working on is not to be trusted. */
export function isAutomergePanic(err: unknown): boolean {
  return err instanceof Error && err.name === 'PanicError';
}

export interface StoredDocument<T> {
  /**
   * Undefined when the store holds the genesis alone (nothing yet, or the snapshot of a log that
   * started afresh): the document is then `genesisDoc()`, which the caller builds only once it is
   * needed (a local log without drafts is never read at start).
   */
  readonly doc: A.Doc<T> | undefined;
  /** Records applied after the snapshot. */
  readonly records: number;
  readonly problems: StoreProblem[];
}

/**
 * Reads a store into a document without ever failing on what is in it: a snapshot that does not
 * load and records that are over the per-change limits, do not apply, make Automerge panic or wait
 * for a change that is not there are quarantined (written aside by the store, then the store is
 * compacted to the good state, so the next start does not meet them again). The peer starts from
 * the last good state and catches up from its peers.
 */
export async function loadStoredDocument<T>(store: LogStore, name: string, logger: Logger): Promise<StoredDocument<T>> {
  const loaded = await store.load();
  const problems = [...loaded.problems];
  for (const p of loaded.problems) logger.warn(`${name}: ${problemText(p)}`);
  if (loaded.records.length === 0 && (loaded.snapshot === undefined || isSavedGenesis(loaded.snapshot))) return { doc: undefined, records: 0, problems };
  const bad: { bytes: Uint8Array; why: string }[] = [];
  let doc: A.Doc<T> | undefined;
  if (loaded.snapshot) {
    try {
      doc = A.load<T>(loaded.snapshot);
    } catch (err) {
      if (err instanceof Error && err.message === 'Module terminated') throw err; // Automerge is gone for this process
      bad.push({ bytes: loaded.snapshot, why: `the snapshot does not load: ${String(err)}` });
    }
  }
  doc = doc === undefined ? genesisDoc<T>() : A.hasHeads(doc, [genesisHash()]) ? doc : applyEach(doc, [genesisChange()], () => undefined);
  const candidates: Uint8Array[] = [];
  for (const record of loaded.records) {
    try {
      measureChange(record);
      candidates.push(record);
    } catch (err) {
      bad.push({ bytes: record, why: `a stored record over the limits: ${(err as Error).message}` });
    }
  }
  doc = applyEach(doc, candidates, (index, err) => bad.push({ bytes: candidates[index]!, why: `a stored record does not apply: ${String(err)}` }));
  if (A.getMissingDeps(doc, []).length > 0) {
    // Some records wait for a change that is not here (a snapshot that did not load held it).
    for (const record of candidates) {
      if (!A.hasHeads(doc, [A.decodeChange(record).hash])) bad.push({ bytes: record, why: 'a stored record waits for a change that is not here' });
    }
  }
  if (bad.length > 0) {
    const movedTo = await store.quarantine(bad.map((b) => b.bytes));
    doc = A.load<T>(A.save(doc)); // drops changes still queued for missing dependencies
    await store.compact(A.save(doc));
    const detail = `${bad.length} stored record(s) of the ${name} that could not be used were moved aside (first: ${bad[0]!.why}); starting from the last good state, peers bring back the rest`;
    logger.error(`${name}: ${detail}; kept as ${movedTo}`);
    problems.push({ kind: 'quarantined', file: name, detail, movedTo });
    return { doc, records: 0, problems };
  }
  return { doc, records: loaded.records.length, problems };
}

/** Applies changes in one batch; if the batch fails, one at a time so that good ones still land. */
export function applyEach<T>(doc: A.Doc<T>, changes: readonly Uint8Array[], onBad: (index: number, err: unknown) => void): A.Doc<T> {
  try {
    return A.applyChanges(doc, changes as Uint8Array[])[0];
  } catch {
    let current = doc;
    changes.forEach((change, index) => {
      try {
        current = A.applyChanges(current, [change])[0];
      } catch (err) {
        onBad(index, err);
      }
    });
    return current;
  }
}
