/**
 * The small interfaces through which the pure core talks to the outside world.
 * Each has an in-memory twin (see memory-store.ts) and a shared contract test suite.
 */

/** One problem found while loading a store; the store still loaded everything it could. */
export interface StoreProblem {
  /** `torn-tail`: an incomplete last record was dropped (normal after a crash mid-write).
   *  `corrupt-record`: damage before the end; valid records were kept, the file was moved aside.
   *  `corrupt-snapshot`: the snapshot failed its checksum; it was moved aside. */
  readonly kind: 'torn-tail' | 'corrupt-record' | 'corrupt-snapshot';
  readonly file: string;
  readonly detail: string;
  /** Where the damaged original was preserved, when it was moved aside. */
  readonly movedTo?: string;
}

/** What a log store holds: the last snapshot plus the records appended after it, in order. */
export interface LoadedLog {
  readonly snapshot: Uint8Array | undefined;
  readonly records: Uint8Array[];
  readonly problems: StoreProblem[];
}

/**
 * A durable append-only log of opaque records (Automerge change bytes) plus one snapshot.
 * - `append` resolves only once the records are durable (fsync); concurrent appends may share
 *   one fsync (group commit). Appends are persisted in call order.
 * - `compact(snapshot)` atomically replaces the snapshot and empties the record log. The caller
 *   guarantees the snapshot covers every record appended before the call. Appends issued after
 *   `compact` was called land after it.
 * - Loading after any crash returns a prefix-closed set: every record whose `append` resolved.
 */
export interface LogStore {
  load(): Promise<LoadedLog>;
  append(records: readonly Uint8Array[]): Promise<void>;
  compact(snapshot: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Where the history index is kept between runs (history-cache.ts). A cache: losing it costs one rebuild. */
export interface HistoryCache {
  read(log: 'local' | 'shared'): Promise<string | undefined>;
  write(log: 'local' | 'shared', text: string): Promise<void>;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** A scoped logger (`storage`, `net:sync`, ...). Implementations decide where lines go. */
export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
  child(scope: string): Logger;
}

export type Clock = () => number;
