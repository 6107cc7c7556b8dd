/** Drives a real `shared-notes serve --json` daemon (dist/cli.js) with stdin closed, for tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CLI, type Line } from './cli-peer';

export type ReadyLine = Line & { peerId: string; addresses: string[]; invite: string; space: { id: string; name: string } };

export class ServeProcess {
  readonly lines: Line[] = [];
  readonly stderr: string[] = [];
  private waiters: Array<{ test: (l: Line) => boolean; resolve: (l: Line) => void }> = [];
  readonly exited: Promise<number | null>;
  ready: ReadyLine[] = [];
  metricsAddress: string | undefined;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    createInterface({ input: child.stdout! }).on('line', (text) => {
      const line = JSON.parse(text) as Line;
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => (w.test(line) ? (w.resolve(line), false) : true));
    });
    createInterface({ input: child.stderr! }).on('line', (text) => {
      this.stderr.push(text);
      if (process.env.SN_E2E_VERBOSE) console.error(`[${name}] ${text}`);
    });
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /**
   * Starts `serve` with stdin closed (as systemd does) and waits for `spaces` ready lines (and the
   * metrics line when --metrics is given). `command` replaces `[node, dist/cli.js]` (e.g. to run
   * it inside a network namespace).
   */
  static async start(name: string, args: string[], options: { spaces?: number; env?: NodeJS.ProcessEnv; command?: string[] } = {}): Promise<ServeProcess> {
    const command = options.command ?? [process.execPath, CLI];
    const child = spawn(command[0]!, [...command.slice(1), 'serve', '--json', ...args], {
      env: { ...process.env, SHARED_NOTES_ANTI_ENTROPY_MS: '2000', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const serve = new ServeProcess(name, child);
    const wanted = options.spaces ?? 1;
    const failed = serve.exited.then((code) => {
      throw new Error(`${name} exited (${code}) before ready:\n${serve.stderr.join('\n')}`);
    });
    for (let i = 0; i < wanted; i++) {
      const line = await Promise.race([serve.waitFor((l) => l.type === 'ready' && !serve.ready.includes(l as ReadyLine), 40_000), failed]);
      serve.ready.push(line as ReadyLine);
    }
    if (args.includes('--metrics')) {
      const line = await Promise.race([serve.waitFor((l) => l.type === 'metrics', 10_000), failed]);
      serve.metricsAddress = String(line.address);
    }
    return serve;
  }

  waitFor(test: (l: Line) => boolean, timeoutMs = 20_000): Promise<Line> {
    const seen = this.lines.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: timed out after ${timeoutMs} ms; stderr:\n${this.stderr.slice(-15).join('\n')}`)), timeoutMs);
      this.waiters.push({
        test,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }

  async fetch(path: string): Promise<{ status: number; type: string | null; body: string }> {
    if (!this.metricsAddress) throw new Error(`${this.name} has no metrics endpoint`);
    const res = await fetch(`http://${this.metricsAddress}${path}`, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
  }
}
