/**
 * `npm run bench`: every figure of ours next to the same work done by automerge-repo and next
 * to the physical floor, all measured in this run, printed as one table (plus detail tables).
 * `--quick` uses smaller sizes and skips the editor; `--coediting` runs only the co-editing and
 * history rows (with the live A → B row as a yardstick of the machine). Never asserts: it reports.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchSharded, extensionRows } from './sharded.js';
import { floorKeystroke, KEYSTROKE_GAP_MS, oursKeystroke, staleBaseEdits, threeWriters } from './coediting.js';
import { editedSpace } from './edited-fixture.js';
import { benchExtension } from './extension-timing.js';
import { spaceWith, withoutLast } from './fixture.js';
import { benchHistory } from './history.js';
import { benchDrafts } from './drafts.js';
import { benchEditorKeystroke } from './editor-keystroke.js';
import { benchLocalOps } from './local-ops.js';
import { benchImport } from './import.js';
import { benchSearch } from './search.js';
import { benchSearchWarm } from './search-warm.js';
import { benchFormation, benchMesh, FORMATION_TIMEOUT_MS, type MeshFormation } from './mesh.js';
import { relayedLive, type RelayPath } from './relay.js';
import { benchReads } from './reads.js';
import { removeTempFolders } from './ours.js';
import { floorStartup, oursStartup, repoStartup, type Startup } from './startup.js';
import * as sync from './sync.js';
import { median, printTable } from './table.js';

type Unit = 'ms' | 'B' | 'MB' | 'n';
interface Row {
  measure: string;
  unit: Unit;
  ours: number;
  repo?: number;
  floor?: number;
  goal?: { text: string; met: boolean };
}

const rows: Row[] = [];
const fmt = (x: number | undefined, unit: Unit): string => {
  if (x === undefined || Number.isNaN(x)) return '—';
  if (unit === 'B') return x.toLocaleString('en');
  if (unit === 'MB') return (x / 1e6).toFixed(1);
  if (unit === 'n') return String(x);
  return x < 10 ? x.toFixed(2) : x.toFixed(0);
};
const ratio = (a: number, b: number | undefined): string => (b === undefined || !b ? '—' : `${(a / b).toFixed(2)}×`);
const k = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));

/** The figures of this run as JSON (bench/results/latest.json): to compare runs. */
function writeLatest(): void {
  const machine = { node: process.version, cores: cpus().length, cpu: cpus()[0]?.model ?? '', memoryGB: Math.round(totalmem() / 2 ** 30), loadavg: loadavg().map((x) => +x.toFixed(1)) };
  const figures = rows.map((r) => ({ measure: r.measure, unit: r.unit, ours: r.ours, automergeRepo: r.repo ?? null, floor: r.floor ?? null, goal: r.goal?.text ?? null, met: r.goal?.met ?? null }));
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', 'latest.json'), `${JSON.stringify({ date: new Date().toISOString(), args: process.argv.slice(2), machine, figures }, null, 2)}\n`);
}

function print(): void {
  writeLatest();
  printTable(
    'Shared Notes vs automerge-repo vs floor (same machine, same run; lower is better)',
    ['measure', 'unit', 'ours', 'automerge-repo', 'floor', 'ours/am-repo', 'ours/floor', 'goal', 'met'],
    rows.map((r) => [
      r.measure,
      r.unit,
      fmt(r.ours, r.unit),
      fmt(r.repo, r.unit),
      fmt(r.floor, r.unit),
      ratio(r.ours, r.repo),
      ratio(r.ours, r.floor),
      r.goal?.text ?? '',
      r.goal ? (r.goal.met ? 'yes' : 'NO') : '',
    ]),
  );
}

