/** Prints what happens without a command: entries arriving from peers, peers coming and going, sync progress. */
import { titleOf } from '../core/entry.js';
import type { SpacePeer } from '../engine/space-peer.js';
import type { Emit } from './main.js';
import { statusText } from '../core/text.js';

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
      if (read.status === 'valid') emit('entry', { ...base, entry: read.entry }, `← ${read.entry.author.name}'s ${read.entry.kind} "${titleOf(read.entry)}" (${id.slice(0, 8)}) changed`);
      else if (read.status === 'deleted') emit('entry', { ...base, tombstone: read.tombstone }, `← ${read.tombstone.kind} ${id.slice(0, 8)} was deleted by ${read.tombstone.deletedBy.name}`);
      else emit('entry', { ...base, invalid: read.invalid }, `← invalid entry ${id.slice(0, 8)}: ${read.invalid.reason}`);
    }
  });
  const connected = new Map<string, boolean>();
  const offPeer = peer.network.events.on('peer', (status) => {
    const was = connected.get(status.peerId);
    connected.set(status.peerId, status.connected);
    const text = was === status.connected ? undefined : `${status.connected ? '+' : '-'} peer ${status.peerId.slice(-12)} ${status.connected ? 'connected' : 'disconnected'}`;
    emit('peer', { ...status }, text);
  });
  let lastSummary = '';
  const offSummary = peer.network.events.on('summary', (summary) => {
    const key = JSON.stringify(summary);
    if (key === lastSummary) return;
    lastSummary = key;
    emit('sync', { ...summary, heads: peer.log.shared.heads() }, `status: ${statusText(summary)}`);
  });
  return () => {
    offChanged();
    offPeer();
    offSummary();
  };
}
