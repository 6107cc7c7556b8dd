/**
 * Helpers for the co-editing end-to-end test (coediting.test.ts): one "person" per code-server,
 * reading what their editor shows, typing at a line, saving, reopening an entry from the Notes tree
 * (which reads the store afresh), and polling until something holds.
 *
 * Reading the document: the Monaco model is not reachable from the page in code-server, so the
 * text is read from the rendered `.view-lines` (each `.view-line` positioned by its `top`). That
 * is only the visible part of the document: keep the notes short (the editor shows ~35 lines) and
 * word wrap off (COEDIT_SETTINGS), so every line of the document is one rendered line.
 */
import type { Locator, Page } from 'playwright-core';
import type { EditorInstance } from './code-server.js';
import { notesPane, peersPane, runCommand } from './workbench.js';

/** Editor settings that keep what is rendered equal to the document text, and keep popups out of the way. */
export const COEDIT_SETTINGS: Record<string, unknown> = {
  'editor.minimap.enabled': false,
  'editor.wordWrap': 'off',
  '[markdown]': { 'editor.wordWrap': 'off', 'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' } },
  'editor.renderWhitespace': 'none',
  'editor.stickyScroll.enabled': false,
  'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
  'editor.suggestOnTriggerCharacters': false,
  'editor.wordBasedSuggestions': 'off',
  'editor.acceptSuggestionOnEnter': 'off',
  'editor.parameterHints.enabled': false,
  'editor.hover.enabled': false,
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.autoSurround': 'never',
  'editor.formatOnSave': false,
  'editor.lightbulb.enabled': 'off',
  'editor.cursorBlinking': 'solid',
  'editor.occurrencesHighlight': 'off',
  'editor.selectionHighlight': false,
  'editor.links': false,
  'files.autoSave': 'off',
  'files.insertFinalNewline': false,
  'files.trimTrailingWhitespace': false,
  'workbench.editor.enablePreview': false,
  'markdown.validate.enabled': false,
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
};

export const SYNC_TIMEOUT = 45_000;
/** Live edits should show within ~1 s; this leaves room for a loaded 2-core machine. */
export const LIVE_TIMEOUT = 15_000;

/** Polls `read` until `ok` holds for its value; fails with the last value seen. */
export async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = SYNC_TIMEOUT, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await read();
      lastError = undefined;
      if (ok(last)) return last;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const seen = lastError !== undefined ? `error ${String(lastError)}` : JSON.stringify(last, null, 1);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${seen}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** One person: their code-server, their Chromium page, their display name. */
export class Person {
  constructor(
    readonly name: string,
    readonly page: Page,
    readonly editor: EditorInstance,
  ) {}

  /** The active editor's text area. */
  get lines(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  }

  /** The lines the active editor shows, top to bottom (the whole document, for short notes). */
  async shownLines(): Promise<string[]> {
    return this.lines.evaluate((el) => {
      const rows = Array.from(el.querySelectorAll<HTMLElement>(':scope > .view-line')).map((line) => ({
        top: parseFloat(line.style.top || '0'),
        text: (line.textContent ?? '').replace(/\u00a0/g, ' '),
      }));
      rows.sort((x, y) => x.top - y.top);
      return rows.map((r) => r.text);
    }, undefined, { timeout: 2_000 }); // no editor: fail fast, the caller polls
  }

  /** The active editor's document text (trailing blank lines dropped: the store adds one). */
  async text(): Promise<string> {
    return normalize((await this.shownLines()).join('\n'));
  }

  /** Waits until the active editor's text passes `ok`. */
  async waitText(what: string, ok: (text: string) => boolean, timeoutMs = LIVE_TIMEOUT): Promise<string> {
    return until(`${this.name}'s editor to show ${what}`, () => this.text(), ok, timeoutMs);
  }

