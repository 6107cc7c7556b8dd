/**
 * The packaged extension in a real editor (code-server + Chromium, as bench/extension-timing.ts)
 * on a space of the realistic sharded fixture (bench/realistic-fixture.ts): what someone who opens
 * VS Code on a workspace whose space holds `n` notes waits for, and what the extension host holds.
 *
 * Procedure: a setup start creates the space through the palette (not measured); code-server is
 * stopped, the fixture's shard logs and read index are copied into the space's folder (in place
 * of the empty ones), and code-server is started STARTS times on the same folders. Each start:
 *   readyMs: the extension's `node ready X ms after activation` log line (space open, node listening);
 *   treeMs:  from the start of activate() until the Notes view shows its first entry row (a row of
 *            level 2 under the expanded Published group), in the workbench. The start of activate()
 *            is the wall time the extension logs with `node ready` (`activated at …`); the row's is
 *            taken here when playwright sees it (same machine, same clock). The workbench does not keep the
 *            view open across these restarts, so it is opened as soon as the activity bar shows;
 *   listMs:  from the later of "node ready" and that click until the row shows: the list's own
 *            cost (getChildren, the rows sent to the workbench and drawn);
 *   rss:     the extension host process's resident memory (VmRSS) when that row shows, and again
 *            SETTLE_MS later (what the extension keeps once it settled), read from /proc; and in the
 *            setup start, before the space is created (VS Code's own share: the host, its built-in
 *            extensions, ours activated with no space).
 * The extension host is the process under this code-server whose command line names the
 * extension host; nothing else runs in it but VS Code's built-in extensions and ours.
 */
import { cp, readFile, readdir, rm } from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { extensionLogs, freePort, startEditor, stopEditor, type EditorInstance } from '../test/editor-e2e/code-server.js';
import { answerInput, CHROMIUM_ARGS, notesPane, openSharedNotes, runCommand, statusItem, waitForWorkbench } from '../test/editor-e2e/workbench.js';
import { CODE_SERVER_VERSION, cachedCodeServer, figure, packageVsix, READY, waitForLog } from './extension-timing.js';
import { rssOf } from './cli-shards.js';
import { shardedSpaceWith } from './realistic-fixture.js';

const STARTS = 3;
const SETTLE_MS = 5_000;
const TREE_TIMEOUT_MS = 60_000;

export interface ExtensionShardStart {
  readyMs: number;
  treeMs: number;
  /** From the later of node ready and the view opened, until its first entry row shows: the list's own cost. */
  listMs: number;
  rssAtTree: number;
  rssSettled: number;
}

/** `rssNoSpace`: the extension host with our extension activated and no space yet (VS Code's own share). */
export type ExtensionShardTiming = { n: number; starts: ExtensionShardStart[]; rssNoSpace: number } | { skipped: string };

