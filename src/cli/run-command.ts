/** Executes one parsed command against the engine; returns both a JSON payload and readable text. */
import { titleOf } from '../core/entry.js';
import type { EntryId } from '../core/ids.js';
import type { SpacePeer } from '../engine/space-peer.js';
import type { Command } from './commands.js';
import { COMMAND_HELP } from './commands.js';
import { statusText } from '../core/text.js';
import { formatEntry, formatHistory, formatList, formatPeers, formatTombstone, invalidLine } from './format.js';

export interface CommandResult {
  readonly data: Record<string, unknown>;
  readonly text: string;
}

export async function runCommand(peer: SpacePeer, command: Command): Promise<CommandResult> {
  const log = peer.log;
  const id = (text: string): EntryId => log.resolveId(text);
  switch (command.name) {
    case 'create-note': {
      const entry = await log.createNote({ title: command.title, body: command.body });
      return { data: { entry }, text: `created draft note ${entry.id} "${titleOf(entry)}" (publish ${entry.id.slice(0, 8)} to share it)` };
    }
    case 'create-recipe': {
      const entry = await log.createRecipe({ name: command.recipeName, ingredients: command.ingredients, instructions: command.instructions });
      return { data: { entry }, text: `created draft recipe ${entry.id} "${titleOf(entry)}" (publish ${entry.id.slice(0, 8)} to share it)` };
    }
    case 'publish': {
      const entry = await log.publish(id(command.id));
      return { data: { entry }, text: `published ${entry.id}` };
    }
    case 'edit': {
      const entry = await log.edit(id(command.id), command.fields);
      return { data: { entry }, text: `edited ${entry.id} (${Object.keys(command.fields).join(', ')})` };
    }
    case 'delete': {
      const target = id(command.id);
      await log.delete(target);
      return { data: { id: target, deleted: true }, text: `deleted ${target}` };
    }
    case 'ls': {
      const list = log.list();
      return { data: { entries: list.entries, invalid: list.invalid, deleted: list.deleted.length }, text: formatList(list) };
    }
    case 'show': {
      const target = id(command.id);
      const read = log.get(target);
      if (!read) return { data: { id: target }, text: 'not found' };
      if (read.status === 'valid') return { data: { entry: read.entry }, text: formatEntry(read.entry) };
      if (read.status === 'deleted') return { data: { tombstone: read.tombstone }, text: formatTombstone(read.tombstone) };
      return { data: { invalid: read.invalid }, text: invalidLine(read.invalid) };
    }
    case 'history': {
      const target = id(command.id);
      const history = log.historyOf(target);
      return { data: { id: target, history }, text: formatHistory(history) };
    }
    case 'peers': {
      const peers = peer.network.peers();
      return { data: { peers }, text: formatPeers(peers) };
    }
    case 'status': {
      const summary = peer.network.summary();
      const list = log.list();
      const data = {
        space: { id: peer.space.id, name: peer.space.name },
        peerId: peer.network.peerId,
        addresses: peer.network.addresses(),
        ...summary,
        drafts: list.entries.filter((e) => e.state === 'draft').length,
        published: list.entries.filter((e) => e.state === 'published').length,
        heads: log.shared.heads(),
      };
      return { data, text: `${peer.space.name}: ${statusText(summary)}; ${data.drafts} drafts, ${data.published} published` };
    }
    case 'invite':
      return { data: { invite: peer.invite() }, text: peer.invite() };
    case 'sync':
      peer.network.syncNow();
      return { data: { started: true }, text: 'syncing with connected peers' };
    case 'help':
      return { data: { help: COMMAND_HELP }, text: COMMAND_HELP };
    case 'quit':
      return { data: { quitting: true }, text: 'bye' };
  }
}