async function step<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  process.stdout.write(`… ${what}`);
  const result = await fn();
  process.stdout.write(` (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
  return result;
}

/** `--drafts`: issue 13 part 1, start-up and memory of a realistic space before and after the local log forgets published drafts. */
async function drafts(quick: boolean): Promise<void> {
  const n = quick ? 500 : 2_000;
  const d = await step(`drafts log: a realistic ${k(n)} space, before and after`, () => benchDrafts(n, 3));
  printTable(
    `The drafts (local) log of a realistic ${k(n)}-note space (each drafted with ~500 characters, published, edited twice); median of 3 starts of the CLI peer`,
    ['measure', 'local log as kept before', 'now', 'now/before'],
    [
      ['start-up to ready, ms', d.before.ms.toFixed(0), d.after.ms.toFixed(0), `${(d.after.ms / d.before.ms).toFixed(2)}×`],
      ['RSS at ready, MB', (d.before.rssBytes / 1e6).toFixed(0), (d.after.rssBytes / 1e6).toFixed(0), `${(d.after.rssBytes / d.before.rssBytes).toFixed(2)}×`],
      ['local log on disk, bytes', d.before.localBytes.toLocaleString('en'), d.after.localBytes.toLocaleString('en'), `${(d.after.localBytes / d.before.localBytes).toFixed(3)}×`],
    ],
  );
}

/** `--editor-keystroke`: live co-editing measured end to end through three code-servers (bench/editor-keystroke.ts). */
async function editorKeystroke(quick: boolean): Promise<void> {
  const keys = quick ? 30 : 100;
  const seconds = quick ? 10 : 60;
  const r = await step(`co-editing through three code-servers: ${keys} keys B → C, then 3 writers × 10 keys/s for ${seconds} s`, () => benchEditorKeystroke(keys, seconds));
  const f = (x: number) => fmt(x, 'ms');
  printTable(
    `Keystroke in editor B → rendered in editor C (two code-servers on loopback, ${keys} keys 100 ms apart; times from Date.now() in the pages)`,
    ['measure', 'n', 'p50 ms', 'p99 ms', 'max ms', 'goal', 'met'],
    [
      ['B keydown → shown in C', r.remote.n, f(r.remote.p50), f(r.remote.p99), f(r.remote.max), 'p50 ≤ 50, p99 ≤ 150', r.remote.p50 <= 50 && r.remote.p99 <= 150 ? 'yes' : 'NO'],
      ['B keydown → shown in B (local echo)', r.local.n, f(r.local.p50), f(r.local.p99), f(r.local.max), '', ''],
      ['keys never shown in C', r.missingInC, '', '', '', '0', r.missingInC === 0 ? 'yes' : 'NO'],
    ],
  );
  const pct = (x: number, of: number) => `${Math.round((100 * x) / of)} %`;
  printTable(
    `The two windows' main threads while B typed (Chromium Performance metrics, ${(r.busy.B.ms / 1000).toFixed(1)} s of typing; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`,
    ['page', 'while', 'busy', 'script', 'style + layout', 'other (paint, input, messages)'],
    (['B', 'C'] as const).flatMap((id) =>
      ([['nobody types (3 s before)', r.idle[id]], ['B types', r.busy[id]]] as const).map(([what, b]) => [
        id, what, pct(b.task, b.ms), pct(b.script, b.ms), pct(b.styleLayout, b.ms), pct(b.task - b.script - b.styleLayout, b.ms),
      ]),
    ),
  );
  console.log(`\nper key, B keydown → shown in C (ms, in typing order): ${r.remoteSeries.map((x) => x ?? '—').join(' ')}`);
  console.log(`C's rendered text over time [ms after B's first key, characters added]: ${r.cTimeline.map(([t, n]) => `${t}:${n}`).join(' ')}`);
  const w = r.writers;
  const ids = ['A', 'B', 'C'] as const;
  printTable(
    `Three editors typing 10 characters/s each into one note for ${w.seconds} s (each at the end of its own line)`,
    ['writer', 'typed', 'in A', 'in B', 'in C'],
    ids.map((id) => [id, w.typed[id], ...w.found[id]]),
  );
  printTable('Three editors: outcome', ['typed', 'lost', 'texts identical', 'quiet after ms', 'final lengths'], [
    [w.typed.A + w.typed.B + w.typed.C, w.lost, w.identical ? 'yes' : 'NO', w.settleMs, w.finalLengths.join(' / ')],
  ]);
  if (!w.identical || w.lost > 0) for (const [i, t] of w.texts.entries()) console.log(`\n--- editor ${ids[i]!}'s final text ---\n${t}`);
}