  /**
   * Focuses the active editor with the keyboard (Ctrl+1, "focus the first editor group"); the
   * cursor then goes where the caller moves it. Not a click on the text: a peer's cursor label
   * drawn there (a decoration) can take the click and leave the keyboard focus elsewhere.
   */
  async focusEditor(): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('Control+1');
      if (await this.editorHasFocus()) return;
      const box = await this.lines.boundingBox();
      // Far right of the first line: past its end, away from the line starts where labels sit.
      if (box) await this.page.mouse.click(box.x + box.width - 30, box.y + 8);
      if (await this.editorHasFocus()) return;
    }
    throw new Error(`${this.name}: could not focus the editor`);
  }

  /** The keyboard focus is in the active editor group's text editor. */
  async editorHasFocus(): Promise<boolean> {
    return this.page.evaluate(() => {
      const el = document.activeElement;
      return !!el && !!el.closest('.editor-group-container.active .monaco-editor');
    });
  }

  /** Puts the cursor at the end of `line` (1-based). Lines are short and unwrapped, so End is the line's end. */
  async cursorToLineEnd(line: number): Promise<void> {
    // Checked against the status bar, once more if a key went elsewhere (focus taken by a
    // notification or the tree while the keys were pressed).
    for (let attempt = 1; ; attempt++) {
      await this.focusEditor();
      await this.page.keyboard.press('Control+Home');
      for (let i = 1; i < line; i++) await this.page.keyboard.press('ArrowDown');
      await this.page.keyboard.press('End');
      try {
        await until(`${this.name}'s cursor on line ${line}`, () => this.cursor(), (c) => c.line === line, 3_000, 100);
        return;
      } catch (err) {
        if (attempt === 2) throw err;
      }
    }
  }

  /** Puts the cursor at `line`:`column` (1-based, as the status bar counts). */
  async cursorTo(line: number, column: number): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+Home');
    for (let i = 1; i < line; i++) await this.page.keyboard.press('ArrowDown');
    await this.page.keyboard.press('Home');
    await this.page.keyboard.press('Home'); // twice: the first Home may stop at the indentation
    for (let i = 1; i < column; i++) await this.page.keyboard.press('ArrowRight');
  }

  /** Types `text` key by key where the cursor is (a person typing: `delay` ms between keys). */
  async type(text: string, delay = 15): Promise<void> {
    await this.page.keyboard.type(text, { delay });
  }

  /** Types at the end of `line`. */
  async typeAtLineEnd(line: number, text: string, delay = 15): Promise<void> {
    await this.cursorToLineEnd(line);
    await this.type(text, delay);
  }

  /** Replaces the whole text of `line` with `text` in one edit (select the line's text, insert). */
  async replaceLine(line: number, text: string): Promise<void> {
    await this.cursorToLineEnd(line);
    await this.page.keyboard.press('Shift+Home');
    await this.page.keyboard.press('Shift+Home'); // select from the very start
    await this.page.keyboard.insertText(text);
  }

  /** Starts recording when this page receives its next Ctrl+S (see saveKeyAt). */
  async recordSaveKey(): Promise<void> {
    // A string, not a function: tsx would wrap a named inner function in a `__name` helper the page lacks.
    await this.page.evaluate(`(() => {
      window.__saveKeyAt = undefined;
      const listener = (e) => {
        if (e.ctrlKey && e.key.toLowerCase() === 's') {
          window.__saveKeyAt = Date.now();
          window.removeEventListener('keydown', listener, true);
        }
      };
      window.addEventListener('keydown', listener, true);
    })()`);
  }

  /** The wall-clock time (ms) at which the page received the Ctrl+S recordSaveKey waited for. */
  async saveKeyAt(): Promise<number> {
    const at = await this.page.evaluate(() => (window as unknown as { __saveKeyAt?: number }).__saveKeyAt);
    if (at === undefined) throw new Error(`${this.name}'s page did not receive the Ctrl+S`);
    return at;
  }

  /** Ctrl+S, without waiting. */
  async pressSave(): Promise<void> {
    await this.page.keyboard.press('Control+S');
  }

  /** Ctrl+S and wait until the active tab is no longer dirty. */
  async save(): Promise<void> {
    await this.pressSave();
    await this.waitSaved();
  }

  async waitSaved(timeoutMs = SYNC_TIMEOUT): Promise<void> {
    try {
      await this.page.locator('.tab.active.dirty').waitFor({ state: 'detached', timeout: timeoutMs });
    } catch (err) {
      // A failed save says why in a notification ("The content of the file is newer…").
      throw new Error(`${this.name}'s save did not complete within ${timeoutMs} ms; notifications: ${JSON.stringify(await this.notifications())}`, { cause: err });
    }
  }

  /** The texts of the notification toasts on screen. */
  async notifications(): Promise<string[]> {
    return this.page
      .locator('.notifications-toasts .notification-list-item-message')
      .allInnerTexts()
      .catch(() => []);
  }

  async isDirty(): Promise<boolean> {
    return (await this.page.locator('.tab.active.dirty').count()) > 0;
  }

  /** The cursor position the status bar shows ("Ln 3, Col 7"). */
  async cursor(): Promise<{ line: number; column: number }> {
    const text = await this.page.locator('.statusbar-item[id="status.editor.selection"]').innerText();
    const m = /Ln (\d+), Col (\d+)/.exec(text);
    if (!m) throw new Error(`no cursor position in the status bar item "${text}"`);
    return { line: Number(m[1]), column: Number(m[2]) };
  }

  /** The Notes view's row for an entry (label matched by `title`; not the Peers rows that name it). */
  noteRow(title: string | RegExp): Locator {
    return notesPane(this.page).locator('.monaco-list-row', { hasText: title }).first();
  }

  /** The Peers view's row for a person. */
  peerRow(name: string): Locator {
    return peersPane(this.page).locator('.monaco-list-row', { hasText: name }).first();
  }

  /** Opens the entry from the Notes tree and waits until its document shows its `# title` line. */
  async openFromTree(title: string): Promise<void> {
    const row = this.noteRow(title);
    await row.waitFor({ timeout: SYNC_TIMEOUT });
    for (let attempt = 1; ; attempt++) {
      if (attempt === 1) await row.click();
      else await row.press('Enter'); // the row is selected and focused by now: Enter opens it
      try {
        await this.waitText(`"# ${title}"`, (t) => t.split('\n')[0] === `# ${title}`, attempt < 3 ? 5_000 : SYNC_TIMEOUT);
        return;
      } catch (err) {
        // Seen after "Close All Editors": the click selects the row (already selected before) and opens nothing.
        if (attempt >= 3) throw err;
        if (process.env.COEDIT_DEBUG) console.log(`${this.name}: the Notes row "${title}" opened nothing within 5 s; pressing Enter on it (attempt ${attempt + 1})`);
      }
    }
  }

  /** Closes every editor tab (they must be saved) so a later open reads the store. */
  async closeAllEditors(): Promise<void> {
    await runCommand(this.page, 'View: Close All Editors');
    await this.page.locator('.tab').first().waitFor({ state: 'detached', timeout: 15_000 });
  }

  /**
   * What this person's store holds for the entry: close every tab, open the entry from the Notes
   * tree (the file system provider formats it from the store), read it. The entry stays open.
   */
  async storedText(title: string): Promise<string> {
    if ((await this.page.locator('.tab').count()) > 0) await this.closeAllEditors();
    await this.openFromTree(title);
    return this.text();
  }
}

/** Drops trailing blank lines and trailing spaces: the store's document ends with a newline. */
export function normalize(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\s+$/, '');
}

/** A note's document as the product formats it: `# Title⏎⏎body`. */
export function noteDocument(title: string, body: string): string {
  return normalize(`# ${title}\n\n${body}`);
}

/** How many times `part` occurs in `text`. */
export function occurrences(text: string, part: string): number {
  let n = 0;
  for (let i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length)) n++;
  return n;
}
