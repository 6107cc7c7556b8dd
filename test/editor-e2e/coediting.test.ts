/**
 * Co-editing in three real editors (code-server 4.100.3 = VS Code 1.100.3) with the packaged VSIX,
 * driven from one Chromium (three contexts) like people would: Ann (A) creates a space, Bob (B) and
 * Cat (C) join with its invite; loopback only, mDNS off. Each scenario works on its own published
 * note and ends with the same check: every editor's open document and every editor's stored entry
 * (the tab closed and the entry reopened from the Notes tree, which reads the store afresh) are
 * identical and hold every person's text.
 *   smoke  a note written in A reaches B and C; B's and C's saved edits reach everyone
 *   a      B and C type into different lines at once, then both save within 100 ms
 *   b      B and C type at the same spot at once: both insertions survive, same order everywhere
 *   c      C has unsaved input when B's live edit arrives: C's input and cursor stay
 *   d      C's extension host is frozen (its node unreachable) while B edits and saves and C types
 *          and saves a document that is out of date; after the thaw both texts merge
 *   e      B and C change the title at once: a conflict, resolved with "Shared Notes: Resolve Conflict"
 *   f      B deletes the note while C types into it: "Recently deleted", then "Shared Notes: Restore"
 *   g      presence: B sees that C has the note open, and C's cursor moves in B's editor
 * Without mDNS members only meet through the invite's addresses, so C also bootstraps to B's fixed
 * listen address (a full mesh, as mDNS gives on a LAN). "Cut off" in d is a frozen extension host
 * (SIGSTOP, as a sleeping device): unprivileged, and C's window keeps taking keys meanwhile.
 * The text of an editor is read from its rendered lines (coedit-helpers.ts): notes stay short.
 *   npm run test:coedit   (packages the VSIX first; installs code-server into a cache on first run)
 *   COEDIT_ONLY=smoke,a   only those scenarios (after the setup);  COEDIT_DEBUG=1  where the time goes
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { extensionHostPids, extensionLogs, freePort, freeze, installCodeServer, ROOT, startEditor, stopEditor, type EditorInstance } from './code-server.js';
import { COEDIT_SETTINGS, LIVE_TIMEOUT, noteDocument, occurrences, Person, SYNC_TIMEOUT, until } from './coedit-helpers.js';
import { answerInput, CHROMIUM_ARGS, confirmDialog, notesPane, openSharedNotes, readInput, runCommand, statusItem, waitForWorkbench } from './workbench.js';

const VSIX = join(ROOT, 'shared-notes.vsix');
const RESULTS = join(ROOT, 'test-results');
const RUN = Date.now().toString(36).slice(-5);
const SPACE = 'Coedit Kitchen';
const PEOPLE = [
  ['a', 'Ann'],
  ['b', 'Bob'],
  ['c', 'Cat'],
] as const;
/** The body every scenario's note starts with: lines 3–6 of the document. */
const BODY = ['line one', 'line two', 'line three', 'line four'];
/** COEDIT_ONLY=smoke,a,d runs only those scenarios (the setup always runs). */
const ONLY = process.env.COEDIT_ONLY?.split(',').map((s) => s.trim());
/** Scenarios still failing intermittently in CI, with what is known (run, reported, not counted). */
const KNOWN_FAILING: Record<string, string> = {};
const scenario = (id: string, name: string, fn: () => Promise<void>) =>
  it(`${id}: ${name}`, { skip: ONLY !== undefined && !ONLY.includes(id) ? `not in COEDIT_ONLY` : false, todo: KNOWN_FAILING[id] }, fn);