/** `--search`: issue 14 part 2, the search index on a realistic space (bench/search.ts). */
async function search(quick: boolean): Promise<void> {
  // The edited fixture publishes one entry per five operations: 50k operations hold ~10k entries.
  const sizes = quick ? [5_000] : [5_000, 50_000];
  for (const ops of sizes) await step(`edited fixture of ${k(ops)} operations (cached after the first build)`, () => editedSpace(ops));
  const figures = [];
  for (const ops of sizes) {
    figures.push(await step(`search at ${k(ops)} operations`, () => benchSearch(ops)));
    await removeTempFolders();
  }
  printTable(
    `Search (SearchIndex) on a realistic space opened from disk: each typed prefix of 6 queries is one query (ms; goal ≤ 100 per keystroke at 10k entries, judged on CPU time as the machine may be shared; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`,
    ['operations', 'entries', 'open', 'index build', 'keystrokes', 'CPU p50', 'CPU max', 'p50', 'p99', 'max', 'after an edit p50', 'after an edit max', 'after an edit CPU max', 'no index, per keystroke', 'index heap MB', 'goal', 'met'],
    figures.map((f) => [k(f.ops), f.entries, fmt(f.openMs, 'ms'), fmt(f.buildMs, 'ms'), f.keystrokes, fmt(f.cpuP50, 'ms'), fmt(f.cpuMax, 'ms'), fmt(f.p50, 'ms'), fmt(f.p99, 'ms'), fmt(f.max, 'ms'),
      fmt(f.afterEditP50, 'ms'), fmt(f.afterEditMax, 'ms'), fmt(f.afterEditCpuMax, 'ms'), fmt(f.noIndexMs, 'ms'), Number.isNaN(f.indexMB) ? '—' : f.indexMB.toFixed(0), '≤ 100',
      Math.max(f.cpuMax, f.afterEditCpuMax) <= 100 ? 'yes' : 'NO']),
  );
}

/** `--search-warm`: the search index's warm-up in slices: longest event-loop hold (bench/search-warm.ts). */
async function searchWarm(quick: boolean): Promise<void> {
  const spaces: Array<{ label: string; saved: () => Promise<Uint8Array> }> = [
    { label: 'realistic, 50k operations (~10k notes)', saved: async () => (await editedSpace(50_000)).saved },
    ...(quick ? [] : [{ label: '100k short notes', saved: () => spaceWith(100_000) }]),
  ];
  const figures = [];
  for (const space of spaces) {
    const saved = await step(`fixture: ${space.label} (cached after the first build)`, space.saved);
    figures.push({ label: space.label, ...(await step(`search index warm-up: ${space.label}`, () => benchSearchWarm('search-warm', saved))) });
    await removeTempFolders();
  }
  printTable(
    `Search index warm-up on a space opened from disk (ms; judged on CPU time, as the machine is shared; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`,
    ['space', 'entries', 'open', 'sliced warm-up, total', 'its CPU', 'longest event-loop hold', 'longest slice: wall', 'longest slice: CPU', 'one synchronous build (before)', 'goal', 'met'],
    figures.map((f) => [f.label, f.entries, fmt(f.openMs, 'ms'), fmt(f.slicedMs, 'ms'), fmt(f.slicedCpuMs, 'ms'), fmt(f.longestHoldMs, 'ms'), fmt(f.longestSliceMs, 'ms'), fmt(f.longestSliceCpuMs, 'ms'),
      fmt(f.syncBuildMs, 'ms'), 'slice CPU ≤ 50', f.longestSliceCpuMs <= 50 ? 'yes' : 'NO']),
  );
}

