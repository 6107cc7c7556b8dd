/**
 * Search and markdown export/import in one real editor (code-server 4.100.3 with the packaged
 * VSIX, driven from Chromium): a folder of markdown files is imported through the folder picker
 * (what was skipped is said), Search answers as the query is typed and opens the entry with the
 * match selected, the Notes filter narrows the tree and says so in the view, and the selection's
 * context menu exports one entry as a markdown file with front matter. Loopback only, mDNS off.
 *   npm run package && node --import tsx --test test/editor-e2e/search.test.ts
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { extensionLogs, installCodeServer, ROOT, startEditor, stopEditor, type EditorInstance } from './code-server.js';
import { answerInput, CHROMIUM_ARGS, notesPane, openSharedNotes, quickPickRow, runCommand, statusItem, treeRow, waitForWorkbench } from './workbench.js';

const VSIX = join(ROOT, 'shared-notes.vsix');
const RESULTS = join(ROOT, 'test-results');
const QUICK_INPUT = '.quick-input-widget';

describe('Search and markdown export/import in a real editor', { timeout: 300_000 }, () => {
  let base: string;
  let browser: Browser | undefined;
  let editor: EditorInstance | undefined;
  let page: Page;
  let failed = false;
  const step = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      failed = true;
      throw err;
    }
  };

  before(async () => {
    assert.ok(existsSync(VSIX), `${VSIX} is missing: run npm run package first`);
    const launcher = installCodeServer();
    base = mkdtempSync(join(tmpdir(), 'shared-notes-search-e2e-'));
    mkdirSync(RESULTS, { recursive: true });
    editor = await startEditor(launcher, 'a', base, VSIX);
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    await page.goto(editor.url);
    await waitForWorkbench(page);
  });

  after(async () => {
    if (failed) {
      await page?.screenshot({ path: join(RESULTS, 'search-failure.png') }).catch(() => undefined);
      if (editor) console.log(`\n===== extension log =====\n${extensionLogs(editor)}`);
    }
    await browser?.close();
    if (editor) await stopEditor(editor);
    if (!failed) rmSync(base, { recursive: true, force: true });
  });

  it('imports a folder of markdown files as drafts through the folder picker, saying what it skipped', async () => {
    await step(async () => {
      const folder = join(base, 'to-import');
      mkdirSync(folder);
      writeFileSync(join(folder, 'dessert.md'), '# Crème brûlée\n\nTorch the sugar until it is golden.\n');
      writeFileSync(join(folder, 'pancakes.md'), '# Sunday pancakes\n\n## Ingredients\n\nflour, eggs, milk\n\n## Instructions\n\nMix and fry.\n');
      writeFileSync(join(folder, 'photo.png'), 'not markdown');
      await openSharedNotes(page);
      await page.getByRole('button', { name: 'Create Space' }).waitFor({ timeout: 60_000 });
      await runCommand(page, 'Shared Notes: Create Space');
      await answerInput(page, 'Search Kitchen', 'Create Space');
      await statusItem(page, 'Offline').waitFor({ timeout: 30_000 });
      await runCommand(page, 'Shared Notes: Import Markdown…');
      await chooseFolder(page, 'Import a Folder of Markdown Files as Drafts', 'Import', folder);
      await page.locator('.notifications-toasts', { hasText: 'imported 2 files as drafts; skipped 1' }).waitFor({ timeout: 30_000 });
      await treeRow(page, 'Crème brûlée').waitFor({ timeout: 15_000 });
      await treeRow(page, 'Sunday pancakes').waitFor({ timeout: 15_000 });
    });
  });

  it('Search answers as you type and opens the entry with the match selected', async () => {
    await step(async () => {
      await runCommand(page, 'Shared Notes: Search');
      const input = page.locator(`${QUICK_INPUT} input`);
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.pressSequentially('GOLD', { delay: 80 });
      // Every keystroke is a query: "GOLD" matches "golden" in the body, without accents or case.
      await quickPickRow(page, 'Crème brûlée').waitFor({ timeout: 15_000 });
      await page.locator(`${QUICK_INPUT} .quick-input-title`, { hasText: '1 entry matches' }).waitFor({ timeout: 15_000 });
      assert.match(await quickPickRow(page, 'Crème brûlée').innerText(), /text: Torch the sugar until it is «gold»en\./);
      await input.fill('');
      await input.pressSequentially('brulee', { delay: 80 });
      await quickPickRow(page, 'Crème brûlée').waitFor({ timeout: 15_000 });
      await input.press('Enter');
      await page.locator('.tab', { hasText: 'Crème brûlée' }).first().waitFor({ timeout: 15_000 });
      // The match "brûlée" (6 characters) in the title line is selected.
      await statusItem(page, '(6 selected)').waitFor({ timeout: 15_000 });
      assert.match(await statusItem(page, '(6 selected)').innerText(), /Ln 1, Col \d+ \(6 selected\)/);
    });
  });

  it('Filter Notes narrows the tree and the view says so; Clear Filter shows everything again', async () => {
    await step(async () => {
      await runCommand(page, 'Shared Notes: Filter Notes…');
      await answerInput(page, 'EGGS', 'Filter Notes');
      await page.locator('.pane-header', { hasText: 'filter "EGGS" · 1 match' }).waitFor({ timeout: 15_000 });
      await treeRow(page, 'Crème brûlée').waitFor({ state: 'detached', timeout: 15_000 });
      await treeRow(page, 'Sunday pancakes').waitFor({ timeout: 15_000 });
      await runCommand(page, 'Shared Notes: Clear Filter');
      await treeRow(page, 'Crème brûlée').waitFor({ timeout: 15_000 });
      await page.locator('.pane-header', { hasText: 'filter "EGGS"' }).waitFor({ state: 'detached', timeout: 15_000 });
    });
  });

  it("exports the tree's selection from its context menu as a markdown file with front matter", async () => {
    await step(async () => {
      const folder = join(base, 'exported');
      mkdirSync(folder);
      await treeRow(page, 'Sunday pancakes').click({ button: 'right' });
      const item = page.locator('.context-view .action-label', { hasText: 'Export to Markdown…' });
      await item.hover();
      await page.keyboard.press('Enter'); // the highlighted menu item (a click alone did not always reach it)
      await chooseFolder(page, 'Export 1 entry to Markdown', 'Export Here', folder);
      await page.locator('.notifications-toasts', { hasText: 'exported 1 entry' }).waitFor({ timeout: 30_000 });
      assert.deepEqual(readdirSync(folder), ['Sunday pancakes.md']);
      const text = readFileSync(join(folder, 'Sunday pancakes.md'), 'utf8');
      assert.match(text, /^---\nid: [0-9a-f]{32}\nkind: recipe\nstate: draft\nauthor: "Editor A"\n/);
      assert.ok(text.endsWith('---\n# Sunday pancakes\n\n## Ingredients\n\nflour, eggs, milk\n\n## Instructions\n\nMix and fry.\n'), text);
    });
    await page.screenshot({ path: join(RESULTS, 'search-editor.png') });
  });

  it('a group of more than 200 entries lists the newest 200, then a row that lists the rest', async () => {
    await step(async () => {
      const folder = join(base, 'many');
      mkdirSync(folder);
      for (let i = 0; i < 201; i++) writeFileSync(join(folder, `bulk-${i}.md`), `# Bulk note ${i}\n\nOne of many.\n`);
      await runCommand(page, 'Shared Notes: Import Markdown…');
      await chooseFolder(page, 'Import a Folder of Markdown Files as Drafts', 'Import', folder);
      await page.locator('.notifications-toasts', { hasText: 'imported 201 files as drafts' }).waitFor({ timeout: 60_000 });
      await treeRow(page, 'Drafts').filter({ hasText: '203' }).waitFor({ timeout: 15_000 });
      // The two drafts imported first are the oldest: below the first 200 rows, not listed.
      assert.equal(await treeRow(page, 'Crème brûlée').count(), 0);
      const list = notesPane(page).locator('.monaco-list').first();
      await list.focus();
      await page.keyboard.press('End'); // the view's last row
      const more = treeRow(page, 'Show 3 more');
      await more.waitFor({ timeout: 15_000 });
      assert.match(await more.innerText(), /200 of 203 listed/);
      await more.click();
      await more.waitFor({ state: 'detached', timeout: 15_000 });
      await list.focus();
      await page.keyboard.press('End');
      await treeRow(page, 'Crème brûlée').waitFor({ timeout: 15_000 });
    });
  });
});

/**
 * Answers the folder picker. code-server has no native dialog: VS Code's own one is a quick input
 * titled `title`, holding a path. Once it shows its starting folder, type the folder's path and
 * accept it (Enter, else the dialog's button labelled `button`, the command's openLabel).
 */
async function chooseFolder(page: Page, title: string, button: string, folder: string): Promise<void> {
  await page.locator(`${QUICK_INPUT} .quick-input-title`, { hasText: title }).waitFor({ timeout: 15_000 });
  const input = page.locator(`${QUICK_INPUT} input`);
  // The dialog fills in its starting folder after it opens: typing before that would be replaced.
  for (let i = 0; i < 50 && (await input.inputValue()) === ''; i++) await page.waitForTimeout(200);
  await page.waitForTimeout(300);
  await input.fill(`${folder}/`);
  await page.waitForTimeout(700); // the dialog lists the folder it navigated into
  await input.press('Enter');
  const widget = page.locator(QUICK_INPUT);
  if (!(await widget.waitFor({ state: 'hidden', timeout: 3_000 }).then(() => true, () => false))) {
    await widget.getByRole('button', { name: button }).click();
    await widget.waitFor({ state: 'hidden', timeout: 15_000 });
  }
}
