import { InvalidInputError } from '../core/errors.js';

/** A line typed at the peer's prompt, parsed. Text arguments accept \n, \| and \\ escapes. */
export type Command =
  | { name: 'create-note'; title: string; body: string }
  | { name: 'create-recipe'; recipeName: string; ingredients: string; instructions: string }
  | { name: 'publish' | 'delete' | 'show' | 'history'; id: string }
  | { name: 'edit'; id: string; fields: Record<string, string>; version?: string }
  | { name: 'restore'; id: string; step?: number }
  | { name: 'resolve'; id: string; field: string; value: string }
  | { name: 'search'; text: string }
  | { name: 'export'; dir: string; ids: string[] }
  | { name: 'import'; dir: string }
  | { name: 'ls' | 'peers' | 'invite' | 'status' | 'sync' | 'spaces' | 'help' | 'quit' };

export const COMMAND_HELP = `Commands:
  create note TITLE|BODY                        new draft note
  create recipe NAME|INGREDIENTS|INSTRUCTIONS   new draft recipe
  publish ID                                    share a draft with the space
  edit ID FIELD=VALUE [| FIELD=VALUE]...        change fields (note: title, body; recipe: name, ingredients, instructions)
  edit ID@VERSION FIELD=VALUE ...               change fields from the version "show" printed: only what you
                                                changed is written, edits made since are kept
  delete ID                                     delete (a published entry can be restored)
  restore ID                                    bring a deleted entry back, for everyone
  restore ID STEP                               write the entry back as it was after history step STEP
  resolve ID FIELD=VALUE                        end a conflict (values written at the same time) with one value
  ls | list                                     drafts and published entries
  show ID                                       one entry in full, its version and any conflict
  history ID                                    who changed what, when, with the values
  search TEXT                                   entries whose title, text or author has every word (any
                                                case, any accents), with each match in context
  export DIR [ID]...                            write every entry (or those given) as markdown files into DIR
  import DIR                                    create a draft from each markdown file in DIR
  peers | status | invite | sync                connections, sync state, invite code, sync now
  spaces                                        the spaces in this data folder (id, name, entries)
  help                                          this list
  quit | exit                                   save and stop
IDs may be shortened to a unique prefix of at least 4 characters. In text, \\n is a new line and \\| a literal |.
A DIR with spaces is written in double quotes.`;

/** Splits on unescaped `|` and resolves escapes. */
export function splitFields(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      const next = text[++i]!;
      current += next === 'n' ? '\n' : next === 't' ? '\t' : next;
    } else if (ch === '|') {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

function parseAssignments(assignments: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw new InvalidInputError(`"${assignment.trim()}" is not FIELD=VALUE`);
    fields[assignment.slice(0, eq).trim().toLowerCase()] = assignment.slice(eq + 1);
  }
  return fields;
}

/** A folder as the first argument: one word, or "in double quotes" when it holds spaces. */
function folderArgument(rest: string, usage: string): { dir: string; after: string } {
  if (rest.startsWith('"')) {
    const end = rest.indexOf('"', 1);
    if (end < 0) throw new InvalidInputError(`usage: ${usage} (the folder's closing " is missing)`);
    const dir = rest.slice(1, end);
    if (dir.trim() === '') throw new InvalidInputError(`usage: ${usage}`);
    return { dir, after: rest.slice(end + 1) };
  }
  const [dir = '', ...after] = rest.split(/\s+/);
  if (dir === '') throw new InvalidInputError(`usage: ${usage}`);
  return { dir, after: after.join(' ') };
}

export function parseCommand(line: string): Command | undefined {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const [word = '', ...restWords] = trimmed.split(/\s+/);
  const rest = trimmed.slice(word.length).trim();
  const verb = word.toLowerCase();
  const needId = (): string => {
    if (restWords.length !== 1) throw new InvalidInputError(`usage: ${verb} ID`);
    return restWords[0]!;
  };
  switch (verb) {
    case 'create': {
      const kind = (restWords[0] ?? '').toLowerCase();
      const fields = splitFields(rest.slice(kind.length).trim());
      if (kind === 'note') {
        if (fields.length > 2) throw new InvalidInputError('usage: create note TITLE|BODY (escape a | in the text as \\|)');
        return { name: 'create-note', title: fields[0]!.trim(), body: fields[1] ?? '' };
      }
      if (kind === 'recipe') {
        if (fields.length !== 3) throw new InvalidInputError('usage: create recipe NAME|INGREDIENTS|INSTRUCTIONS');
        return { name: 'create-recipe', recipeName: fields[0]!.trim(), ingredients: fields[1]!, instructions: fields[2]! };
      }
      throw new InvalidInputError('usage: create note TITLE|BODY  or  create recipe NAME|INGREDIENTS|INSTRUCTIONS');
    }
    case 'publish':
    case 'delete':
    case 'show':
    case 'history':
      return { name: verb, id: needId() };
    case 'edit': {
      const target = restWords[0];
      const assignments = splitFields(rest.slice((target ?? '').length).trim());
      if (!target || assignments.length === 0 || assignments[0] === '') throw new InvalidInputError('usage: edit ID[@VERSION] FIELD=VALUE');
      const [id = '', version] = target.split('@');
      return { name: 'edit', id, fields: parseAssignments(assignments), ...(version !== undefined ? { version } : {}) };
    }
    case 'restore': {
      if (restWords.length < 1 || restWords.length > 2) throw new InvalidInputError('usage: restore ID [STEP]');
      const step = restWords[1] !== undefined ? Number(restWords[1]) : undefined;
      if (step !== undefined && (!Number.isInteger(step) || step < 1)) throw new InvalidInputError(`"${restWords[1]}" is not a history step number (see "history ID")`);
      return { name: 'restore', id: restWords[0]!, ...(step !== undefined ? { step } : {}) };
    }
    case 'resolve': {
      const id = restWords[0];
      const fields = parseAssignments(splitFields(rest.slice((id ?? '').length).trim()));
      const [field, value] = Object.entries(fields)[0] ?? [];
      if (!id || field === undefined || value === undefined || Object.keys(fields).length !== 1) throw new InvalidInputError('usage: resolve ID FIELD=VALUE');
      return { name: 'resolve', id, field, value };
    }
    case 'search':
      if (rest === '') throw new InvalidInputError('usage: search TEXT');
      return { name: 'search', text: rest };
    case 'export': {
      const { dir, after } = folderArgument(rest, 'export DIR [ID]...');
      return { name: 'export', dir, ids: after.split(/\s+/).filter((w) => w !== '') };
    }
    case 'import': {
      const { dir, after } = folderArgument(rest, 'import DIR');
      if (after.trim() !== '') throw new InvalidInputError('usage: import DIR (write a DIR with spaces in double quotes)');
      return { name: 'import', dir };
    }
    case 'ls':
    case 'list':
      return { name: 'ls' };
    case 'peers':
    case 'invite':
    case 'status':
    case 'sync':
    case 'spaces':
    case 'help':
      return { name: verb };
    case 'quit':
    case 'exit':
      return { name: 'quit' };
    default:
      throw new InvalidInputError(`unknown command "${word}" (type "help")`);
  }
}
