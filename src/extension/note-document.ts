/**
 * Entry documents in the editor: `shared-notes:/<id>/<title>.md` paths. The markdown format itself
 * (entry ↔ text) is core's `entry-markdown.ts`, shared with the markdown export and import.
 */
export { DocumentFormatError, fieldsOf, formatDocument, formatEntryDocument, parseDocument, type EntryFields } from '../core/entry-markdown.js';
import type { EntryKind } from '../core/entry.js';

/** `shared-notes:/<id>/<title>.md`: the id identifies the entry, the title is there for the tab. */
export function documentPath(entry: { id: string; kind: EntryKind; title: string }): string {
  const name = entry.title.replace(/[\\/:*?"<>|\s]+/g, ' ').trim().slice(0, 60) || entry.kind;
  return `/${entry.id}/${name}.md`;
}

/** The entry id of a document path, or undefined for paths that are not entries. */
export function entryIdOfPath(path: string): string | undefined {
  const m = /^\/([0-9a-f]{32})(\/|$)/.exec(path);
  return m?.[1];
}