/** `--import`: issue 14 part 3, markdown import and export of 10k files (bench/import.ts); `--per-file` also times the import as it was (one change per file). */
async function markdownImport(quick: boolean): Promise<void> {
  const n = quick ? 1_000 : 10_000;
  const perFile = process.argv.includes('--per-file');
  const f = await step(`import and export of ${k(n)} markdown files${perFile ? ', and the import one change per file as before' : ''}`, () => benchImport(n, perFile));
  await removeTempFolders();
  const s = (ms: number | undefined) => (ms === undefined ? '—' : (ms / 1000).toFixed(1));
  printTable(
    `Markdown import (files → drafts, FileLogStore with fsync) and export (entries → files) of ${k(n)} realistic files (load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`,
    ['files', 'MB', 'import s', 'import CPU s', 'files/s', 'imported', 'skipped', 'export s', 'exported', 'one change per file (before): s', 'before: CPU s', 'goal', 'met'],
    [[f.files, (f.bytes / 1e6).toFixed(1), s(f.importMs), s(f.importCpuMs), Math.round(f.files / (f.importMs / 1000)), f.imported, f.skipped, s(f.exportMs), f.exported, s(f.perFileMs), s(f.perFileCpuMs),
      'import ≤ 30 s', f.importMs <= 30_000 ? 'yes' : 'NO']],
  );
}

/** `--mesh`: issue 11, mesh formation at several sizes, live latency across a 20-member mesh, a restarted member back in it, a member leaving (bench/mesh.ts). */
async function mesh(quick: boolean): Promise<void> {
  const ops = quick ? 30 : 100;
  const restarts = quick ? 2 : 5;
  const runs = quick ? 1 : 3;
  const formations: MeshFormation[][] = [];
  for (const [members, invitedBy] of [[5, 'first'], [6, 'first'], [10, 'random'], [10, 'first'], [20, 'random']] as const) {
    const each: MeshFormation[] = [];
    for (let r = 0; r < runs; r++) each.push(await step(`a ${members}-member mesh forming (invited by ${invitedBy === 'first' ? 'the first member' : 'a random earlier member'}), run ${r + 1}`, () => benchFormation(members, invitedBy)));
    formations.push(each);
  }
  printTable(
    `Mesh formation on loopback (one process, in-memory stores), ${runs} run(s) each: from the last member's start until every member holds min(8, others) connections, one piece`,
    ['members', 'invited by', 'formed, ms (each run)', 'median ms', 'connections per member (last run)'],
    formations.map((each) => {
      const f = each[0]!;
      // A run that had not formed counts as the timeout in the median (a lower bound).
      const times = each.map((x) => x.formedMs ?? FORMATION_TIMEOUT_MS);
      const last = each[each.length - 1]!;
      const shown = each.map((x) => (x.formedMs === undefined ? `> ${FORMATION_TIMEOUT_MS}` : x.formedMs.toFixed(0)));
      return [String(f.members), f.invitedBy === 'first' ? 'the first member' : 'a random earlier member', shown.join(', '), median(times).toFixed(0), `${Math.min(...last.degrees)}–${Math.max(...last.degrees)}`];
    }),
  );
  if (process.argv.includes('--formation-only')) return;
  const m = await step(`a 20-member mesh: ${ops} live writes from random members, ${restarts} restarts`, () => benchMesh(20, ops, restarts));
  printTable(
    `A ${m.members}-member space on loopback, each member joined through a random earlier member (one process, in-memory stores)`,
    ['measure', 'value'],
    [
      ['mesh formed after the last member started, ms', m.formedMs.toFixed(0)],
      ['connections per member (min / median / max)', `${Math.min(...m.degrees)} / ${median(m.degrees)} / ${Math.max(...m.degrees)}`],
      [`live write → each other member, p50 ms (${m.live.samples} arrivals)`, m.live.p50.toFixed(1)],
      ['live write → each other member, p99 ms', m.live.p99.toFixed(1)],
      ['live write → each other member, max ms', m.live.max.toFixed(1)],
      [`restart → mesh connections held and in sync, median ms (${m.restartMs.length} restarts)`, median(m.restartMs).toFixed(0)],
      ['restart → mesh connections held and in sync, max ms', Math.max(...m.restartMs).toFixed(0)],
      [`a member left, another wrote at once → each remaining member has it, p50 ms (${m.afterLeave.samples} members)`, m.afterLeave.p50.toFixed(1)],
      ['a member left, another wrote at once → each remaining member has it, max ms', m.afterLeave.max.toFixed(1)],
      ['a member left → every remaining member holds its connections again, ms', m.repairMs.toFixed(0)],
    ],
  );
}

