/**
 * Peers for the chaos scenarios: real `shared-notes peer --json` processes (test/helpers/cli-peer)
 * that can be killed and restarted on the same data folder, and a ledger of every operation a
 * peer acknowledged, which is what must never be lost.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { newSpace, type Space } from '../../src/core/invite.js';
import { memoryLogger } from '../../src/core/logger.js';
import { generateIdentity, peerIdOf } from '../../src/net/keys.js';
import { DataFolder } from '../../src/storage/data-folder.js';
import { CliPeer, tempDir, type Line } from '../helpers/cli-peer.js';
import { randomInt, sleep } from './report.js';

export interface PreparedPeer {
  readonly name: string;
  readonly dir: string;
  readonly peerId: string;
  readonly deviceId: string;
}

/**
 * Data folders that already hold one space and their own identity, as if each had joined it: the
 * test knows every peer id before any process starts, so it can hand out addresses with /p2p ids.
 */
export async function prepareSpace(
  names: readonly string[],
  space: Space = newSpace('Chaos'),
  /** Where a peer's data folder goes (default: a fresh temp folder). */
  dirFor: (name: string) => Promise<string> = (name) => tempDir(`sn-chaos-${name}-`),
): Promise<{ space: Space; peers: PreparedPeer[] }> {
  const peers: PreparedPeer[] = [];
  for (const name of names) {
    const dir = await dirFor(name);
    const folder = await DataFolder.open(dir, memoryLogger());
    const profile = await folder.device(name);
    await folder.saveSpace(space);
    const identity = await folder.identity(generateIdentity);
    peers.push({ name, dir, peerId: await peerIdOf(identity), deviceId: profile.deviceId });
  }
  return { space, peers };
}

export async function deviceIdOf(dir: string): Promise<string> {
  return (JSON.parse(await readFile(join(dir, 'device.json'), 'utf8')) as { deviceId: string }).deviceId;
}

/** One peer's data folder and the process currently running on it, if any. */
export class ManagedPeer {
  cli: CliPeer | undefined;
  /** Added to the arguments of the next starts (e.g. a --join to recover a space). */
  extraArgs: string[] = [];
  starts = 0;
  failedStarts: string[] = [];
  private readonly finished: CliPeer[] = [];
  /** Set by remove(): a start still in flight then stops its process instead of keeping it. */
  private removed = false;

  constructor(
    readonly name: string,
    readonly dir: string,
    private readonly args: () => string[],
    private readonly options: { listen?: string; env?: NodeJS.ProcessEnv } = {},
  ) {}

  get running(): boolean {
    return this.cli?.running ?? false;
  }

  /** Starts a process on the folder; a start that fails is recorded and rethrown. */
  async start(): Promise<CliPeer> {
    this.starts++;
    try {
      const cli = await CliPeer.start(this.name, this.dir, [...this.args(), ...this.extraArgs], this.options);
      if (this.removed) {
        // The test ended (e.g. another peer failed to start) while this one was starting.
        await cli.kill();
        throw new Error(`${this.name} was removed while it started`);
      }
      this.cli = cli;
      return cli;
    } catch (err) {
      this.failedStarts.push(String(err).slice(0, 2000));
      throw err;
    }
  }

  /** kill -9 (or another signal); resolves once the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const cli = this.cli;
    if (!cli) return;
    this.finished.push(cli);
    await cli.kill(signal);
  }

  /** Every process this peer ran, for post-mortems (stderr lines). */
  history(): CliPeer[] {
    return this.cli && !this.finished.includes(this.cli) ? [...this.finished, this.cli] : [...this.finished];
  }

  async remove(): Promise<void> {
    this.removed = true;
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}

export type SharedOp =
  | { readonly op: 'publish' | 'edit'; readonly id: string; readonly device: string; readonly at: number; readonly by: string }
  | { readonly op: 'delete'; readonly id: string; readonly device: string; readonly by: string };

/** Acknowledged operations on the shared log: each must end up on every peer. */
export class Ledger {
  readonly ops: SharedOp[] = [];
  /** Published entries not known to be deleted, for peers to edit each other's. */
  readonly live = new Set<string>();
  readonly errors = new Map<string, number>();

  add(op: SharedOp): void {
    this.ops.push(op);
    if (op.op === 'publish') this.live.add(op.id);
    if (op.op === 'delete') this.live.delete(op.id);
  }