describe('Co-editing in three real editors', { timeout: 900_000 }, () => {
  let base: string;
  let browser: Browser | undefined;
  const editors: EditorInstance[] = [];
  let A: Person;
  let B: Person;
  let C: Person;
  let everyone: Person[] = [];
  let failed = false;
  const timings: string[] = [];
  const thawLater: number[] = [];
  const t0 = Date.now();
  /** COEDIT_DEBUG=1 prints where the time goes. */
  const mark = (what: string) => {
    if (process.env.COEDIT_DEBUG) console.log(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${what}`);
  };

  /** Runs a scenario step, times it, and on failure keeps a screenshot of every editor. */
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await fn();
    } catch (err) {
      failed = true;
      const slug = name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
      for (const p of everyone) await p.page.screenshot({ path: join(RESULTS, `coedit-${slug}-${p.name}.png`) }).catch(() => undefined);
      throw err;
    } finally {
      timings.push(`${name}: ${Date.now() - started} ms`);
    }
  };

  before(async () => {
    assert.ok(existsSync(VSIX), `${VSIX} is missing: run npm run package (npm run test:coedit does)`);
    const launcher = await step('install code-server (cached)', async () => installCodeServer());
    base = mkdtempSync(join(tmpdir(), 'shared-notes-coedit-'));
    mkdirSync(RESULTS, { recursive: true });
    // Without mDNS, members only meet through the invite's addresses (A's): B and C would each
    // reach only A. Fixed listen ports and C bootstrapping to B's give a full mesh, as mDNS would on a LAN.
    const ports = await Promise.all(PEOPLE.map(() => freePort()));
    const listen = (i: number) => `/ip4/127.0.0.1/tcp/${ports[i]!}/ws`;
    await step('start three code-servers', async () => {
      editors.push(
        ...(await Promise.all(
          PEOPLE.map(([id, name], i) =>
            startEditor(launcher, id, base, VSIX, undefined, {
              ...COEDIT_SETTINGS,
              'sharedNotes.displayName': name,
              'sharedNotes.listenAddresses': [listen(i)],
              ...(id === 'c' ? { 'sharedNotes.bootstrapPeers': [listen(1)] } : {}),
            }),
          ),
        )),
      );
    });
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const open = async (editor: EditorInstance): Promise<Page> => {
      const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      // The machine may be busy (three code-servers on two cores): generous, not flaky.
      await page.goto(editor.url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
      await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
      await waitForWorkbench(page);
      return page;
    };
    const pages = await step('load three workbenches', () => Promise.all(editors.map(open)));
    [A, B, C] = PEOPLE.map(([, name], i) => new Person(name, pages[i]!, editors[i]!)) as [Person, Person, Person];
    everyone = [A, B, C];
  });

  after(async () => {
    if (thawLater.length > 0) freeze(thawLater, false);
    if (failed) {
      for (const editor of editors) console.log(`\n===== extension log of editor ${editor.name} =====\n${extensionLogs(editor)}\n(code-server log: ${join(editor.dir, 'code-server.log')})`);
    }
    await browser?.close();
    await Promise.all(editors.map(stopEditor));
    if (!failed) rmSync(base, { recursive: true, force: true });
    else console.log(`kept ${base} for inspection`);
    console.log(`timings:\n  ${timings.join('\n  ')}`);
  });

  /** Every status bar says "In sync · 2 peers". */
  const allInSync = async () => {
    await Promise.all(everyone.map((p) => statusItem(p.page, 'In sync · 2 peers').waitFor({ timeout: SYNC_TIMEOUT })));
  };

  /**
   * Back to a known state before a scenario: no dialog or quick input, every tab closed (a dirty
   * one left by a failed scenario is reverted first), the Shared Notes views shown.
   */
  const reset = async (p: Person) => {
    const page = p.page;
    for (let i = 0; i < 3; i++) await page.keyboard.press('Escape');
    if ((await p.notifications()).length > 0) await runCommand(page, 'Notifications: Clear All Notifications');
    const dialog = page.locator('.monaco-dialog-box');
    if (await dialog.isVisible()) await dialog.getByRole('button', { name: /Cancel|Don't Save/ }).first().click().catch(() => undefined);
    for (let i = 0; i < 5 && (await page.locator('.tab.dirty').count()) > 0; i++) {
      await page.locator('.tab.dirty').first().click();
      await runCommand(page, 'File: Revert File');
      await page.waitForTimeout(300);
    }
    if ((await page.locator('.tab').count()) > 0) await p.closeAllEditors();
    await openSharedNotes(page);
  };

  /**
   * A creates and publishes a note with BODY, and every person opens it from the Notes tree.
   * Returns the note's title.
   */
  const publishedNoteOpenEverywhere = async (label: string): Promise<string> => {
    const title = `${label} ${RUN}`;
    await Promise.all(everyone.map(reset));
    mark(`${label}: reset done`);
    await runCommand(A.page, 'Shared Notes: Create Note');
    await answerInput(A.page, title, 'Create Note');
    await A.waitText(`the new note "${title}"`, (t) => t.startsWith(`# ${title}`), SYNC_TIMEOUT);
    mark(`${label}: created`);
    await A.cursorToLineEnd(3);
    await A.page.keyboard.insertText(BODY.join('\n'));
    await A.save();
    mark(`${label}: saved`);
    await runCommand(A.page, 'Shared Notes: Publish');
    mark(`${label}: published`);
    const expected = noteDocument(title, BODY.join('\n'));
    await Promise.all(
      everyone.map(async (p) => {
        await p.openFromTree(title);
        await p.waitText('the published note', (t) => t === expected, SYNC_TIMEOUT);
        mark(`${label}: open in ${p.name}`);
      }),
    );
    return title;
  };

  /**
   * The closing check of every scenario: the open documents of all three become identical and hold
   * every part exactly once; then each person's stored entry (reopened from the tree) is that same
   * text. `exact`, when given, is the whole document expected.
   */
  const converged = async (title: string, parts: readonly string[], exact?: string): Promise<string> => {
    const holds = (t: string) => parts.every((part) => occurrences(t, part) === 1) && (exact === undefined || t === exact);
    let texts: string[];
    try {
      texts = await until(
        'every open document to be identical and hold every part once',
        () => Promise.all(everyone.map((p) => p.text())),
        (ts) => ts.every((t) => t === ts[0]) && holds(ts[0]!),
        SYNC_TIMEOUT,
      );
    } catch (err) {
      const shown = await Promise.all(
        everyone.map(async (p) => `${p.name}: ${JSON.stringify(await p.text().catch((e) => String(e)))}; notifications: ${JSON.stringify(await p.notifications())}`),
      );
      throw new Error(`${(err as Error).message.split('; last seen')[0]}\nparts: ${JSON.stringify(parts)}\nexpected: ${JSON.stringify(exact)}\n${shown.join('\n')}`, { cause: err });
    }
    const open = texts[0]!;
    mark(`converged (open documents) on ${title}`);
    // Saved everywhere before the tabs close (a scenario may leave unsaved live input behind).
    for (const p of everyone) if (await p.isDirty()) await p.save();
    // Close everywhere first and let the trees settle (closing changes who has it open, and a
    // Notes tree refreshing under the pointer can swallow a click), then reopen from the trees.
    await Promise.all(everyone.map((p) => p.closeAllEditors()));
    await until('the Notes rows to stop saying who has the entry open', () => Promise.all(everyone.map((p) => p.noteRow(title).innerText())), (rows) => rows.every((r) => !r.includes('open:')), 5_000).catch(() => undefined);
    const stored = await Promise.all(everyone.map(async (p) => [p.name, await p.storedText(title)] as const));
    mark(`stored entries read for ${title}`);
    for (const [name, text] of stored) {
      assert.equal(text, open, `${name}'s stored entry (reopened from the Notes tree) differs from the open documents`);
    }
    return open;
  };

  it('setup: A creates the space, B and C join with its invite, everyone names everyone', async () => {
    const invite = await step('A: create space, show invite', async () => {
      await openSharedNotes(A.page);
      await A.page.getByRole('button', { name: 'Create Space' }).waitFor({ timeout: 60_000 });
      await runCommand(A.page, 'Shared Notes: Create Space');
      await answerInput(A.page, SPACE, 'Create Space');
      await statusItem(A.page, 'Offline').waitFor({ timeout: SYNC_TIMEOUT });
      await runCommand(A.page, 'Shared Notes: Copy Invite');
      return readInput(A.page, `Invite to "${SPACE}"`);
    });
    assert.match(invite, /^sn1-[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    await step('B and C join; everyone in sync with two peers', async () => {
      await Promise.all([B, C].map((p) => openSharedNotes(p.page)));
      // B first: C's node dials B's address (its bootstrap peer) once, when it starts.
      for (const p of [B, C]) {
        await p.page.getByRole('button', { name: 'Join with Invite' }).waitFor({ timeout: 60_000 });
        await runCommand(p.page, 'Shared Notes: Join Space');
        await answerInput(p.page, invite, 'Join Space');
        await statusItem(p.page, 'In sync').waitFor({ timeout: SYNC_TIMEOUT });
      }
      await allInSync();
      for (const p of everyone) {
        for (const other of everyone) if (other !== p) await p.peerRow(other.name).waitFor({ timeout: SYNC_TIMEOUT });
      }
    });
  });

  scenario('smoke', 'a note written in A reaches B and C; saved edits of B and C reach everyone', async () => {
    const title = await step('smoke: A publishes a note, everyone opens it', () => publishedNoteOpenEverywhere('Smoke'));
    await step('smoke: B saves an edit, then C', async () => {
      await B.typeAtLineEnd(3, ' and Bob');
      await B.save();
      await C.waitText('B\'s saved edit', (t) => t.includes('line one and Bob'), SYNC_TIMEOUT);
      await C.typeAtLineEnd(6, ' and Cat');
      await C.save();
      await converged(title, [' and Bob', ' and Cat'], noteDocument(title, 'line one and Bob\nline two\nline three\nline four and Cat'));
    });
  });

  scenario('a', 'B and C type into different lines at once and save within 100 ms', async () => {
    const title = await step('a: a published note open everywhere', () => publishedNoteOpenEverywhere('Lines'));
    await step('a: concurrent typing on lines 4 and 6, saves together', async () => {
      await Promise.all([B.typeAtLineEnd(4, ' Bob was here', 25), C.typeAtLineEnd(6, ' Cat was here', 25)]);
      await Promise.all([B.recordSaveKey(), C.recordSaveKey()]);
      await Promise.all([B.pressSave(), C.pressSave()]);
      await Promise.all([B.waitSaved(), C.waitSaved()]);
      // When each page received its Ctrl+S (same machine, same clock): the saves really raced.
      const [atB, atC] = await Promise.all([B.saveKeyAt(), C.saveKeyAt()]);
      console.log(`a: the two Ctrl+S arrived ${Math.abs(atB - atC)} ms apart`);
      assert.ok(Math.abs(atB - atC) <= 100, `both saves were pressed within 100 ms of each other (${Math.abs(atB - atC)} ms apart)`);
      await converged(title, [' Bob was here', ' Cat was here'], noteDocument(title, 'line one\nline two Bob was here\nline three\nline four Cat was here'));
    });
  });

  scenario('b', 'B and C type at the same spot at once: both insertions survive, in the same order everywhere', async () => {
    const title = await step('b: a published note open everywhere', () => publishedNoteOpenEverywhere('Same spot'));
    const bob = ' BOBBY';
    const cat = ' CATTY';
    await step('b: concurrent typing at the end of line 3, then saves', async () => {
      await Promise.all([B.cursorToLineEnd(3), C.cursorToLineEnd(3)]);
      await Promise.all([B.type(bob, 10), C.type(cat, 10)]);
      // Each person's own text stays under their cursor while the other's arrives.
      await until('B and C to show both insertions', () => Promise.all([B.text(), C.text()]), (ts) => ts.every((t) => t === ts[0]) && isMergeOf(lineOf(ts[0]!, 3), 'line one', bob, cat), LIVE_TIMEOUT);
      await Promise.all([B.pressSave(), C.pressSave()]);
      await Promise.all([B.waitSaved(), C.waitSaved()]);
      const text = await converged(title, ['line one', 'line two\nline three\nline four']);
      const line = lineOf(text, 3);
      assert.ok(isMergeOf(line, 'line one', bob, cat), `line 3 is "line one" followed by both insertions, each in its own order: ${JSON.stringify(line)}`);
      const contiguous = line === `line one${bob}${cat}` || line === `line one${cat}${bob}`;
      console.log(`b: merged line 3 = ${JSON.stringify(line)} (${contiguous ? 'each insertion contiguous' : 'interleaved'})`);
      // The issue asks that both insertions survive, in one order everywhere (checked above and by
      // converged()). Whether each stays in one piece is reported, not asserted: with identical
      // characters (spaces) in both insertions the split point is ambiguous (see the session note).
    });
  });

  scenario('c', 'C has unsaved input when B\'s live edit arrives: C\'s input, and its cursor, stay', async () => {
    const title = await step('c: a published note open everywhere', () => publishedNoteOpenEverywhere('Unsaved'));
    await step('c: C types without saving, B types live, C types one more key', async () => {
      await C.typeAtLineEnd(6, ' cat draft');
      assert.ok(await C.isDirty(), 'C has unsaved input');
      const cursor = await C.cursor();
      assert.deepEqual(cursor, { line: 6, column: 'line four cat draft'.length + 1 });
      await B.typeAtLineEnd(3, ' bob live');
      const typed = Date.now();
      // B's edit reaches C's open, modified document without a save, and C's input stays.
      await C.waitText('B\'s live edit next to its own unsaved input', (t) => t === noteDocument(title, 'line one bob live\nline two\nline three\nline four cat draft'));
      console.log(`c: B's live edit showed in C's editor ${Date.now() - typed} ms after B's last key (polled every 200 ms)`);
      assert.deepEqual(await C.cursor(), cursor, 'C\'s cursor stays where it was');
      await C.type('Z', 0); // lands right after C's own input if the cursor stayed
      await C.waitText('one more key where the cursor was', (t) => lineOf(t, 6) === 'line four cat draftZ', 5_000);
      await Promise.all([B.save(), C.save()]);
      await converged(title, [' bob live', ' cat draftZ'], noteDocument(title, 'line one bob live\nline two\nline three\nline four cat draftZ'));
    });
  });

  scenario('d', 'C saves a document that is out of date (its node frozen while B edits): both texts merge', async () => {
    const title = await step('d: a published note open everywhere', () => publishedNoteOpenEverywhere('Frozen'));
    await step('d: freeze C, both edit and save, thaw C', async () => {
      await allInSync();
      const pids = extensionHostPids(C.editor);
      assert.ok(pids.length > 0, 'found the extension host of C');
      // C's extension host (and its libp2p node) stops like a sleeping device; C's window still takes keys.
      freeze(pids, true);
      thawLater.push(...pids);
      try {
        await C.typeAtLineEnd(5, ' cat offline');
        await B.typeAtLineEnd(4, ' bob online');
        await B.save();
        await A.waitText('B\'s saved edit', (t) => t.includes('line two bob online'), SYNC_TIMEOUT);
        await C.pressSave(); // out of date: it lacks B's edit; the save waits for the extension host
        await C.page.waitForTimeout(2_000);
      } finally {
        freeze(pids, false);
        thawLater.length = 0;
      }
      await C.waitSaved();
      await converged(title, [' bob online', ' cat offline'], noteDocument(title, 'line one\nline two bob online\nline three cat offline\nline four'));
      await allInSync();
    });
  });

  scenario('e', 'B and C change the title at once: a conflict in the tree, resolved from the palette', async () => {
    await step('e: a published note open everywhere', () => publishedNoteOpenEverywhere('Title race'));
    const bobTitle = `Bob title ${RUN}`;
    const catTitle = `Cat title ${RUN}`;
    const either = new RegExp(`${bobTitle}|${catTitle}`);
    await step('e: concurrent title edits become a conflict in every tree', async () => {
      await Promise.all([B.cursorToLineEnd(1), C.cursorToLineEnd(1)]);
      // "At the same time" made certain: typing goes out within ~50 ms, so two people racing in
      // real time often are not concurrent at all. With both extension hosts frozen while they
      // type and save, neither edit can have seen the other's.
      const pids = [...extensionHostPids(B.editor), ...extensionHostPids(C.editor)];
      assert.equal(pids.length, 2, 'found the extension hosts of B and C');
      freeze(pids, true);
      thawLater.push(...pids);
      try {
        await Promise.all([B.replaceLine(1, `# ${bobTitle}`), C.replaceLine(1, `# ${catTitle}`)]);
        await Promise.all([B.pressSave(), C.pressSave()]);
        await B.page.waitForTimeout(300);
      } finally {
        freeze(pids, false);
        thawLater.length = 0;
      }
      await Promise.all([B.waitSaved(), C.waitSaved()]);
      for (const p of everyone) {
        await until(`${p.name}'s Notes row of the entry to show a conflict`, () => p.noteRow(either).innerText(), (t) => /conflict/i.test(t), SYNC_TIMEOUT);
      }
    });
    await step('e: A resolves it with Resolve Conflict, picking Bob\'s title', async () => {
      await runCommand(A.page, 'Shared Notes: Resolve Conflict');
      const bobRow = quickRow(A.page, bobTitle, 'by Bob');
      // Run from the palette it may first ask which entry (when the active document does not decide).
      const first = await Promise.race([
        bobRow.waitFor({ timeout: 15_000 }).then(() => 'values' as const),
        quickRow(A.page, 'conflict').waitFor({ timeout: 15_000 }).then(() => 'entries' as const),
        quickRow(A.page, catTitle).waitFor({ timeout: 15_000 }).then(() => 'entries' as const),
      ]);
      if (first === 'entries' && !(await bobRow.isVisible())) {
        await quickRow(A.page).filter({ hasText: either }).first().click();
        await bobRow.waitFor({ timeout: 15_000 });
      }
      await quickRow(A.page, catTitle, 'by Cat').waitFor({ timeout: 5_000 });
      await quickRow(A.page, 'Write a new value').waitFor({ timeout: 5_000 });
      await bobRow.click();
      for (const p of everyone) {
        await until(`${p.name}'s Notes row to show "${bobTitle}" without a conflict`, () => p.noteRow(bobTitle).innerText(), (t) => !/conflict/i.test(t), SYNC_TIMEOUT);
        await p.waitText(`the resolved title "${bobTitle}"`, (t) => lineOf(t, 1) === `# ${bobTitle}`, SYNC_TIMEOUT);
      }
      await converged(bobTitle, [`# ${bobTitle}`], noteDocument(bobTitle, BODY.join('\n')));
      for (const p of everyone) assert.doesNotMatch(await p.noteRow(bobTitle).innerText(), /conflict/i);
    });
  });

  scenario('f', 'B deletes the note while C types into it; Restore brings it back with C\'s text', async () => {
    const title = await step('f: a published note open everywhere', () => publishedNoteOpenEverywhere('Deleted'));
    const catText = ' cat keeps typing while bob deletes';
    await step('f: B deletes while C types; every tree lists it under "Recently deleted"', async () => {
      const typing = C.typeAtLineEnd(4, catText, 40); // ~1.5 s of typing
      await C.page.waitForTimeout(400);
      await runCommand(B.page, 'Shared Notes: Delete'); // acts on B's active document, the note
      await confirmDialog(B.page, 'Delete');
      await typing;
      for (const p of everyone) {
        await until(
          `${p.name}'s Notes tree to list "${title}" under "Recently deleted"`,
          () => treeRows(p.page),
          (rows) => groupOf(rows, title) === 'Recently deleted',
          SYNC_TIMEOUT,
        );
      }
    });
    await step('f: A restores it; every editor has it back, with C\'s text', async () => {
      await runCommand(A.page, 'Shared Notes: Restore');
      await quickRow(A.page, title).click();
      for (const p of everyone) {
        await until(`${p.name}'s Notes tree to list "${title}" under "Published" again`, () => treeRows(p.page), (rows) => groupOf(rows, title) === 'Published', SYNC_TIMEOUT);
      }
      await converged(title, [catText], noteDocument(title, `line one\nline two${catText}\nline three\nline four`));
    });
  });

  scenario('g', 'presence: B sees that C has the note open, and C\'s cursor moves in B\'s editor', async () => {
    const title = await step('g: a published note open everywhere', () => publishedNoteOpenEverywhere('Presence'));
    await step('g: the Notes row and the Peers row in B say C has it open', async () => {
      await until('B\'s Notes row to say Cat has it open', () => B.noteRow(title).innerText(), (t) => /open: .*Cat/.test(t), SYNC_TIMEOUT);
      await until(`B's Peers row of Cat to say it has "${title}" open`, () => B.peerRow('Cat').innerText(), (t) => t.includes(`has "${title}" open`), SYNC_TIMEOUT);
    });
    await step('g: C\'s cursor, labelled "Cat", follows C in B\'s editor', async () => {
      await C.cursorTo(3, 1);
      const first = await until('C\'s cursor in B\'s editor', () => remoteCursor(B.page, 'Cat'), (box) => box !== undefined, LIVE_TIMEOUT);
      await C.cursorToLineEnd(6);
      assert.equal((await C.cursor()).line, 6, 'C\'s cursor is on line 6');
      // Lower by at least a line (not any change: the cursor passes line 1 on its way down).
      const moved = await until('C\'s cursor to move down in B\'s editor', () => remoteCursor(B.page, 'Cat'), (box) => box !== undefined && box.y > first!.y + 10, LIVE_TIMEOUT);
      assert.ok(moved!.y > first!.y, `C's cursor went down from line 3 to line 6 in B's editor (${JSON.stringify(first)} → ${JSON.stringify(moved)})`);
      // and nothing of the presence leaked into the text
      assert.equal(await B.text(), noteDocument(title, BODY.join('\n')));
    });
  });
});

/** Line `n` (1-based) of a text. */
function lineOf(text: string, n: number): string {
  return text.split('\n')[n - 1] ?? '';
}

/** `line` is `prefix` followed by an interleaving of `x` and `y` (each keeps its own character order). */
function isMergeOf(line: string, prefix: string, x: string, y: string): boolean {
  if (!line.startsWith(prefix)) return false;
  const s = line.slice(prefix.length);
  if (s.length !== x.length + y.length) return false;
  // can[i][j]: s[0, i+j) interleaves x[0, i) and y[0, j)
  const can: boolean[][] = Array.from({ length: x.length + 1 }, () => new Array<boolean>(y.length + 1).fill(false));
  can[0]![0] = true;
  for (let i = 0; i <= x.length; i++) {
    for (let j = 0; j <= y.length; j++) {
      if (i > 0 && can[i - 1]![j] && x[i - 1] === s[i + j - 1]) can[i]![j] = true;
      if (j > 0 && can[i]![j - 1] && y[j - 1] === s[i + j - 1]) can[i]![j] = true;
    }
  }
  return can[x.length]![y.length]!;
}

/** A row of the open quick pick (or any row, without texts) that contains every one of `texts`. */
function quickRow(page: Page, ...texts: string[]) {
  let row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  for (const t of texts) row = row.filter({ hasText: t });
  return row.first();
}

interface TreeRow {
  readonly level: number;
  readonly text: string;
}

/** The Notes tree's visible rows in order, with their depth (aria-level). */
async function treeRows(page: Page): Promise<TreeRow[]> {
  return notesPane(page)
    .locator('.monaco-list-rows')
    .first()
    .evaluate((el) =>
      Array.from(el.querySelectorAll<HTMLElement>('.monaco-list-row'))
        .map((row) => ({ top: parseFloat(row.style.top || '0'), level: Number(row.getAttribute('aria-level') ?? '1'), text: (row.textContent ?? '').replace(/\s+/g, ' ').trim() }))
        .sort((x, y) => x.top - y.top)
        .map(({ level, text }) => ({ level, text })),
    );
}

/** The label of the group row an entry row sits under, or undefined when the entry is not listed. */
function groupOf(rows: readonly TreeRow[], title: string): string | undefined {
  const at = rows.findIndex((r) => r.level > 1 && r.text.includes(title));
  if (at < 0) return undefined;
  for (let i = at - 1; i >= 0; i--) {
    if (rows[i]!.level < rows[at]!.level) return rows[i]!.text.replace(/\s*\d+$/, '').trim();
  }
  return undefined;
}

/**
 * Where a peer's cursor is drawn in the active editor: remote cursors are decorations whose
 * `after.contentText` is the peer's name, rendered as an element whose CSS `::after` content holds it.
 */
async function remoteCursor(page: Page, name: string): Promise<{ x: number; y: number } | undefined> {
  return page
    .locator('.editor-group-container.active .monaco-editor')
    .first()
    .evaluate((editor, who) => {
      for (const el of Array.from(editor.querySelectorAll<HTMLElement>('.view-lines span, .view-overlays div, .contentWidgets *'))) {
        const content = getComputedStyle(el, '::after').content;
        if (content && content !== 'none' && content.includes(who)) {
          const box = el.getBoundingClientRect();
          return { x: box.x, y: box.y };
        }
      }
      return undefined;
    }, name);
}