/** `--relay`: live latency between two members, direct vs through an always-on peer vs a circuit relay (issue 11). */
async function relay(quick: boolean): Promise<void> {
  const ops = quick ? 50 : 200;
  const saved = await spaceWith(1_000);
  const paths: RelayPath[] = ['direct', 'through the always-on peer', 'circuit relay'];
  const results: Array<Awaited<ReturnType<typeof relayedLive>>> = [];
  for (const path of paths) results.push(await step(`live A → B, ${path}`, () => relayedLive(path, ops, saved)));
  printTable(
    `Live A → B (publish until visible), 1k-note space, ${ops} ops, loopback; an always-on peer (relay server) is up in every case`,
    ['path', 'p50 ms', 'p99 ms', 'p50 / direct', "B's connections"],
    paths.map((path, i) => [path, results[i]!.p50.toFixed(2), results[i]!.p99.toFixed(2), `${(results[i]!.p50 / results[0]!.p50).toFixed(2)}×`, results[i]!.bConnections.join(', ')]),
  );
}

/** `--reads`: issue 12 finding 4, `status` and `ls` after a member wrote N entries, with and without the entry index. */
async function reads(quick: boolean): Promise<void> {
  const sizes = quick ? [1_000, 10_000] : [10_000, 100_000];
  const figures = [];
  for (const n of sizes) figures.push(await step(`reads at ${k(n)} entries`, () => benchReads(n)));
  printTable(
    'status / ls after a member wrote N entries (note log in memory; p50 over 20 entries arriving one by one)',
    ['entries', 'first read (index built), ms', 'status now, ms', 'ls now, ms', 'one read before (scan + validate all), ms', 'goal', 'met'],
    figures.map((f) => [f.entries.toLocaleString('en'), fmt(f.firstRead, 'ms'), fmt(f.status, 'ms'), fmt(f.ls, 'ms'), fmt(f.scan, 'ms'), 'status ≤ 10 ms', f.status <= 10 ? 'yes' : 'NO']),
  );
}

