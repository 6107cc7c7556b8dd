/** Readable text for `search`, `export` and `import`. Pure functions of the data. */
import type { SearchResults } from '../core/search-index.js';
import { relativeTime } from '../core/text.js';
import type { ExportReport, ImportReport } from '../engine/markdown-transfer.js';

const short = (id: string) => id.slice(0, 8);
const cut = (s: string, max: number) => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
};

/** Each hit: id, kind, title, author and age; below it the field and the match in context, marked [like this]. */
export function formatSearch(results: SearchResults, now = Date.now()): string {
  if (results.total === 0) return `no entry matches "${results.query}"`;
  const lines = [`${results.total} ${results.total === 1 ? 'entry matches' : 'entries match'} "${results.query}"${results.hits.length < results.total ? ` (the first ${results.hits.length} shown)` : ''}`];
  for (const h of results.hits) {
    const s = h.snippet;
    lines.push(`  ${short(h.id)}  ${h.kind.padEnd(6)}  ${cut(h.title, 40).padEnd(40)}  ${h.author} · ${relativeTime(h.updatedAt, now)}${h.state === 'draft' ? '  [draft]' : ''}`);
    lines.push(`            ${h.field}: ${s.text.slice(0, s.matchStart)}[${s.text.slice(s.matchStart, s.matchEnd)}]${s.text.slice(s.matchEnd)}`);
  }
  return lines.join('\n');
}

export function formatExport(report: ExportReport): string {
  const n = report.files.length;
  return [`exported ${n} ${n === 1 ? 'entry' : 'entries'} to ${report.dir}`, ...report.files.map((f) => `  ${short(f.id)}  ${f.file}${f.state === 'draft' ? '  [draft]' : ''}`)].join('\n');
}

export function formatImport(report: ImportReport): string {
  const n = report.imported.length;
  const lines = [`imported ${n} ${n === 1 ? 'file' : 'files'} from ${report.dir} as drafts (publish them to share)`, ...report.imported.map((f) => `  ${short(f.id)}  ${f.kind.padEnd(6)}  ${f.file}`)];
  if (report.skipped.length > 0) lines.push(`skipped ${report.skipped.length}:`, ...report.skipped.map((s) => `  ${s.file}: ${s.reason}`));
  return lines.join('\n');
}
