/** Executes one parsed command against the engine; returns both a JSON payload and readable text. */
import { titleOf } from '../core/entry.js';
import { InvalidInputError } from '../core/errors.js';
import type { EntryId } from '../core/ids.js';
import type { SpacePeer } from '../engine/space-peer.js';
import type { Command } from './commands.js';
import { COMMAND_HELP } from './commands.js';
import { statusText, shortId } from '../core/text.js';
import { displayLine } from '../core/display-text.js';
import { formatEntry, formatHistory, formatList, formatPeers, formatSpaces, formatTombstone, invalidLine } from './format.js';
import { formatExport, formatImport, formatSearch } from './format-search.js';
import { resolve } from 'node:path';

export interface CommandResult {
  readonly data: Record<string, unknown>;
  readonly text: string;
}

export async function runCommand(peer: SpacePeer, command: Command): Promise<CommandResult> {
  const log = peer.log;
  // An entry named by a command is brought at hand (its shard loaded) for the reads that follow.
  const id = async (text: string): Promise<EntryId> => {
    const target = log.resolveId(text);
    await log.load([target]);
    return target;
  };
  switch (command.name) {
    case 'create-note': {
      const entry = await log.createNote({ title: command.title, body: command.body });
      return { data: { entry }, text: `created draft note ${entry.id} "${displayLine(titleOf(entry), 80)}" (publish ${shortId(entry.id)} to share it)` };
    }
    case 'create-recipe': {
      const entry = await log.createRecipe({ name: command.recipeName, ingredients: command.ingredients, instructions: command.instructions });
      return { data: { entry }, text: `created draft recipe ${entry.id} "${displayLine(titleOf(entry), 80)}" (publish ${shortId(entry.id)} to share it)` };
    }
    case 'publish': {
      const entry = await log.publish(await id(command.id));
      return { data: { entry }, text: `published ${entry.id}` };
    }
    case 'edit': {
      const target = await id(command.id);
      const base = command.version !== undefined ? log.resolveVersion(target, command.version) : undefined;
      const entry = await log.edit(target, command.fields, base);
      return { data: { entry }, text: `edited ${entry.id} (${Object.keys(command.fields).join(', ')})${base ? ' from version ' + command.version : ''}` };
    }
    case 'restore': {
      const target = await id(command.id);
      if (command.step === undefined) {
        const entry = await log.restore(target);
        return { data: { entry }, text: `restored ${entry.id} "${displayLine(titleOf(entry), 80)}" for everyone` };
      }
      const steps = log.historyOf(target);
      const step = steps[command.step - 1];
      if (!step) throw new InvalidInputError(`entry ${shortId(target)} has ${steps.length} history steps; there is no step ${command.step}`);
      const entry = await log.restoreVersion(target, step.hash);
      return { data: { entry, restoredFrom: step.hash }, text: `${entry.id} is back to its version after step ${command.step} (a new edit)` };
    }
    case 'resolve': {
      const entry = await log.resolveConflict(await id(command.id), command.field, command.value);
      return { data: { entry }, text: `resolved the ${command.field} of ${entry.id}: "${displayLine(command.value, 80)}"` };
    }
    case 'delete': {
      const target = await id(command.id);
      await log.delete(target);
      return { data: { id: target, deleted: true }, text: `deleted ${target}` };
    }
    case 'ls': {
      const list = log.summaries();
      return { data: { entries: list.entries, invalid: list.invalid, deleted: list.deleted.length }, text: formatList(list) };
    }
    case 'show': {
      const target = await id(command.id);
      const read = log.get(target);
      if (!read) return { data: { id: target }, text: 'not found' };
      if (read.status === 'valid') {
        const version = log.versionToken(target);
        if (read.entry.conflicts?.length) await log.historyReady(); // names who wrote each value
        const conflicts = log.conflictsOf(target);
        return { data: { entry: read.entry, version, conflicts }, text: formatEntry(read.entry, version, conflicts) };
      }
      if (read.status === 'deleted') return { data: { tombstone: read.tombstone }, text: formatTombstone(read.tombstone) };
      return { data: { invalid: read.invalid }, text: invalidLine(read.invalid) };
    }
    case 'history': {
      const target = await id(command.id);
      await log.historyReady();
      const history = log.historyDetails(target);
      return { data: { id: target, history }, text: formatHistory(history) };
    }
    case 'search': {
      await peer.searchIndex.warm(); // a command answers from the whole index
      const results = peer.searchIndex.search(command.text);
      return { data: { ...results }, text: formatSearch(results) };
    }
    case 'export': {
      const report = await peer.exportMarkdown(resolve(command.dir), command.ids.length > 0 ? await Promise.all(command.ids.map(id)) : undefined);
      return { data: { ...report }, text: formatExport(report) };
    }
    case 'import': {
      const report = await peer.importMarkdown(resolve(command.dir));
      return { data: { ...report }, text: formatImport(report) };
    }
    case 'peers': {
      const peers = peer.network.peers();
      return { data: { peers }, text: formatPeers(peers) };
    }
    case 'status': {
      const summary = peer.network.summary();
      const counts = log.counts();
      const data = {
        space: { id: peer.space.id, name: peer.space.name },
        peerId: peer.network.peerId,
        addresses: peer.network.addresses(),
        ...summary,
        drafts: counts.drafts,
        published: counts.published,
        heads: log.sharedVersion(),
      };
      return { data, text: `${displayLine(peer.space.name, 100)}: ${statusText(summary)}; ${data.drafts} drafts, ${data.published} published` };
    }
    case 'invite':
      return { data: { invite: peer.invite() }, text: peer.invite() };
    case 'sync':
      peer.network.syncNow();
      return { data: { started: true }, text: 'syncing with connected peers' };
    case 'spaces': {
      const spaces = await peer.listSpaces();
      return { data: { spaces, current: peer.space.id }, text: formatSpaces(spaces, peer.folder.root, peer.space.id) };
    }
    case 'help':
      return { data: { help: COMMAND_HELP }, text: COMMAND_HELP };
    case 'quit':
      return { data: { quitting: true }, text: 'bye' };
  }
}