/** `--shards`: issue 13 part 2, the sharded space: start-up, memory, local ops and catch-up (bench/sharded.ts). */
async function sharded(quick: boolean): Promise<void> {
  rows.push(...(await benchSharded(quick, step)));
  print();
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  if (process.argv.includes('--shards')) return sharded(quick);
  if (process.argv.includes('--extension-shards')) {
    rows.push(...(await extensionRows(quick ? [1_000] : [1_000, 100_000], step)));
    return print();
  }
  if (process.argv.includes('--search-warm')) return searchWarm(quick);
  if (process.argv.includes('--search')) return search(quick);
  if (process.argv.includes('--import')) return markdownImport(quick);
  if (process.argv.includes('--mesh')) return mesh(quick);
  if (process.argv.includes('--relay')) return relay(quick);
  if (process.argv.includes('--reads')) return reads(quick);
  if (process.argv.includes('--drafts')) return drafts(quick);
  if (process.argv.includes('--editor-keystroke')) return editorKeystroke(quick);
  const all = !process.argv.includes('--coediting');
  const ops = quick ? 50 : 200;
  const catchUpSizes = quick ? [1_000, 10_000] : [10_000, 100_000];
  const localSizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  const big = catchUpSizes.at(-1)!;
  const keys = quick ? 50 : 200;
  const writersSeconds = quick ? 10 : 60;
  const historySizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  console.log(`Shared Notes benchmarks — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString()}${quick ? ' (quick)' : ''}`);

  if (all) for (const n of new Set([1_000, ...catchUpSizes, ...localSizes])) await step(`fixture of ${k(n)} entries (cached after the first build)`, () => spaceWith(n));
  for (const n of historySizes) await step(`edited fixture of ${k(n)} operations (cached after the first build)`, () => editedSpace(n));

  const live = await spaceWith(1_000);
  const changeBytes = sync.publishChangeBytes(live);
  const floorLive = await step('loopback round trips', () => sync.liveFloor(changeBytes, ops));
  for (const peers of all ? [2, 5] : [2]) {
    const ours = await step(`our live propagation, ${peers} peers`, () => sync.oursLive(peers, ops, live));
    const repo = all ? await step(`automerge-repo live propagation, ${peers} peers`, () => sync.repoLive(peers, ops, live)) : undefined;
    const where = peers === 2 ? 'A → B' : 'A → E, 5-peer line';
    rows.push({ measure: `live ${where}, p50 (${ops} ops)`, unit: 'ms', ours: ours.p50, repo: repo?.p50, floor: floorLive.p50, goal: peers === 2 ? { text: '≤ 5', met: ours.p50 <= 5 } : undefined });
    rows.push({ measure: `live ${where}, p99`, unit: 'ms', ours: ours.p99, repo: repo?.p99, floor: floorLive.p99, goal: peers === 2 ? { text: '≤ 25', met: ours.p99 <= 25 } : undefined });
  }

  const edited = (await editedSpace(1_000)).saved;
  const keyFloor = await step(`keystroke floor (two in-memory NoteLogs), ${keys} keys`, () => floorKeystroke(edited, keys));
  const keyOurs = await step(`our keystroke A → B, ${keys} keys ${KEYSTROKE_GAP_MS} ms apart`, () => oursKeystroke(edited, keys));
  rows.push({ measure: `keystroke A → B visible, p50 (${keys} keys)`, unit: 'ms', ours: keyOurs.p50, floor: keyFloor.p50 });
  rows.push({ measure: 'keystroke A → B visible, p99', unit: 'ms', ours: keyOurs.p99, floor: keyFloor.p99 });
  const writers = await step(`3 writers, 10 keys/s each for ${writersSeconds} s`, () => threeWriters(edited, writersSeconds));
  rows.push({ measure: '3 writers × 10 keys/s: edit call, p50', unit: 'ms', ours: writers.edit.p50 });
  rows.push({ measure: '3 writers × 10 keys/s: edit call, p99', unit: 'ms', ours: writers.edit.p99 });
  rows.push({ measure: '3 writers × 10 keys/s: remote apply, p99', unit: 'ms', ours: writers.remoteApply.p99 });
  rows.push({ measure: '3 writers × 10 keys/s: characters lost', unit: 'n', ours: writers.lost, goal: { text: '0, texts identical', met: writers.lost === 0 && writers.identical } });
  await removeTempFolders();
  for (const n of quick ? [1_000] : [1_000, 10_000]) {
    const stale = await step(`saves from stale copies at ${k(n)} operations`, async () => staleBaseEdits((await editedSpace(n)).saved, n));
    rows.push({ measure: `edit at ${k(n)} ops from the current version, p50`, unit: 'ms', ours: stale.current });
    rows.push({ measure: `edit at ${k(n)} ops, copy behind by another note's change`, unit: 'ms', ours: stale.otherNote });
    rows.push({ measure: `edit at ${k(n)} ops, copy behind by this note's change`, unit: 'ms', ours: stale.sameNote });
  }

  for (const n of all ? catchUpSizes : []) {
    const full = await spaceWith(n);
    const floor = await step(`cold floor ${k(n)}`, () => sync.coldFloor(full));
    const ours = await step(`our cold catch-up ${k(n)}`, () => sync.oursCatchUp(full));
    const repo = await step(`automerge-repo cold catch-up ${k(n)}`, () => sync.repoCatchUp(full));
    rows.push({ measure: `cold catch-up ${k(n)} entries, time`, unit: 'ms', ours: ours.ms, repo: repo.ms, floor: floor.ms, goal: { text: '≤ 1.5× floor, < am-repo', met: ours.ms <= 1.5 * floor.ms && ours.ms < repo.ms } });
    rows.push({ measure: `cold catch-up ${k(n)}, bytes to the new peer`, unit: 'B', ours: ours.down, repo: repo.down, floor: floor.down });
    rows.push({ measure: `cold catch-up ${k(n)}, bytes from the new peer`, unit: 'B', ours: ours.up, repo: repo.up });
    const have = withoutLast(full, Math.max(1, Math.round(n / 100)));
    const wFloor = await step(`warm floor ${k(n)}`, () => sync.warmFloor(full, have));
    const wOurs = await step(`our warm catch-up ${k(n)}`, () => sync.oursCatchUp(full, have));
    const wRepo = await step(`automerge-repo warm catch-up ${k(n)}`, () => sync.repoCatchUp(full, have));
    rows.push({ measure: `warm catch-up ${k(n)} (last 1% missing), time`, unit: 'ms', ours: wOurs.ms, repo: wRepo.ms, floor: wFloor.ms });
    rows.push({ measure: `warm catch-up ${k(n)}, bytes each way`, unit: 'B', ours: wOurs.down + wOurs.up, repo: wRepo.down + wRepo.up, floor: wFloor.down });
    await removeTempFolders();
  }

  if (all) await drafts(quick);
  const local = all ? await step('local operations', () => benchLocalOps(localSizes, quick ? 100 : 200)) : [];
  for (const f of local) {
    rows.push({ measure: `local publish at ${k(f.entries)}, p50 (in memory)`, unit: 'ms', ours: f.ours, repo: f.repo, floor: f.floor, goal: f.entries === 100_000 ? { text: '≤ 1', met: f.ours <= 1 } : undefined });
    rows.push({ measure: `local publish at ${k(f.entries)}, p50 with fsync`, unit: 'ms', ours: f.oursDisk });
  }

  const history = [];
  for (const n of historySizes) {
    const h = await step(`history at ${k(n)} operations (NoteLog from disk)`, () => benchHistory(n));
    history.push(h);
    const goal = n === 100_000 ? (x: number) => ({ text: '≤ 100', met: x <= 100 }) : () => undefined;
    rows.push({ measure: `history at ${k(n)} ops, first build ever (no stored index)`, unit: 'ms', ours: h.firstMs });
    rows.push({ measure: `history at ${k(n)} ops, later calls, p50`, unit: 'ms', ours: h.nextP50, goal: goal(h.nextP50) });
    rows.push({ measure: `history at ${k(n)} ops, next run: index ready (stored + 10 new)`, unit: 'ms', ours: h.cachedReadyMs });
    rows.push({ measure: `history at ${k(n)} ops, next run: longest event-loop hold`, unit: 'ms', ours: h.cachedMaxBlockMs, goal: n === 100_000 ? { text: '≤ 100', met: h.cachedMaxBlockMs <= 100 } : undefined });
    rows.push({ measure: `history at ${k(n)} ops, next run: first call`, unit: 'ms', ours: h.cachedFirstMs, goal: goal(h.cachedFirstMs) });
    await removeTempFolders();
  }

  if (all) {
    const saved = await spaceWith(big);
    const runs = 3;
    const mid = (xs: Startup[], key: keyof Startup) => median(xs.map((x) => x[key]));
    const oursStart = await step(`start-up at ${k(big)} (CLI peer)`, () => oursStartup(saved, runs));
    const repoStart = await step(`start-up at ${k(big)} (automerge-repo)`, () => repoStartup(saved, runs));
    const floorStart = await step(`start-up at ${k(big)} (floor)`, () => floorStartup(saved, runs));
    rows.push({ measure: `start-up from disk at ${k(big)}, to ready (median of ${runs})`, unit: 'ms', ours: mid(oursStart, 'ms'), repo: mid(repoStart, 'ms'), floor: mid(floorStart, 'ms'), goal: big === 100_000 ? { text: '≤ 1000', met: mid(oursStart, 'ms') <= 1000 } : undefined });
    rows.push({ measure: `RSS at ${k(big)} after start-up`, unit: 'MB', ours: mid(oursStart, 'rssBytes'), repo: mid(repoStart, 'rssBytes'), floor: mid(floorStart, 'rssBytes') });
    await removeTempFolders();

    if (!quick) {
      const ext = await step('extension in code-server (3 starts)', () => benchExtension());
      if ('skipped' in ext) console.log(`extension timing skipped: ${ext.skipped}`);
      else {
        rows.push({ measure: 'extension activate() returns (median of 3)', unit: 'ms', ours: median(ext.activateMs), goal: { text: '≤ 50', met: median(ext.activateMs) <= 50 } });
        rows.push({ measure: 'extension node ready after activation (median)', unit: 'ms', ours: median(ext.readyMs) });
        rows.push({ measure: 'VSIX size', unit: 'B', ours: ext.vsixBytes, goal: { text: '≤ 3 MB', met: ext.vsixBytes <= 3 * 1024 * 1024 } });
      }
    }
  }
  print();
  printTable(
    `Three writers typing into one note (three SpacePeers in this process, ${writers.seconds} s)`,
    ['keys planned', 'keys typed', 'edit p50', 'edit p99', 'edit max', 'remote applies', 'apply p50', 'apply p99', 'apply max', 'by sync', 'loop delay p99', 'loop delay max', 'settle ms', 'identical', 'lost', 'final length'],
    [[writers.writers * writers.seconds * 10, writers.keystrokes, fmt(writers.edit.p50, 'ms'), fmt(writers.edit.p99, 'ms'), fmt(writers.edit.max, 'ms'), writers.remoteApply.n,
      fmt(writers.remoteApply.p50, 'ms'), fmt(writers.remoteApply.p99, 'ms'), fmt(writers.remoteApply.max, 'ms'), writers.bySync, fmt(writers.loopDelayP99, 'ms'), fmt(writers.loopDelayMax, 'ms'),
      fmt(writers.settleMs, 'ms'), writers.identical ? 'yes' : 'NO', writers.lost, writers.finalLength]],
  );
  printTable(
    '`history ID` (NoteLog.historyDetails) against operations in the space, NoteLog opened from disk (ms)',
    ['operations', 'entries', 'open', 'first call', 'steps', 'changes metadata alone, after', 'later p50', 'later max', 'steps (mean)', 'next run: ready', 'longest hold', 'first call'],
    history.map((h) => [k(h.ops), h.entries, fmt(h.openMs, 'ms'), fmt(h.firstMs, 'ms'), h.firstSteps, fmt(h.metaMs, 'ms'), fmt(h.nextP50, 'ms'), fmt(h.nextMax, 'ms'), h.nextSteps,
      fmt(h.cachedReadyMs, 'ms'), fmt(h.cachedMaxBlockMs, 'ms'), fmt(h.cachedFirstMs, 'ms')]),
  );
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => void removeTempFolders().then(() => process.exit()));