  countError(name: string): void {
    this.errors.set(name, (this.errors.get(name) ?? 0) + 1);
  }

  ids(): string[] {
    return [...new Set(this.ops.map((o) => o.id))];
  }
}

type EntryLine = { id: string; updatedAt: number; state: string; title?: string; body?: string };
const entryOf = (line: Line) => line.entry as EntryLine;

/**
 * Writes until `stop` says so: creates and publishes notes, edits the bodies of its own and the
 * titles of others' entries, deletes some of its own. Only what the peer answered with a result
 * goes into the ledger. While the process is down (killed, restarting) it waits.
 */
export async function writeLoop(peer: ManagedPeer, device: string, ledger: Ledger, stop: () => boolean, pauseMs: [number, number] = [20, 150]): Promise<number> {
  const mine: string[] = [];
  let counter = 0;
  let acked = 0;
  while (!stop()) {
    const cli = peer.cli;
    if (!cli?.running) {
      await sleep(100);
      continue;
    }
    const roll = Math.random();
    const others = [...ledger.live].filter((id) => !mine.includes(id));
    try {
      if (mine.length === 0 || roll < 0.3) {
        const created = entryOf(await cli.run(`create note ${peer.name} ${++counter}|b${counter}`));
        const published = entryOf(await cli.run(`publish ${created.id}`));
        ledger.add({ op: 'publish', id: created.id, device, at: published.updatedAt, by: peer.name });
        mine.push(created.id);
      } else if (roll < 0.65 || others.length === 0) {
        const id = mine[randomInt(0, mine.length - 1)]!;
        const edited = entryOf(await cli.run(`edit ${id} body=b${++counter}`));
        ledger.add({ op: 'edit', id, device, at: edited.updatedAt, by: peer.name });
      } else if (roll < 0.92) {
        const id = others[randomInt(0, others.length - 1)]!;
        const edited = entryOf(await cli.run(`edit ${id} title=${peer.name} was here ${++counter}`));
        ledger.add({ op: 'edit', id, device, at: edited.updatedAt, by: peer.name });
      } else {
        const id = mine.splice(randomInt(0, mine.length - 1), 1)[0]!;
        await cli.run(`delete ${id}`);
        ledger.add({ op: 'delete', id, device, by: peer.name });
      }
      acked++;
    } catch (err) {
      const line = (err as { line?: Line }).line;
      ledger.countError(line ? String(line.error) : (err as Error).name);
    }
    await sleep(randomInt(pauseMs[0], pauseMs[1]));
  }
  return acked;
}

/**
 * What of the ledger this peer does not hold. A publish must be in the entry's history with its
 * device and time; edits by a device must be there at least as many times as it acknowledged them
 * (an edit's result shows the merged entry, whose time may be a concurrent edit's); a delete needs
 * its history line and the tombstone.
 */
export async function missingOps(cli: CliPeer, ledger: Ledger): Promise<SharedOp[]> {
  const missing: SharedOp[] = [];
  const byId = new Map<string, SharedOp[]>();
  for (const op of ledger.ops) byId.set(op.id, [...(byId.get(op.id) ?? []), op]);
  for (const [id, ops] of byId) {
    let history: Array<{ op: string; at: number; by: { device: string } }>;
    try {
      history = (await cli.run(`history ${id}`, 60_000)).history as typeof history;
    } catch (err) {
      if ((err as { line?: Line }).line?.error !== 'EntryNotFoundError') throw err;
      missing.push(...ops); // the peer has nothing of it
      continue;
    }
    const edits = new Map<string, number>();
    for (const h of history) if (h.op === 'edit') edits.set(h.by.device, (edits.get(h.by.device) ?? 0) + 1);
    for (const op of ops) {
      if (op.op === 'publish') {
        if (!history.some((h) => h.op === 'publish' && h.by.device === op.device && h.at === op.at)) missing.push(op);
      } else if (op.op === 'edit') {
        const left = edits.get(op.device) ?? 0;
        if (left === 0) missing.push(op);
        else edits.set(op.device, left - 1);
      } else if (!history.some((h) => h.op === 'delete' && h.by.device === op.device)) {
        missing.push(op);
      }
    }
    if (ops.some((o) => o.op === 'delete') && !(await cli.run(`show ${id}`)).tombstone) missing.push(...ops.filter((o) => o.op === 'delete'));
  }
  return missing;
}

export const sortedHeads = (heads: readonly string[]) => [...heads].sort().join(',');
