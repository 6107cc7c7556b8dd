/**
 * The packaged extension in a real editor: code-server 4.100.3 (VS Code 1.100.3) with the VSIX
 * installed, its workbench loaded in Chromium (playwright-core), loopback only, mDNS off — the
 * same setup as the editor end-to-end test, whose helpers this reuses.
 *
 * Figures come from the extension's own log lines, read from the "Shared Notes" log file that the
 * extension host writes under the code-server user-data dir (logs/<session>/exthost1/…):
 *   activateMs: `activated in X ms` — from the first line of activate() to just before it returns
 *               (performance.now() in the extension host);
 *   readyMs:    `node ready X ms after activation` — from the same first line of activate() until the
 *               controller's start resolved with the space open and the libp2p node listening.
 *               It includes activateMs and the lazy import of the engine (libp2p, Automerge WASM).
 *
 * Procedure: one set of folders (user data, extensions, workspace) in a temp dir. A setup start
 * (not measured) creates the space with the palette command "Shared Notes: Create Space". Then
 * code-server is stopped and started again STARTS times on the same folders, so each measured
 * start is a fresh code-server process and extension host that opens an existing space (the
 * usual case when someone opens VS Code). The logs folder is emptied before each start so each
 * start's log file is the only one. The stale LOCK the killed extension host leaves is taken over
 * on the next start (its owner pid is gone), as after any editor crash.
 *
 * The VSIX is built first with scripts/package-vsix.mjs (what `npm run package` runs: minified
 * bundles in dist/, then shared-notes.vsix at the repo root), so the figures are for the current
 * source. Nothing is installed here: without code-server or Chromium the benchmark is skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, type Dirent } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { extensionLogs, freePort, ROOT, startEditor, stopEditor, type EditorInstance } from '../test/editor-e2e/code-server.js';
import { answerInput, CHROMIUM_ARGS, openSharedNotes, runCommand, statusItem, waitForWorkbench } from '../test/editor-e2e/workbench.js';

export const CODE_SERVER_VERSION = '4.100.3';
const STARTS = 3;
const LOG_TIMEOUT_MS = 60_000;
export const ACTIVATED = /activated in (\d+(?:\.\d+)?) ms/;
export const READY = /node ready (\d+(?:\.\d+)?) ms after activation/;

export type ExtensionTiming = { activateMs: number[]; readyMs: number[]; vsixBytes: number; vsixPath: string } | { skipped: string };

export async function benchExtension(): Promise<ExtensionTiming> {
  const launcher = cachedCodeServer();
  if (!launcher) return { skipped: `code-server ${CODE_SERVER_VERSION} is not installed (run scripts/install-code-server.sh)` };
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath)) return { skipped: `no Chromium at ${chromiumPath} (set CHROMIUM_PATH)` };

  const vsixPath = packageVsix();
  const vsixBytes = statSync(vsixPath).size;

  const base = mkdtempSync(join(tmpdir(), 'shared-notes-bench-editor-'));
  let browser: Browser | undefined;
  let editor: EditorInstance | undefined; // the latest start, for its logs on failure
  let running: EditorInstance | undefined; // what needs stopping
  const activateMs: number[] = [];
  const readyMs: number[] = [];
  try {
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    // One port for all starts: the workspace storage id (where the space lives) derives from the folder URI, port included.
    const port = await freePort();
    for (let start = 0; start <= STARTS; start++) {
      if (editor) rmSync(join(editor.userData, 'logs'), { recursive: true, force: true });
      // Same name, base and port: startEditor reuses the folders (and reinstalls the same VSIX before the server starts).
      editor = running = await startEditor(launcher, 'bench', base, vsixPath, port);
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      try {
        const page = await context.newPage();
        await page.goto(editor.url);
        if (start === 0) {
          // Setup: the workspace gets its space, through the UI as a person would.
          await waitForWorkbench(page);
          await openSharedNotes(page);
          await page.getByRole('button', { name: 'Create Space' }).waitFor({ timeout: 60_000 });
          await runCommand(page, 'Shared Notes: Create Space');
          await answerInput(page, 'Bench Kitchen', 'Create Space');
          await statusItem(page, 'Offline').waitFor({ timeout: 30_000 });
          await waitForLog(editor, /space "Bench Kitchen" .* created in/);
        } else {
          const log = await waitForLog(editor, READY);
          activateMs.push(figure(log, ACTIVATED));
          readyMs.push(figure(log, READY));
        }
      } finally {
        await context.close().catch(() => undefined);
        running = undefined;
        await stopEditor(editor);
      }
    }
    return { activateMs, readyMs, vsixBytes, vsixPath };
  } catch (err) {
    const logs = editor ? `\n${extensionLogs(editor)}` : '';
    throw new Error(`editor benchmark failed: ${err instanceof Error ? err.message : String(err)}${logs}`, { cause: err });
  } finally {
    await browser?.close().catch(() => undefined);
    if (running) await stopEditor(running);
    rmSync(base, { recursive: true, force: true });
  }
}

/** The launcher scripts/install-code-server.sh installed (same cache folder), or undefined: never installs. */
export function cachedCodeServer(): string | undefined {
  const prefix =
    process.env.SHARED_NOTES_CODE_SERVER_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'shared-notes-code-server', CODE_SERVER_VERSION);
  const launcher = join(prefix, 'node_modules/.bin/code-server');
  try {
    const pkg = JSON.parse(readFileSync(join(prefix, 'node_modules/code-server/package.json'), 'utf8')) as { version?: string };
    return pkg.version === CODE_SERVER_VERSION && existsSync(launcher) ? launcher : undefined;
  } catch {
    return undefined;
  }
}

/** Runs scripts/package-vsix.mjs (`npm run package`) and returns the VSIX it wrote. */
export function packageVsix(): string {
  const vsix = join(ROOT, 'shared-notes.vsix');
  try {
    execFileSync(process.execPath, [join(ROOT, 'scripts/package-vsix.mjs'), '--out', vsix], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`packaging the VSIX failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`, { cause: err });
  }
  return vsix;
}

/** Polls the extension's log file(s) under the user-data dir until `pattern` shows up; returns their text. */
export async function waitForLog(editor: EditorInstance, pattern: RegExp): Promise<string> {
  const until = Date.now() + LOG_TIMEOUT_MS;
  for (;;) {
    const text = sharedNotesLogs(join(editor.userData, 'logs')).join('\n');
    if (pattern.test(text)) return text;
    if (Date.now() > until) throw new Error(`no log line matching ${pattern} within ${LOG_TIMEOUT_MS} ms`);
    if (editor.process.exitCode !== null) throw new Error(`code-server exited with ${editor.process.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Contents of every "…Shared Notes.log" under dir (the extension host's output channel files). */
function sharedNotesLogs(dir: string): string[] {
  const out: string[] = [];
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out; // not there yet
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sharedNotesLogs(p));
    else if (e.name.endsWith('Shared Notes.log')) out.push(readFileSync(p, 'utf8'));
  }
  return out;
}

export function figure(log: string, pattern: RegExp): number {
  const m = pattern.exec(log);
  if (!m?.[1]) throw new Error(`no ${pattern} in the log`);
  return Number(m[1]);
}
