/** Driving the VS Code workbench (code-server in Chromium) the way a person does: palette, inputs, views. */
import type { Locator, Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const QUICK_INPUT = '.quick-input-widget';

export async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.activitybar').waitFor({ timeout: 60_000 });
}

/** Runs a command from the palette: F1, type its full title, pick the matching row. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator(`${QUICK_INPUT} input`);
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('Escape');
    await page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 }, force: true }).catch(() => undefined);
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`, { hasText: title }).first();
    try {
      await row.waitFor({ timeout: 5_000 });
      // The palette matches word prefixes: "Restore" also finds "Reload … Stored", which may come
      // first. Click the row whose label is exactly the title when there is one.
      const exact = page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`, {
        has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`) }),
      });
      if ((await exact.count()) > 0) await exact.first().click();
      else await input.press('Enter');
      return;
    } catch (err) {
      // The command's `when` clause may not hold yet (the extension is still starting): try again.
      if (attempt >= 10) throw new Error(`command "${title}" did not show up in the palette`, { cause: err });
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1_000);
    }
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Types into the input box a command opened (same widget as the palette) and accepts it. */
export async function answerInput(page: Page, value: string, expectTitle?: string): Promise<void> {
  if (expectTitle) await page.locator(`${QUICK_INPUT} .quick-input-title`, { hasText: expectTitle }).waitFor({ timeout: 15_000 });
  const input = page.locator(`${QUICK_INPUT} input`);
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(value);
  await input.press('Enter');
  await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 15_000 }).catch(() => undefined);
}

/** Answers a chain of input boxes (a guided command): each step waits for its own title. */
export async function answerSteps(page: Page, steps: ReadonlyArray<readonly [title: string, value: string]>): Promise<void> {
  const input = page.locator(`${QUICK_INPUT} input`);
  for (const [title, value] of steps) {
    await page.locator(`${QUICK_INPUT} .quick-input-title`, { hasText: title }).waitFor({ timeout: 15_000 });
    await input.fill(value);
    await input.press('Enter');
  }
  await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 15_000 });
}

/** A row of the open quick pick that contains every one of `texts`. */
export function quickPickRow(page: Page, ...texts: string[]): Locator {
  let row = page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`);
  for (const text of texts) row = row.filter({ hasText: text });
  return row.first();
}

/** Reads the value an input box shows (the invite), then closes it. */
export async function readInput(page: Page, expectTitle: string, timeoutMs = 20_000): Promise<string> {
  await page.locator(`${QUICK_INPUT} .quick-input-title`, { hasText: expectTitle }).waitFor({ timeout: timeoutMs });
  const value = await page.locator(`${QUICK_INPUT} input`).inputValue();
  await page.keyboard.press('Escape');
  return value;
}

/** Picks a row of the quick pick a command opened. */
export async function pick(page: Page, text: string): Promise<void> {
  const row = page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`, { hasText: text }).first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
}

/**
 * Rewrites the user settings.json in the editor, as a person editing it would, saves and closes it.
 * (code-server does not notice a settings file written behind its back.) The text is inserted as
 * one line, so no auto-indent applies; what auto-closing added after the cursor is deleted.
 */
export async function editUserSettings(page: Page, settings: Record<string, unknown>): Promise<void> {
  await runCommand(page, 'Preferences: Open User Settings (JSON)');
  await page.locator('.tab.active', { hasText: 'settings.json' }).waitFor({ timeout: 15_000 });
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(JSON.stringify(settings));
  await page.keyboard.press('Control+Shift+End');
  await page.keyboard.press('Delete');
  await page.keyboard.press('Control+S');
  await page.locator('.tab.dirty').waitFor({ state: 'detached', timeout: 15_000 });
  const tab = page.locator('.tab', { hasText: 'settings.json' });
  await tab.locator('.codicon-close').click();
  await tab.waitFor({ state: 'detached', timeout: 15_000 });
}

/** Opens the "Shared Notes" view container from the activity bar. */
export async function openSharedNotes(page: Page): Promise<void> {
  const icon = page.locator('.activitybar [aria-label^="Shared Notes"]').first();
  await icon.waitFor({ timeout: 30_000 });
  const pane = page.locator('.pane-header', { hasText: 'Notes' }).first();
  if (!(await pane.isVisible())) await icon.click();
  await pane.waitFor({ timeout: 15_000 });
}

/**
 * A row of the Notes view. Only that view: the Peers view names the entry a peer has open
 * (`has "Pancakes" open`), and it can show that title before the Notes view's throttled refresh.
 */
export function treeRow(page: Page, label: string): Locator {
  return notesPane(page).locator('.pane-body .monaco-list-row', { hasText: label }).first();
}

export function notesPane(page: Page): Locator {
  return page.locator('.pane', { has: page.locator('.pane-header', { hasText: /^\s*Notes/i }) });
}

export function peersPane(page: Page): Locator {
  return page.locator('.pane', { has: page.locator('.pane-header', { hasText: /^\s*Peers/i }) });
}

/** A row of the Peers view (not of Notes, whose rows show authors' names too). */
export function peerRow(page: Page, label: string): Locator {
  return peersPane(page).locator('.pane-body .monaco-list-row', { hasText: label }).first();
}

export function statusItem(page: Page, text: string): Locator {
  return page.locator('.statusbar-item', { hasText: text }).first();
}

/** Clicks a button of the modal dialog a command opened (e.g. "Delete"). */
export async function confirmDialog(page: Page, button: string): Promise<void> {
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 15_000 });
  await dialog.getByRole('button', { name: button, exact: true }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
}

/** Types at the end of the active editor's text. */
export async function typeAtEnd(page: Page, text: string): Promise<void> {
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text);
}
