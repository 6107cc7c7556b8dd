/** Drives a real `shared-notes peer --json` process (the built dist/cli.js) for end-to-end tests. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
export type Line = Record<string, unknown> & { type: string };

export async function tempDir(prefix = 'sn-e2e-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export class CliPeer {
  readonly lines: Line[] = [];
  /** Every stdout line exactly as printed (before parsing). */
  readonly rawLines: string[] = [];
  readonly stderr: string[] = [];
  private waiters: Array<{ test: (l: Line) => boolean; resolve: (l: Line) => void }> = [];
  private commands: Promise<unknown> = Promise.resolve();
  private exited: Promise<number | null>;
  ready!: Line & { peerId: string; addresses: string[]; invite: string; space: { id: string; name: string } };

  private constructor(
    readonly name: string,
    readonly dataDir: string,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {
    createInterface({ input: child.stdout }).on('line', (text) => {
      this.rawLines.push(text);
      let line: Line;
      try {
        line = JSON.parse(text) as Line;
      } catch {
        throw new Error(`${name} printed a non-JSON line in --json mode: ${text}`);
      }
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => (w.test(line) ? (w.resolve(line), false) : true));
    });
    createInterface({ input: child.stderr }).on('line', (text) => {
      this.stderr.push(text);
      if (process.env.SN_E2E_VERBOSE) console.error(`[${name}] ${text}`);
    });
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    // A command written just as the process dies fails with EPIPE; the exit is what callers see.
    child.stdin.on('error', (err) => this.stderr.push(`(stdin: ${err.message})`));
  }

  /**
   * Starts a peer on loopback with mDNS off; resolves on its `ready` line. `options.listen`
   * replaces the default listen address; `options.env` adds to the environment; `options.stdin`
   * is written to standard input at once (e.g. the invite line for `--join -`); `options.wrap`
   * runs it through a command (e.g. `ip netns exec NS`), and only then may `options.lanMulticast`
   * leave mDNS and UPnP on.
   */
  static async start(
    name: string,
    dataDir: string,
    extra: string[] = [],
    options: { listen?: string; env?: NodeJS.ProcessEnv; stdin?: string; wrap?: string[]; lanMulticast?: boolean } = {},
  ): Promise<CliPeer> {
    const listen = options.listen ?? '/ip4/127.0.0.1/tcp/0/ws';
    const [command, ...prefix] = [...(options.wrap ?? []), process.execPath];
    // mDNS and UPnP multicast on the LAN: only inside a namespace the test made (options.lanMulticast).
    const multicast = options.lanMulticast && options.wrap ? [] : ['--no-mdns'];
    const child = spawn(command!, [...prefix, CLI, 'peer', '--data', dataDir, '--json', ...multicast, '--name', name, '--listen', listen, ...extra], {
      env: { ...process.env, SHARED_NOTES_ANTI_ENTROPY_MS: process.env.SHARED_NOTES_ANTI_ENTROPY_MS ?? '2000', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const peer = new CliPeer(name, dataDir, child);
    if (options.stdin !== undefined) child.stdin.write(options.stdin);
    try {
      const first = await Promise.race([
        peer.waitFor((l) => l.type === 'ready' || l.type === 'error', 30_000),
        peer.exited.then((code) => {
          throw new Error(`${name} exited (${code}) before ready:\n${peer.stderr.join('\n')}`);
        }),
      ]);
      if (first.type !== 'ready') throw new Error(`${name} failed to start: ${JSON.stringify(first)}`);
      peer.ready = first as CliPeer['ready'];
      return peer;
    } catch (err) {
      // A start that failed (no ready line in time, an error line) must not leave the process
      // running: nobody holds it, and its pipes would keep the test file from ever exiting.
      await peer.kill('SIGKILL');
      throw err;
    }
  }

  /** Resolves with the first line (already printed or future) that passes `test`. */
  waitFor(test: (l: Line) => boolean, timeoutMs = 20_000, since = 0): Promise<Line> {
    const seen = this.lines.slice(since).find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`${this.name}: timed out after ${timeoutMs} ms waiting; last lines:\n${this.lines.slice(-8).map((l) => JSON.stringify(l)).join('\n')}\nstderr:\n${this.stderr.slice(-15).join('\n')}`));
      }, timeoutMs);
      const done = (l: Line) => {
        clearTimeout(timer);
        resolve(l);
      };
      this.waiters.push({ test, resolve: done });
    });
  }

  /**
   * Sends one command line and resolves with its `result` (or rejects with its `error`, or with
   * PeerExitedError as soon as the process is gone). Commands to one peer are sent one after the
   * other, so that each gets its own answer even when callers run several at once.
   */
  run(command: string, timeoutMs = 20_000): Promise<Line> {
    const turn = this.commands.then(() => this.runNow(command, timeoutMs));
    this.commands = turn.then(
      () => undefined,
      () => undefined, // the caller gets the failure; the next command still runs
    );
    return turn;
  }

  private async runNow(command: string, timeoutMs: number): Promise<Line> {
    if (!this.running) throw Object.assign(new Error(`${this.name} is not running`), { name: 'PeerExitedError' });
    const since = this.lines.length;
    this.child.stdin.write(command + '\n');
    const line = await Promise.race([
      this.waitFor((l) => l.type === 'result' || l.type === 'error', timeoutMs, since),
      this.exited.then((code) => {
        throw Object.assign(new Error(`${this.name} exited (${code}) during: ${command}`), { name: 'PeerExitedError' });
      }),
    ]);
    if (line.type === 'error') throw Object.assign(new Error(`${this.name}: ${command}: ${String(line.message)}`), { line });
    return line;
  }

  /** Polls `check` with `status`/`ls` style commands until it passes. */
  async until<T>(what: string, probe: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: T | undefined;
    while (Date.now() < deadline) {
      last = await probe();
      if (check(last)) return last;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${this.name}: ${what} not reached in ${timeoutMs} ms; last: ${JSON.stringify(last)?.slice(0, 2000)}\nstderr:\n${this.stderr.slice(-15).join('\n')}`);
  }

  /** The entry as this peer shows it, or its status. */
  async show(id: string): Promise<Line> {
    return this.run(`show ${id}`);
  }

  async status(): Promise<Line & { connected: number; inSync: number; syncing: number; heads: string[] }> {
    return (await this.run('status')) as Line & { connected: number; inSync: number; syncing: number; heads: string[] };
  }

  async quit(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    this.child.stdin.write('quit\n');
    return this.exited;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** False once the process has exited (or was killed). */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the exit code (null after a signal) once the process is gone. */
  whenExited(): Promise<number | null> {
    return this.exited;
  }

  /** The signal that ended the process, if one did. */
  get exitSignal(): NodeJS.Signals | null {
    return this.child.signalCode;
  }
}

/**
 * The CLI peers of one test file: `start` makes a temporary data folder unless given one (to
 * restart a peer on its folder); `cleanUp` kills every peer and removes the folders it made.
 */
export class CliPeerPool {
  readonly peers: CliPeer[] = [];
  readonly dirs: string[] = [];

  async start(name: string, extra: string[] = [], dir?: string): Promise<CliPeer> {
    const data = dir ?? (await this.tempDir(`sn-${name}-`));
    const peer = await CliPeer.start(name, data, extra);
    this.peers.push(peer);
    return peer;
  }

  /** A temporary folder removed by cleanUp. */
  async tempDir(prefix: string): Promise<string> {
    const dir = await tempDir(prefix);
    this.dirs.push(dir);
    return dir;
  }

  async cleanUp(): Promise<void> {
    await Promise.all(this.peers.map((p) => p.kill()));
    await Promise.all(this.dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
}
