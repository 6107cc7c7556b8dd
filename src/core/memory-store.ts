import { StoreClosedError } from './errors.js';
import type { LoadedLog, LogStore } from './ports.js';

/** In-memory twin of FileLogStore for unit tests of the layers above; passes the same contract suite. */
export class MemoryLogStore implements LogStore {
  private snapshot: Uint8Array | undefined;
  private records: Uint8Array[] = [];
  private closed = false;

  async load(): Promise<LoadedLog> {
    this.assertOpen();
    return { snapshot: this.snapshot?.slice(), records: this.records.map((r) => r.slice()), problems: [] };
  }

  async append(records: readonly Uint8Array[]): Promise<void> {
    this.assertOpen();
    for (const r of records) this.records.push(r.slice());
  }

  async compact(snapshot: Uint8Array): Promise<void> {
    this.assertOpen();
    this.snapshot = snapshot.slice();
    this.records = [];
  }

  /** Records moved aside by `quarantine`, one batch per call. */
  readonly quarantined: Uint8Array[][] = [];

  async quarantine(records: readonly Uint8Array[]): Promise<string> {
    this.assertOpen();
    this.quarantined.push(records.map((r) => r.slice()));
    return `memory:quarantine-${this.quarantined.length}`;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Reopen after close, keeping the contents, as a process restart would with a file store. */
  reopen(): MemoryLogStore {
    const copy = new MemoryLogStore();
    copy.snapshot = this.snapshot;
    copy.records = this.records;
    return copy;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError('store is closed');
  }
}
