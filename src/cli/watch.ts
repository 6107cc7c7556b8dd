/** Prints what happens without a command: entries arriving from peers, peers coming and going, sync progress. */
import { titleOf } from '../core/entry.js';
import type { SpacePeer } from '../engine/space-peer.js';
import type { Emit } from './main.js';
import { statusText } from '../core/text.js';
import { shortPeer } from './format.js';
import { displayLine } from '../core/display-text.js';

export function watchPeer(peer: SpacePeer, emit: Emit): () => void {
  const offChanged = peer.log.events.on('changed', (change) => {
    if (change.origin !== 'remote') return;
    if (change.bulk !== undefined) {
      emit('catch-up', { from: change.from, scope: change.scope, changes: change.bulk }, `← caught up ${change.bulk.toLocaleString('en')} change(s) at once from ${change.from?.slice(-12) ?? 'a peer'}`);
      return;
    }
    for (const id of change.ids) {
      const read = peer.log.get(id);
      if (!read) continue;
      const base = { id, from: change.from, scope: change.scope, status: read.status };
      if (read.status === 'valid') emit('entry', { ...base, entry: read.entry }, `← ${displayLine(read.entry.author.name, 100)}'s ${read.entry.kind} "${displayLine(titleOf(read.entry), 80)}" (${id.slice(0, 8)}) changed`);
      else if (read.status === 'deleted') emit('entry', { ...base, tombstone: read.tombstone }, `← ${read.tombstone.kind} ${id.slice(0, 8)} was deleted by ${displayLine(read.tombstone.deletedBy.name, 100)}`);
      else emit('entry', { ...base, invalid: read.invalid }, `← invalid entry ${displayLine(id.slice(0, 8))}: ${displayLine(read.invalid.reason, 200)}`);
    }
  });
  const seen = new Map<string, { connected: boolean; name: string | undefined }>();
  const offPeer = peer.network.events.on('peer', (status) => {
    const was = seen.get(status.peerId);
    seen.set(status.peerId, { connected: status.connected, name: status.name });
    const name = status.name !== undefined ? displayLine(status.name, 100) : undefined;
    const who = name !== undefined ? `"${name}" (${shortPeer(status.peerId)})` : shortPeer(status.peerId);
    let text: string | undefined;
    if (was?.connected !== status.connected) text = `${status.connected ? '+' : '-'} peer ${who} ${status.connected ? 'connected' : 'disconnected'}`;
    else if (status.name !== undefined && was.name !== status.name) text = `= peer ${shortPeer(status.peerId)} is called "${name}"`;
    emit('peer', { ...status }, text);
  });
  let lastSummary = '';
  const offSummary = peer.network.events.on('summary', (summary) => {
    const key = JSON.stringify(summary);
    if (key === lastSummary) return;
    lastSummary = key;
    emit('sync', { ...summary, heads: peer.log.shared.heads() }, `status: ${statusText(summary)}`);
  });
  const offUnreachable = peer.events.on('invite-unreachable', ({ message, addresses }) => {
    emit('invite-unreachable', { message, addresses }, `! ${message} (still trying)`);
  });
  return () => {
    offUnreachable();
    offChanged();
    offPeer();
    offSummary();
  };
}
