/* global console, process */
// Start-up probe run in its own process by bench/startup.ts (plain ESM so nothing is compiled on the way):
//   node bench/startup-child.mjs repo <storage dir> <automerge url>   automerge-repo opening a document from disk
//   node bench/startup-child.mjs floor <saved file>                    reading the file and Automerge.load alone
// Prints one JSON line {ready, rssBytes} once the document is usable, measured from process start.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [mode, a, b] = process.argv.slice(2);
if (mode === 'repo') {
  const { Repo } = await import('@automerge/automerge-repo');
  const { NodeFSStorageAdapter } = await import('@automerge/automerge-repo-storage-nodefs');
  const repo = new Repo({ storage: new NodeFSStorageAdapter(a), network: [] });
  const handle = await repo.find(b);
  handle.doc();
  report();
  await repo.shutdown();
} else if (mode === 'floor') {
  const A = await import('@automerge/automerge');
  const doc = A.load(new Uint8Array(readFileSync(a)));
  A.getHeads(doc);
  report();
} else {
  throw new Error(`unknown mode ${mode}`);
}

function report() {
  // performance.now() counts from process start (timeOrigin), like the parent's spawn-to-ready clock.
  console.log(JSON.stringify({ ready: performance.now(), rssBytes: process.memoryUsage().rss }));
}
