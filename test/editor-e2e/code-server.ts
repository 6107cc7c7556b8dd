/** Starts and stops code-server instances for the editor end-to-end test (see STACK.md). */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(__dirname, '../..');

/** Installs code-server if needed (cached) and returns its launcher. */
export function installCodeServer(): string {
  const out = execFileSync(join(ROOT, 'scripts/install-code-server.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const launcher = out.trim().split('\n').at(-1);
  if (!launcher) throw new Error('install-code-server.sh printed no path');
  return launcher;
}

export interface EditorInstance {
  readonly name: string;
  readonly url: string;
  readonly dir: string;
  readonly userData: string;
  readonly process: ChildProcess;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * One editor: its own user data, extensions and workspace folder, the VSIX installed, loopback only.
 * `port` (default: a free one) must stay the same across restarts to keep the workspace storage:
 * the web workbench derives its id from the folder URI, which holds the host and port.
 * `settings` are added to (and override) the default user settings.
 */
export async function startEditor(
  launcher: string,
  name: string,
  baseDir: string,
  vsix: string,
  port?: number,
  settings: Record<string, unknown> = {},
): Promise<EditorInstance> {
  const dir = join(baseDir, name);
  const userData = join(dir, 'user-data');
  const extensions = join(dir, 'extensions');
  const workspace = join(dir, `workspace-${name}`);
  for (const d of [join(userData, 'User'), extensions, workspace]) mkdirSync(d, { recursive: true });
  writeFileSync(
    join(userData, 'User/settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'security.workspace.trust.enabled': false,
        'extensions.autoCheckUpdates': false,
        'sharedNotes.mdns': false,
        'sharedNotes.listenAddresses': ['/ip4/127.0.0.1/tcp/0/ws'],
        'sharedNotes.displayName': `Editor ${name.toUpperCase()}`,
        ...settings,
      },
      null,
      2,
    ),
  );
  execFileSync(launcher, ['--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', vsix, '--force'], { stdio: 'ignore' });

  port ??= await freePort();
  const log = createWriteStream(join(dir, 'code-server.log'));
  const child = spawn(
    launcher,
    [
      '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
      '--user-data-dir', userData, '--extensions-dir', extensions, workspace,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SHARED_NOTES_E2E: '1' } },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, child, 30_000);
  return { name, url, dir, userData, process: child };
}

/** The editor's user settings as they are on disk. */
export function userSettings(editor: EditorInstance): Record<string, unknown> {
  return JSON.parse(readFileSync(join(editor.userData, 'User/settings.json'), 'utf8')) as Record<string, unknown>;
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs} ms`);
}

/** Stops code-server by its pid and every descendant (the bootstrap-fork extension hosts etc.). */
export async function stopEditor(editor: EditorInstance): Promise<void> {
  const pid = editor.process.pid;
  if (pid === undefined) return;
  const tree = [pid, ...descendants(pid)];
  for (const p of tree) signal(p, 'SIGTERM');
  const until = Date.now() + 5_000;
  while (Date.now() < until && tree.some(alive)) await new Promise((r) => setTimeout(r, 100));
  for (const p of tree.filter(alive)) signal(p, 'SIGKILL');
}

function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** The extension's log output channel files, for a failure report. */
export function extensionLogs(editor: EditorInstance): string {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.includes('Shared Notes')) found.push(`--- ${p}\n${readFileSync(p, 'utf8').slice(-8000)}`);
    }
  };
  try {
    walk(join(editor.userData, 'logs'));
  } catch (err) {
    found.push(`no logs: ${String(err)}`);
  }
  return found.join('\n');
}

/**
 * The process ids of the editor's extension host(s): the Node processes code-server forks with
 * `--type=extensionHost`, where the extension (and its libp2p node) runs.
 */
export function extensionHostPids(editor: EditorInstance): number[] {
  const pid = editor.process.pid;
  if (pid === undefined) return [];
  return descendants(pid).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('extensionHost');
    } catch {
      return false;
    }
  });
}

/** Freezes (SIGSTOP) or thaws (SIGCONT) processes, e.g. an extension host: a device that sleeps. */
export function freeze(pids: readonly number[], frozen: boolean): void {
  for (const p of pids) signal(p, frozen ? 'SIGSTOP' : 'SIGCONT');
}
