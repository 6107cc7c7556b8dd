/**
 * Two real editors (code-server 4.100.3 = VS Code 1.100.3) with the packaged VSIX, driven from
 * Chromium like a person would: A creates a space and shows its invite, B joins with it and each
 * Peers view names the other, a note created and published in A appears in B, B deletes it and it
 * disappears in A, a recipe made through Create Recipe's guided steps reaches B with its history,
 * A's new display name reaches B live and a new listen address restarts A's node, and both status
 * bars end up "In sync · 1 peer"; then B leaves and A goes offline. Loopback only, mDNS off.
 *   npm run test:editor   (packages the VSIX first; installs code-server into a cache on first run)
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { decodeInvite } from '../../src/core/invite.js';
import { extensionLogs, freePort, installCodeServer, ROOT, startEditor, stopEditor, userSettings, type EditorInstance } from './code-server.js';
import {
  answerInput, answerSteps, CHROMIUM_ARGS, confirmDialog, editUserSettings, openSharedNotes, peerRow, pick, quickPickRow, readInput, runCommand, statusItem, treeRow, typeAtEnd,
  waitForWorkbench,
} from './workbench.js';

const VSIX = join(ROOT, 'shared-notes.vsix');
const RESULTS = join(ROOT, 'test-results');
const NOTE = `Shared from A ${Date.now().toString(36)}`;
const RECIPE = `Sunday pancakes ${Date.now().toString(36)}`;
const BODY = 'Milk, eggs and flour: pancakes on Sunday.';
const MORE = ' Bring maple syrup.';
const SYNC_TIMEOUT = 30_000;

describe('Shared Notes in two real editors', { timeout: 300_000 }, () => {
  let base: string;
  let browser: Browser | undefined;
  const editors: EditorInstance[] = [];
  let a: Page;
  let b: Page;
  let failed = false;
  const timings: string[] = [];
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await fn();
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      timings.push(`${name}: ${Date.now() - started} ms`);
    }
  };

  before(async () => {
    assert.ok(existsSync(VSIX), `${VSIX} is missing: run npm run package (npm run test:editor does)`);
    const launcher = await step('install code-server (cached)', async () => installCodeServer());
    base = mkdtempSync(join(tmpdir(), 'shared-notes-e2e-'));
    mkdirSync(RESULTS, { recursive: true });
    await step('start two code-servers', async () => {
      editors.push(...(await Promise.all([startEditor(launcher, 'a', base, VSIX), startEditor(launcher, 'b', base, VSIX)])));
    });
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const open = async (editor: EditorInstance) => {
      const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(editor.url);
      await waitForWorkbench(page);
      return page;
    };
    [a, b] = await step('load both workbenches', () => Promise.all([open(editors[0]!), open(editors[1]!)]));
  });

  after(async () => {
    if (failed) {
      for (const [page, name] of [[a, 'a'], [b, 'b']] as const) await page?.screenshot({ path: join(RESULTS, `editor-${name}-failure.png`) }).catch(() => undefined);
      for (const editor of editors) console.log(`\n===== extension log of editor ${editor.name} =====\n${extensionLogs(editor)}\n(code-server log: ${join(editor.dir, 'code-server.log')})`);
    }
    await browser?.close();
    await Promise.all(editors.map(stopEditor));
    if (!failed) rmSync(base, { recursive: true, force: true });
    console.log(`timings:\n  ${timings.join('\n  ')}`);
  });

  it('A creates a space and shows its invite; B joins with it', async () => {
    const invite = await step('A: create space, copy invite', async () => {
      await openSharedNotes(a);
      await a.getByRole('button', { name: 'Create Space' }).waitFor({ timeout: 60_000 }); // the welcome view: no space yet
      await runCommand(a, 'Shared Notes: Create Space');
      await answerInput(a, 'E2E Kitchen', 'Create Space');
      await statusItem(a, 'Offline').waitFor({ timeout: SYNC_TIMEOUT });
      await runCommand(a, 'Shared Notes: Copy Invite');
      return readInput(a, 'Invite to "E2E Kitchen"');
    });
    assert.match(invite, /^sn1-[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);

    await step('B: join, both in sync', async () => {
      await openSharedNotes(b);
      await b.getByRole('button', { name: 'Join with Invite' }).waitFor({ timeout: 60_000 });
      await runCommand(b, 'Shared Notes: Join Space');
      await answerInput(b, invite, 'Join Space');
      await statusItem(b, 'In sync · 1 peer').waitFor({ timeout: SYNC_TIMEOUT });
      await statusItem(a, 'In sync · 1 peer').waitFor({ timeout: SYNC_TIMEOUT });
    });

    await step('each Peers view names the other editor', async () => {
      // The names come from each side's sharedNotes.displayName, over the hello protocol.
      await peerRow(a, 'Editor B').waitFor({ timeout: SYNC_TIMEOUT });
      const row = peerRow(b, 'Editor A');
      await row.filter({ hasText: 'in sync' }).waitFor({ timeout: SYNC_TIMEOUT });
      assert.match(await row.innerText(), /^Editor A\s*in sync · this machine · …\w{8} · 127\.0\.0\.1:\d+ \(ws\)$/);
    });
  });

  it('a note created and published in A appears in B', async () => {
    await step('A: create and publish a note, B sees it', async () => {
      await runCommand(a, 'Shared Notes: Create Note');
      await answerInput(a, NOTE, 'Create Note');
      await a.locator('.tab', { hasText: NOTE.slice(0, 20) }).first().waitFor({ timeout: 15_000 }); // the document opened
      await treeRow(a, NOTE).waitFor({ timeout: 15_000 });
      // Write the body in the markdown document and save: the FileSystemProvider turns it into an edit.
      await typeAtEnd(a, BODY);
      await a.keyboard.press('Control+S');
      await a.locator('.tab.dirty').waitFor({ state: 'detached', timeout: 15_000 });
      await runCommand(a, 'Shared Notes: Publish'); // acts on the active document
      await a.locator('.pane-body .monaco-list-row', { hasText: 'Published' }).filter({ hasText: '1' }).first().waitFor({ timeout: 15_000 });
      await treeRow(b, NOTE).waitFor({ timeout: SYNC_TIMEOUT });
      await treeRow(b, NOTE).click(); // opens B's copy as a document, body included
      await b.locator('.monaco-editor .view-lines', { hasText: BODY }).waitFor({ timeout: 15_000 });
      // An edit saved in A reaches B's open, unmodified document in place.
      await typeAtEnd(a, MORE);
      await a.keyboard.press('Control+S');
      await b.locator('.monaco-editor .view-lines', { hasText: MORE.trim() }).waitFor({ timeout: SYNC_TIMEOUT });
      await statusItem(a, 'In sync · 1 peer').waitFor({ timeout: SYNC_TIMEOUT });
      await statusItem(b, 'In sync · 1 peer').waitFor({ timeout: SYNC_TIMEOUT });
    });
    await a.screenshot({ path: join(RESULTS, 'editor-a.png') });
    await b.screenshot({ path: join(RESULTS, 'editor-b.png') });
    const screenshot = join(ROOT, 'media/screenshot.png');
    if (!existsSync(screenshot) || process.env.UPDATE_SCREENSHOT === '1') copyFileSync(join(RESULTS, 'editor-a.png'), screenshot);
  });

  it('B deletes it and it is gone in A; both stay in sync with one peer', async () => {
    await step('B: delete, A loses it', async () => {
      await runCommand(b, 'Shared Notes: Delete'); // acts on the active document, after a modal confirmation
      await confirmDialog(b, 'Delete');
      // It leaves Published for "Recently deleted" (where Restore can bring it back), in both.
      await treeRow(b, NOTE).filter({ hasText: 'deleted by Editor B' }).waitFor({ timeout: 15_000 });
      await treeRow(a, NOTE).filter({ hasText: 'deleted by Editor B' }).waitFor({ timeout: SYNC_TIMEOUT });
      // A tab still showing the deleted note keeps the status bar at "… not up to date": close them.
      for (const page of [a, b]) {
        const tab = page.locator('.tab', { hasText: NOTE.slice(0, 20) });
        if ((await tab.count()) > 0) {
          await tab.first().locator('.codicon-close').click({ force: true });
          await tab.first().waitFor({ state: 'detached', timeout: 15_000 });
        }
      }
      await statusItem(a, 'In sync · 1 peer').waitFor({ timeout: SYNC_TIMEOUT });
      await statusItem(b, 'In sync · 1 peer').waitFor({ timeout: SYNC_TIMEOUT });
    });
    await a.screenshot({ path: join(RESULTS, 'editor-a-after-delete.png') });
    await b.screenshot({ path: join(RESULTS, 'editor-b-after-delete.png') });
  });

  it('a recipe made through the guided steps in A reaches B, with its history on both sides', async () => {
    await step('A: Create Recipe in three steps, its history, publish', async () => {
      await runCommand(a, 'Shared Notes: Create Recipe');
      await answerSteps(a, [
        ['Create Recipe (1/3)', RECIPE],
        ['Create Recipe (2/3)', '200 g flour; 2 eggs; a pinch of salt'],
        ['Create Recipe (3/3)', 'Mix everything | Rest 30 min | Fry in butter'],
      ]);
      const lines = a.locator('.editor-group-container.active .monaco-editor .view-lines').first();
      await lines.filter({ hasText: 'Fry in butter' }).waitFor({ timeout: 15_000 }); // the recipe opened as a document
      const shown = (await lines.locator('.view-line').allInnerTexts()).map((l) => l.replace(/\u00a0/g, ' ').trim());
      for (const line of [`# ${RECIPE}`, '## Ingredients', '- 200 g flour', '- 2 eggs', '- a pinch of salt', '## Instructions', 'Mix everything', 'Rest 30 min']) {
        assert.ok(shown.includes(line), `the recipe document shows "${line}"; it shows ${JSON.stringify(shown)}`);
      }
      await runCommand(a, 'Shared Notes: Show History'); // of the active document
      await a.locator('.quick-input-title', { hasText: `History of "${RECIPE}"` }).waitFor({ timeout: 15_000 });
      await quickPickRow(a, 'create', 'Editor A', 'draft').waitFor({ timeout: 15_000 });
      await a.keyboard.press('Escape');
      await runCommand(a, 'Shared Notes: Publish');
    });

    await step('B: the recipe arrives; Show History on it', async () => {
      await treeRow(b, RECIPE).waitFor({ timeout: SYNC_TIMEOUT });
      await runCommand(b, 'Shared Notes: Show History'); // no shared entry is open in B: it asks which
      await pick(b, RECIPE);
      await b.locator('.quick-input-title', { hasText: `History of "${RECIPE}"` }).waitFor({ timeout: 15_000 });
      await quickPickRow(b, 'publish', 'Editor A').waitFor({ timeout: 15_000 });
    });
    await b.screenshot({ path: join(RESULTS, 'editor-b-history.png') });
    await b.keyboard.press('Escape');
  });

  it('settings: a new display name reaches B live; a new listen address restarts A and both sync again', async () => {
    await step('A: new display name, B shows it', async () => {
      await editUserSettings(a, { ...userSettings(editors[0]!), 'sharedNotes.displayName': 'Ann in editor A' });
      await peerRow(b, 'Ann in editor A').waitFor({ timeout: SYNC_TIMEOUT });
    });

    const port = await freePort();
    await step('A: new listen address, the node restarts, both in sync again', async () => {
      await editUserSettings(a, { ...userSettings(editors[0]!), 'sharedNotes.listenAddresses': [`/ip4/127.0.0.1/tcp/${port}/ws`] });
      // The invite carries the addresses the node listens on: the new port proves the restart.
      await untilInvite(a, (invite) => decodeInvite(invite).addresses.some((addr) => addr.includes(`/tcp/${port}/ws/`)));
      await statusItem(a, 'In sync · 1 peer').waitFor({ timeout: SYNC_TIMEOUT });
      await statusItem(b, 'In sync · 1 peer').waitFor({ timeout: SYNC_TIMEOUT });
      // B shows A by its name, in sync, at its new address.
      await peerRow(b, 'Ann in editor A').filter({ hasText: 'in sync' }).filter({ hasText: `127.0.0.1:${port} (ws)` }).waitFor({ timeout: SYNC_TIMEOUT });
      await peerRow(a, 'Editor B').waitFor({ timeout: SYNC_TIMEOUT });
    });
    await a.screenshot({ path: join(RESULTS, 'editor-a-after-restart.png') });
    await b.screenshot({ path: join(RESULTS, 'editor-b-after-restart.png') });
  });

  it('B leaves the space: its welcome comes back and A is offline', async () => {
    await step('B: leave, A offline', async () => {
      await runCommand(b, 'Shared Notes: Leave Space');
      await confirmDialog(b, 'Leave');
      await b.getByRole('button', { name: 'Join with Invite' }).waitFor({ timeout: 15_000 });
      await statusItem(a, 'Offline').waitFor({ timeout: SYNC_TIMEOUT });
    });
  });
});

/**
 * Shows the invite (Copy Invite) until it passes `check`, for at most 30 s. While the node
 * restarts, Copy Invite answers "the space is still opening" instead of an invite: try again.
 */
async function untilInvite(page: Page, check: (invite: string) => boolean): Promise<string> {
  const until = Date.now() + 30_000;
  let last = '(none shown)';
  for (;;) {
    await runCommand(page, 'Shared Notes: Copy Invite');
    const invite = await readInput(page, 'Invite to "E2E Kitchen"', 5_000).catch(() => undefined);
    if (invite !== undefined && check(invite)) return invite;
    last = invite ?? last;
    if (Date.now() > until) throw new Error(`the invite never passed the check; last: ${last}`);
    await page.waitForTimeout(1_000);
  }
}
