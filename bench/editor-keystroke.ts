/**
 * Live co-editing through real editors (`npm run bench -- --editor-keystroke`): three code-servers
 * (4.100.3) with the packaged VSIX, driven from one Chromium (playwright-core) with the helpers of
 * the editor end-to-end test (test/editor-e2e). A creates a space, B and C join (C also bootstraps
 * to B: a full mesh, as mDNS gives on a LAN), A publishes a note, B and C open it.
 *
 * 1. Keystroke latency, through two editors: after QUIET_BEFORE_KEYS_MS, B types one character at
 *    the end of line 3, one every KEY_GAP_MS; how busy B's and C's main threads were meanwhile
 *    comes from Chromium's Performance metrics. A opens the note after this phase. Each
 *    time is taken inside the browser pages with Date.now() (one Chromium, one clock): in B, a
 *    capturing `keydown` listener; in C (and in B, for the local echo), a MutationObserver on the
 *    editor's rendered lines that notes when the rendered text length changes. Latency of key i =
 *    first time C's rendered text is long enough to hold key i − B's keydown of key i. No
 *    Playwright round trip is inside the measured interval.
 * 2. Three writers: A, B and C each type 10 characters per second for `seconds` seconds at the end
 *    of their own line (A line 4, B line 5, C line 6), each from its own alphabet; then wait until
 *    the three open documents stop changing, and count each writer's characters in each text.
 * Never asserts: it reports.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort, installCodeServer, startEditor, stopEditor, type EditorInstance } from '../test/editor-e2e/code-server.js';
import { COEDIT_SETTINGS, noteDocument, Person, SYNC_TIMEOUT, until } from '../test/editor-e2e/coedit-helpers.js';
import { answerInput, CHROMIUM_ARGS, openSharedNotes, readInput, runCommand, statusItem, waitForWorkbench } from '../test/editor-e2e/workbench.js';
import { packageVsix } from './extension-timing.js';
import { quantile } from './table.js';

const KEY_GAP_MS = 100;
/** The windows settle this long after opening the note before B types. */
const QUIET_BEFORE_KEYS_MS = 5_000;
/** The last this many ms of that quiet are measured (how busy the windows are while nobody types). */
const IDLE_MEASURED_MS = 3_000;
const BODY = ['line one', 'line two', 'line three', 'line four'];
/** Each writer's alphabet (upper case: the note's body is lower case). */
const ALPHABETS = { A: 'ABCDEFGH', B: 'JKLMNOPQ', C: 'RSTUVWXY' } as const;

export interface Latency {
  n: number;
  p50: number;
  p99: number;
  max: number;
}
export interface EditorKeystroke {
  keys: number;
  /** B's keydown → the character rendered in C's editor. */
  remote: Latency;
  /** B's keydown → the character rendered in B's own editor (the editor's floor). */
  local: Latency;
  /** Keys whose character never showed in C within the wait. */
  missingInC: number;
  /** How busy the main threads of B's and C's pages were while B typed (Chromium's Performance metrics). */
  busy: { B: PageBusy; C: PageBusy };
  /** The same over the last IDLE_MEASURED_MS before B typed: what the windows cost doing nothing. */
  idle: { B: PageBusy; C: PageBusy };
  /** Per key in typing order, B keydown → shown in C (ms; undefined: never shown). */
  remoteSeries: (number | undefined)[];
  /** C's rendered text length over time: [ms after B's first keydown, characters added]. */
  cTimeline: [number, number][];
  writers: {
    seconds: number;
    typed: Record<'A' | 'B' | 'C', number>;
    /** Per writer, how many of its characters each editor's final text holds (A, B, C). */
    found: Record<'A' | 'B' | 'C', number[]>;
    lost: number;
    identical: boolean;
    settleMs: number;
    finalLengths: number[];
    texts: string[];
  };
}

/** A page's main thread over the typing: ms of tasks, of script, of style and layout, in `ms` of wall time. */
export interface PageBusy {
  ms: number;
  task: number;
  script: number;
  styleLayout: number;
}

const latency = (xs: number[]): Latency => ({ n: xs.length, p50: quantile(xs, 0.5), p99: quantile(xs, 0.99), max: Math.max(...xs) });

/**
 * Installs, in a page, a recorder of when the active editor's rendered text length changes
 * (window.__lens: [time, length] pairs) and of B's keydowns (window.__keys). A string, not a
 * function: tsx would wrap named inner functions in a `__name` helper the page lacks.
 */
const RECORDER = `(() => {
  const el = document.querySelector('.editor-group-container.active .monaco-editor .view-lines');
  if (!el) throw new Error('no editor');
  window.__lens = [];
  window.__keys = [];
  let last = -1;
  const check = () => {
    let n = 0;
    for (const line of el.querySelectorAll(':scope > .view-line')) n += (line.textContent || '').length;
    if (n !== last) { last = n; window.__lens.push([Date.now(), n]); }
  };
  check();
  window.__observer?.disconnect();
  window.__observer = new MutationObserver(check);
  window.__observer.observe(el, { subtree: true, childList: true, characterData: true });
  window.addEventListener('keydown', (e) => { if (e.key.length === 1) window.__keys.push(Date.now()); }, true);
})()`;

