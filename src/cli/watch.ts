/** Prints what happens without a command: entries arriving from peers, peers coming and going, sync state. */
import type { SpacePeer } from '../engine/space-peer.js';
import type { EntriesChanged } from '../core/note-log.js';
import type { Emit } from './main.js';
import { statusText } from '../core/text.js';
import { arrivals, arrivalText, catchUpText, MAX_ARRIVAL_LINES, PeerLineFilter, readTitle, StatusLine, statusSettleMs } from './feed.js';
import { shortPeerId } from '../core/text.js';
import { displayLine } from '../core/display-text.js';

/** At most this many ids travel in one `catch-up` JSON line. */
const MAX_CATCH_UP_IDS = 100;

export interface Watch {
  /** A command is running (true) or has printed its result (false): readable lines wait for it. */
  setBusy(busy: boolean): void;
  stop(): void;
}

export function watchPeer(peer: SpacePeer, emit: Emit, json: boolean): Watch {
  let busy = false;
  const held: Array<Parameters<Emit>> = [];
  const say: Emit = (type, data, text) => {
    if (busy && !json) held.push([type, data, text]);
    else emit(type, data, text);
  };
  const who = (peerId: string | undefined): string => {
    if (peerId === undefined) return 'a peer';
    const name = peer.network.peers().find((p) => p.peerId === peerId)?.name;
    return name !== undefined ? `${displayLine(name, 100)} (${shortPeerId(peerId)})` : shortPeerId(peerId);
  };
  const self = peer.profile.deviceId;

  // Told in order; an arrival's entries are brought at hand first (on shards a peer's change may
  // have been taken without loading its shard).
  let telling: Promise<void> = Promise.resolve();
  const tell = async (change: EntriesChanged): Promise<void> => {
    if (change.bulk !== undefined) {
      // Whole shards (or a whole document) at once: name the newest of their entries.
      const wanted = new Set(change.ids);
      const entries = peer.log.summaries().entries.filter((e) => wanted.size === 0 || wanted.has(e.id));
      const titles = entries.map((e) => e.title);
      say('catch-up', { from: change.from, scope: change.scope, changes: change.bulk, entries: entries.length, ids: entries.slice(0, MAX_CATCH_UP_IDS).map((e) => e.id) }, catchUpText(change.bulk, who(change.from), titles));
      return;
    }
    const news = arrivals(change.ops ?? [], self);
    await peer.log.load(news.map((op) => op.id));
    if (news.length > MAX_ARRIVAL_LINES) {
      const titles = news.map((op) => readTitle(peer.log.get(op.id), op.id)).reverse();
      say('catch-up', { from: change.from, scope: change.scope, changes: change.ops?.length ?? 0, entries: news.length, ids: news.slice(-MAX_CATCH_UP_IDS).map((op) => op.id) }, catchUpText(change.ops?.length ?? 0, who(change.from), titles));
      return;
    }
    for (const op of news) {
      const read = peer.log.get(op.id);
      if (!read) continue;
      const base = { id: op.id, from: change.from, scope: change.scope, op: op.op, by: op.by, status: read.status };
      const detail = read.status === 'valid' ? { entry: read.entry } : read.status === 'deleted' ? { tombstone: read.tombstone } : { invalid: read.invalid };
      say('entry', { ...base, ...detail }, arrivalText(op, read));
    }
  };
  const told = (change: EntriesChanged): void => {
    telling = telling.then(() => tell(change)).catch((err: unknown) => peer.log.logger.warn(`could not tell what arrived: ${String(err)}`));
  };
  // What arrived while the peer started (a catch-up can be done by then), then what arrives.
  for (const change of peer.takeEarlyChanges()) told(change);
  const offChanged = peer.log.events.on('changed', (change) => {
    if (change.origin === 'remote') told(change);
  });

  const seen = new Map<string, { connected: boolean; name: string | undefined }>();
  const peerLines = new PeerLineFilter();
  const offPeer = peer.network.events.on('peer', (status) => {
    const was = seen.get(status.peerId);
    seen.set(status.peerId, { connected: status.connected, name: status.name });
    const name = status.name !== undefined ? displayLine(status.name, 100) : undefined;
    const who = name !== undefined ? `"${name}" (${shortPeerId(status.peerId)})` : shortPeerId(status.peerId);
    let text: string | undefined;
    if (was?.connected !== status.connected && (was !== undefined || status.connected)) text = `${status.connected ? '+' : '-'} peer ${who} ${status.connected ? 'connected' : 'disconnected'}`;
    else if (status.name !== undefined && was !== undefined && was.name !== status.name) text = `= peer ${shortPeerId(status.peerId)} is called "${name}"`;
    if (json ? peerLines.pass(status) : text !== undefined) say('peer', { ...status }, text);
  });

  const statusLine = new StatusLine((text) => emit('status', {}, text), `status: ${statusText(peer.network.summary())}`);
  // `summary` events come only when the counts changed (the network's StatusChanges).
  const offSummary = peer.network.events.on('summary', (summary) => {
    if (json) emit('sync', { ...summary, heads: peer.log.sharedVersion() });
    else statusLine.update(`status: ${statusText(summary)}`, statusSettleMs(summary));
  });
  const offUnreachable = peer.events.on('invite-unreachable', ({ message, addresses }) => {
    say('invite-unreachable', { message, addresses }, `! ${message} (still trying)`);
  });
  return {
    setBusy(next) {
      busy = next;
      if (!next) for (const line of held.splice(0)) emit(...line);
      statusLine.setBusy(next);
    },
    stop() {
      offUnreachable();
      offChanged();
      offPeer();
      offSummary();
      statusLine.stop();
    },
  };
}
