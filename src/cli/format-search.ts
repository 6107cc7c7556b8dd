/** Readable text for `search`, `export` and `import`. Pure functions of the data. */
import type { SearchResults } from '../core/search-index.js';
import { displayLine, displayText } from '../core/display-text.js';
import { relativeTime, shortId } from '../core/text.js';
import type { ExportReport, ImportReport } from '../engine/markdown-transfer.js';

const short = shortId;
/** Peer-written text (titles, authors, snippets) and file names, as one printable line. */
const cut = (s: string, max = 200) => displayLine(s, max);
/** A piece of a snippet: made safe, on one line, its edge spaces kept (it sits next to the [match]). */
const piece = (s: string) => displayText(s).replace(/\s/g, ' ');

/** Each hit: id, kind, title, author and age; below it the field and the match in context, marked [like this]. */
export function formatSearch(results: SearchResults, now = Date.now()): string {
  const indexing = results.partial ? ' (still indexing: more may match)' : '';
  if (results.total === 0) return `no entry matches "${cut(results.query)}"${indexing}`;
  const lines = [`${results.total} ${results.total === 1 ? 'entry matches' : 'entries match'} "${cut(results.query)}"${results.hits.length < results.total ? ` (the first ${results.hits.length} shown)` : ''}${indexing}`];
  for (const h of results.hits) {
    const s = h.snippet;
    lines.push(`  ${short(h.id)}  ${h.kind.padEnd(6)}  ${cut(h.title, 40).padEnd(40)}  ${cut(h.author, 100)} · ${relativeTime(h.updatedAt, now)}${h.state === 'draft' ? '  [draft]' : ''}`);
    lines.push(`            ${h.field}: ${piece(s.text.slice(0, s.matchStart))}[${piece(s.text.slice(s.matchStart, s.matchEnd))}]${piece(s.text.slice(s.matchEnd))}`);
  }
  return lines.join('\n');
}

export function formatExport(report: ExportReport): string {
  const n = report.files.length;
  return [`exported ${n} ${n === 1 ? 'entry' : 'entries'} to ${cut(report.dir, 400)}`, ...report.files.map((f) => `  ${short(f.id)}  ${cut(f.file)}${f.state === 'draft' ? '  [draft]' : ''}`)].join('\n');
}

export function formatImport(report: ImportReport): string {
  const n = report.imported.length;
  const lines = [`imported ${n} ${n === 1 ? 'file' : 'files'} from ${cut(report.dir, 400)} as drafts (publish them to share)`, ...report.imported.map((f) => `  ${short(f.id)}  ${f.kind.padEnd(6)}  ${cut(f.file)}`)];
  if (report.skipped.length > 0) lines.push(`skipped ${report.skipped.length}:`, ...report.skipped.map((s) => `  ${cut(s.file)}: ${cut(s.reason, 300)}`));
  return lines.join('\n');
}
