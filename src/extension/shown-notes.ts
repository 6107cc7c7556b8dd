/**
 * What the Notes view last showed, so that a change redraws it only when a row would look
 * different. Every redraw of a tree view shows the view's progress bar, and in a browser-hosted
 * editor (code-server) that bar's animation keeps the page repainting: while a person types, the
 * note's row keeps its label, "just now" and place, so nothing needs redrawing. The rows' tooltips
 * (which quote the body) are not part of what is compared: they follow at the next redraw (at the
 * latest the view's minute clock). No `vscode` import here; unit-tested in plain Node.
 */
import type { SummaryList } from '../core/entry.js';
import { groupChildren, notesRoots, type GroupKind, type ItemData, type NotesNode } from './tree-items.js';

/** Past this many changed entries the view is redrawn without comparing (a catch-up, an import). */
export const MAX_COMPARED_CHANGES = 50;

/** A row as the view shows it, without its tooltip. */
function rowKey(item: ItemData, index: number): string {
  return JSON.stringify([index, item.label, item.description ?? '', item.icon, item.contextValue, item.collapsible]);
}

export class ShownNotes {
  private roots: string | undefined;
  /** Per group whose children the view asked for: entry id → the row it was given. */
  private readonly groups = new Map<GroupKind, Map<string, string>>();

  constructor(
    /** The row the view makes of a node at a time (with who has it open, etc.). */
    private readonly rowOf: (node: NotesNode, now: number) => ItemData,
    /** The children the view lists for a group (a long one: its first page, then "Show more"). */
    private readonly childrenOf: (list: SummaryList, group: GroupKind) => NotesNode[] = groupChildren,
  ) {}

  /** The view was given these top-level nodes. */
  rootsShown(roots: readonly NotesNode[], now: number): void {
    this.roots = this.rootsKey(roots, now);
  }

  /** The view was given these children of `group`. */
  childrenShown(group: GroupKind, children: readonly NotesNode[], now: number): void {
    const rows = new Map<string, string>();
    children.forEach((node, i) => rows.set(nodeId(node), rowKey(this.rowOf(node, now), i)));
    this.groups.set(group, rows);
  }

  /** The view is to be redrawn whatever changed (a filter, a restart): nothing is known to be shown. */
  forget(): void {
    this.roots = undefined;
    this.groups.clear();
  }

  /**
   * Whether a change to the entries `ids` (undefined: any entry) makes a row that the view shows
   * look different: a group's count, a row's label, description, icon, menu or place.
   */
  differs(list: SummaryList, ids: readonly string[] | undefined, now: number): boolean {
    if (this.roots === undefined || ids === undefined || ids.length > MAX_COMPARED_CHANGES) return true;
    if (this.rootsKey(notesRoots(list), now) !== this.roots) return true;
    for (const [group, rows] of this.groups) {
      if (group === 'deleted' || group === 'invalid') {
        // Rare and small: compared whole.
        const children = this.childrenOf(list, group);
        if (children.length !== rows.size || children.some((node, i) => rows.get(nodeId(node)) !== rowKey(this.rowOf(node, now), i))) return true;
        continue;
      }
      let children: NotesNode[] | undefined;
      for (const id of ids) {
        children ??= this.childrenOf(list, group);
        const index = children.findIndex((node) => node.type === 'entry' && node.entry.id === id);
        const was = rows.get(id);
        if (index < 0) {
          if (was !== undefined) return true; // it left this group
          continue;
        }
        if (was !== rowKey(this.rowOf(children[index]!, now), index)) return true;
      }
    }
    return false;
  }

  private rootsKey(roots: readonly NotesNode[], now: number): string {
    return JSON.stringify(roots.map((node, i) => rowKey(this.rowOf(node, now), i)));
  }
}

/** The id a node's row is known by here: the entry id for entries. */
function nodeId(node: NotesNode): string {
  switch (node.type) {
    case 'group':
      return `group:${node.group}`;
    case 'entry':
      return node.entry.id;
    case 'deleted':
      return `deleted:${node.tombstone.id}`;
    case 'invalid':
      return `invalid:${node.invalid.scope}:${node.invalid.id}`;
    case 'more':
      return `more:${node.group}`;
  }
}