export async function benchExtensionOnShards(n: number, starts = STARTS, log: (line: string) => void = () => undefined): Promise<ExtensionShardTiming> {
  const launcher = cachedCodeServer();
  if (!launcher) return { skipped: `code-server ${CODE_SERVER_VERSION} is not installed (run scripts/install-code-server.sh)` };
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const { dir: fixture } = await shardedSpaceWith(n, log);
  const vsixPath = packageVsix();
  const base = mkdtempSync(join(tmpdir(), 'shared-notes-bench-editor-shards-'));
  let browser: Browser | undefined;
  let editor: EditorInstance | undefined;
  let running: EditorInstance | undefined;
  const out: ExtensionShardStart[] = [];
  let baseline = 0;
  try {
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    // One browser context for every start: the workbench keeps its layout (the Shared Notes view
    // open) in the page's storage, as a person's browser or VS Code does between sessions.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const port = await freePort();
    for (let start = 0; start <= starts; start++) {
      if (editor) rmSync(join(editor.userData, 'logs'), { recursive: true, force: true });
      editor = running = await startEditor(launcher, 'bench', base, vsixPath, port);
      const page = await context.newPage();
      try {
        await page.goto(editor.url);
        if (start === 0) {
          await waitForWorkbench(page);
          await openSharedNotes(page);
          await page.getByRole('button', { name: 'Create Space' }).waitFor({ timeout: 60_000 });
          await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
          baseline = await rssOf(await extensionHostPid(editor.process.pid!));
          await runCommand(page, 'Shared Notes: Create Space');
          await answerInput(page, `Bench Kitchen ${n}`, 'Create Space');
          await statusItem(page, 'Offline').waitFor({ timeout: 30_000 });
          await waitForLog(editor, /space "Bench Kitchen .*" .* created in/);
        } else {
          // The workbench does not keep the Shared Notes view open across these restarts: it is
          // opened as soon as the activity bar has its icon (what a person clicks first).
          await openSharedNotes(page);
          const viewOpenAt = Date.now();
          const row = notesPane(page).locator('.pane-body .monaco-list-row[aria-level="2"]').first();
          await row.waitFor({ timeout: TREE_TIMEOUT_MS }).catch(async (err: unknown) => {
            await page.screenshot({ path: join(tmpdir(), 'shared-notes-bench-editor-shards.png') }).catch(() => undefined);
            throw err;
          });
          const shownAt = Date.now();
          const host = await extensionHostPid(editor.process.pid!);
          const rssAtTree = await rssOf(host);
          const text = await waitForLog(editor, READY);
          const activationStart = activatedAt(text);
          await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
          const readyMs = figure(text, READY);
          out.push({
            readyMs,
            treeMs: shownAt - activationStart,
            listMs: shownAt - Math.max(activationStart + readyMs, viewOpenAt),
            rssAtTree,
            rssSettled: await rssOf(host),
          });
          log(`  extension on ${n}: ${JSON.stringify(out.at(-1))}`);
        }
      } finally {
        await page.close().catch(() => undefined);
        running = undefined;
        await stopEditor(editor);
      }
      if (start === 0) await putFixture(editor, fixture);
    }
    return { n, starts: out, rssNoSpace: baseline };
  } catch (err) {
    const logs = editor ? `\n${extensionLogs(editor)}` : '';
    throw new Error(`editor benchmark on ${n} notes failed: ${err instanceof Error ? err.message : String(err)}${logs}`, { cause: err });
  } finally {
    await browser?.close().catch(() => undefined);
    if (running) await stopEditor(running);
    rmSync(base, { recursive: true, force: true });
  }
}

/** Replaces the created space's shard logs and read index with the fixture's (the space keeps its id, key and name). */
async function putFixture(editor: EditorInstance, fixture: string): Promise<void> {
  const storage = join(editor.userData, 'User/workspaceStorage');
  const spaces: string[] = [];
  for (const workspace of await readdir(storage)) {
    const dir = join(storage, workspace, 'shared-notes.shared-notes/data/spaces');
    for (const space of await readdir(dir).catch(() => [] as string[])) spaces.push(join(dir, space));
  }
  if (spaces.length !== 1) throw new Error(`expected the one space the setup start created, found ${spaces.length}`);
  const space = spaces[0]!;
  for (const name of ['shards', 'index', 'index.journal']) await rm(join(space, name), { recursive: true, force: true });
  await cp(join(fixture, 'shards'), join(space, 'shards'), { recursive: true, preserveTimestamps: true });
  for (const name of ['index', 'index.journal']) await cp(join(fixture, name), join(space, name), { preserveTimestamps: true }).catch(() => undefined);
}

/** The wall time activate() started, as the `node ready` line says (the log's own stamps come later, from the workbench's log service). */
function activatedAt(text: string): number {
  const m = /node ready .* \(activated at ([\d\-T:.Z]+)\)/.exec(text);
  if (!m) throw new Error('no "activated at" in the extension\'s node ready line');
  return new Date(m[1]!).getTime();
}

/** The extension host under code-server `root`: a descendant whose command line names it. */
async function extensionHostPid(root: number): Promise<number> {
  const parents = new Map<number, number>();
  const hosts: number[] = [];
  for (const name of await readdir('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      parents.set(pid, Number(/PPid:\s+(\d+)/.exec(status)?.[1]));
      if ((await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes('extensionHost')) hosts.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  const under = (pid: number): boolean => {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parents.get(p)) if (p === root) return true;
    return false;
  };
  const found = hosts.filter(under);
  if (found.length !== 1) throw new Error(`expected one extension host under code-server ${root}, found ${found.length}`);
  return found[0]!;
}