type Recorded = { lens: [number, number][]; keys: number[] };
const recorded = (page: Page): Promise<Recorded> => page.evaluate('({ lens: window.__lens, keys: window.__keys })') as Promise<Recorded>;

/** For each key time, the first time the rendered length reached base + i + 1. */
function arrivals(keys: number[], lens: [number, number][]): (number | undefined)[] {
  const base = lens[0]?.[1] ?? 0;
  return keys.map((at, i) => {
    const hit = lens.find(([, n]) => n >= base + i + 1);
    return hit ? hit[0] - at : undefined;
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchEditorKeystroke(keys: number, seconds: number): Promise<EditorKeystroke> {
  const vsix = packageVsix();
  const launcher = installCodeServer();
  const base = mkdtempSync(join(tmpdir(), 'shared-notes-bench-coedit-'));
  const editors: EditorInstance[] = [];
  let browser: Browser | undefined;
  let ok = false;
  try {
    const names = ['a', 'b', 'c'] as const;
    const ports = await Promise.all(names.map(() => freePort()));
    const listen = (i: number) => `/ip4/127.0.0.1/tcp/${ports[i]!}/ws`;
    // One by one (a busy machine) and each kept as soon as it runs, so a failed start still stops the others.
    for (const [i, id] of names.entries()) {
      editors.push(
        await startEditor(launcher, id, base, vsix, undefined, {
          ...COEDIT_SETTINGS,
          'sharedNotes.displayName': `Editor ${id.toUpperCase()}`,
          'sharedNotes.listenAddresses': [listen(i)],
          ...(id === 'c' ? { 'sharedNotes.bootstrapPeers': [listen(1)] } : {}),
        }),
      );
    }
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const pages = await Promise.all(
      editors.map(async (editor) => {
        const page = await (await browser!.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
        await page.goto(editor.url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
        await waitForWorkbench(page);
        return page;
      }),
    );
    const [A, B, C] = pages.map((page, i) => new Person(names[i]!.toUpperCase(), page, editors[i]!)) as [Person, Person, Person];
    const everyone = [A, B, C];

    // The space: A creates it, B then C join with its invite.
    await openSharedNotes(A.page);
    await A.page.getByRole('button', { name: 'Create Space' }).waitFor({ timeout: 60_000 });
    await runCommand(A.page, 'Shared Notes: Create Space');
    await answerInput(A.page, 'Bench Kitchen', 'Create Space');
    await statusItem(A.page, 'Offline').waitFor({ timeout: SYNC_TIMEOUT });
    await runCommand(A.page, 'Shared Notes: Copy Invite');
    const invite = await readInput(A.page, 'Invite to "Bench Kitchen"');
    for (const p of [B, C]) {
      await openSharedNotes(p.page);
      await p.page.getByRole('button', { name: 'Join with Invite' }).waitFor({ timeout: 60_000 });
      await runCommand(p.page, 'Shared Notes: Join Space');
      await answerInput(p.page, invite, 'Join Space');
      await statusItem(p.page, 'In sync').waitFor({ timeout: SYNC_TIMEOUT });
    }
    await Promise.all(everyone.map((p) => statusItem(p.page, 'In sync · 2 peers').waitFor({ timeout: SYNC_TIMEOUT })));

    // The note: A writes and publishes it, everyone opens it.
    const title = `Keys ${Date.now().toString(36).slice(-5)}`;
    await runCommand(A.page, 'Shared Notes: Create Note');
    await answerInput(A.page, title, 'Create Note');
    await A.waitText(`the new note`, (t) => t.startsWith(`# ${title}`), SYNC_TIMEOUT);
    await A.cursorToLineEnd(3);
    await A.page.keyboard.insertText(BODY.join('\n'));
    await A.save();
    await runCommand(A.page, 'Shared Notes: Publish');
    const expected = noteDocument(title, BODY.join('\n'));
    const open = (p: Person) => p.openFromTree(title).then(() => p.waitText('the published note', (t) => t === expected, SYNC_TIMEOUT));
    // Two editors for the keystroke phase, as the goal says: A's window keeps the note closed
    // until the writers' phase (on 2 cores, a third window rendering every key competes for the CPU).
    await Promise.all([B, C].map(open));

    // 1. Keystroke latency, B → C, once the windows are quiet (the opening's sync rounds and redraws done).
    await B.cursorToLineEnd(3);
    const cdp = await Promise.all([B.page, C.page].map(async (page) => {
      const session = await page.context().newCDPSession(page);
      await session.send('Performance.enable');
      return session;
    }));
    const metrics = () => Promise.all(cdp.map(async (session) => {
      const { metrics: list } = await session.send('Performance.getMetrics');
      return Object.fromEntries(list.map((m) => [m.name, m.value]));
    }));
    await sleep(QUIET_BEFORE_KEYS_MS - IDLE_MEASURED_MS);
    const idleFrom = await metrics();
    const idleStart = Date.now();
    await sleep(IDLE_MEASURED_MS);
    const before = await metrics();
    const idleFor = Date.now() - idleStart;
    await Promise.all([B.page.evaluate(RECORDER), C.page.evaluate(RECORDER)]);
    const alphabet = 'abcdefghijklmnopqrstuvwxyz';
    const start = Date.now();
    for (let i = 0; i < keys; i++) {
      await sleep(Math.max(0, start + i * KEY_GAP_MS - Date.now()));
      await B.page.keyboard.type(alphabet[i % alphabet.length]!);
    }
    const typedFor = Date.now() - start;
    const after = await metrics();
    const fromB = await recorded(B.page);
    await until('C to show every key', () => recorded(C.page), (r) => (r.lens.at(-1)?.[1] ?? 0) >= (r.lens[0]?.[1] ?? 0) + keys, 15_000).catch(() => undefined);
    const inC = await recorded(C.page);
    type Metrics = Record<string, number>;
    const busy = (i: number, from: Metrics[], to: Metrics[], ms: number): PageBusy => {
      const d = (name: string) => ((to[i]![name] ?? 0) - (from[i]![name] ?? 0)) * 1000;
      return { ms, task: d('TaskDuration'), script: d('ScriptDuration'), styleLayout: d('RecalcStyleDuration') + d('LayoutDuration') };
    };
    const typedText = Array.from({ length: keys }, (_, i) => alphabet[i % alphabet.length]).join('');
    await A.openFromTree(title);
    await A.waitText('the note with what B typed', (t) => t.includes(typedText), SYNC_TIMEOUT);
    const remoteAll = arrivals(fromB.keys, inC.lens);
    const remote = remoteAll.filter((x): x is number => x !== undefined);
    const local = arrivals(fromB.keys, fromB.lens).filter((x): x is number => x !== undefined);
    if (fromB.keys.length !== keys) console.log(`B's page saw ${fromB.keys.length} keydowns for ${keys} keys typed`);

    // 2. Three writers, 10 characters per second each, each at the end of its own line.
    const writers = [['A', A, 4], ['B', B, 5], ['C', C, 6]] as const;
    await Promise.all(writers.map(([, p, line]) => p.cursorToLineEnd(line)));
    const typed = { A: 0, B: 0, C: 0 };
    const t0 = Date.now() + 200;
    await Promise.all(
      writers.map(async ([id, p]) => {
        const letters = ALPHABETS[id];
        for (let i = 0; i < seconds * 10; i++) {
          await sleep(Math.max(0, t0 + i * 100 - Date.now()));
          await p.page.keyboard.type(letters[i % letters.length]!);
          typed[id]++;
        }
      }),
    );
    const typedAt = Date.now();
    let stableSince = Date.now();
    let previous = '';
    const texts = await until(
      'the three documents to be quiet (unchanged for 3 s)',
      () => Promise.all(everyone.map((p) => p.text())),
      (ts) => {
        const key = JSON.stringify(ts);
        if (key !== previous) {
          previous = key;
          stableSince = Date.now();
          return false;
        }
        return Date.now() - stableSince >= 3_000;
      },
      120_000,
      250,
    ).catch(() => Promise.all(everyone.map((p) => p.text())));
    const settleMs = stableSince - typedAt;
    const count = (text: string, letters: string) => [...text.split('\n').slice(1).join('\n')].filter((ch) => letters.includes(ch)).length;
    const found = {
      A: texts.map((t) => count(t, ALPHABETS.A)),
      B: texts.map((t) => count(t, ALPHABETS.B)),
      C: texts.map((t) => count(t, ALPHABETS.C)),
    };
    const lost = (['A', 'B', 'C'] as const).reduce((sum, id) => sum + typed[id] - Math.min(...found[id]), 0);
    ok = true;
    return {
      keys,
      remote: latency(remote),
      local: latency(local),
      remoteSeries: remoteAll,
      busy: { B: busy(0, before, after, typedFor), C: busy(1, before, after, typedFor) },
      idle: { B: busy(0, idleFrom, before, idleFor), C: busy(1, idleFrom, before, idleFor) },
      cTimeline: inC.lens.map(([at, n]) => [at - (fromB.keys[0] ?? at), n - (inC.lens[0]?.[1] ?? 0)]),
      missingInC: remoteAll.length - remote.length + (keys - fromB.keys.length),
      writers: { seconds, typed, found, lost, identical: texts.every((t) => t === texts[0]), settleMs, finalLengths: texts.map((t) => t.length), texts },
    };
  } finally {
    await browser?.close().catch(() => undefined);
    await Promise.all(editors.map(stopEditor));
    if (ok) rmSync(base, { recursive: true, force: true });
    else console.log(`kept ${base} (code-server logs) for inspection`);
  }
}
