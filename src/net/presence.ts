import type { GossipSub, Message, SubscriptionChangeData, TopicValidatorFn } from '@libp2p/gossipsub';
import type { PeerId } from '@libp2p/interface';
import type { EntryId } from '../core/ids.js';
import type { Logger } from '../core/ports.js';
import {
  MAX_PRESENCE_PEERS,
  MAX_PRESENCE_SELECTIONS,
  PRESENCE_BURST,
  PRESENCE_EXPIRY_MS,
  PRESENCE_HEARTBEAT_MS,
  PRESENCE_RATE_PER_S,
  PRESENCE_THROTTLE_MS,
} from './constants.js';
import { InvalidPresenceError, UnsupportedPresenceVersionError } from './errors.js';
import { decodePresence, encodePresence, type Selection } from './presence-codec.js';
import type { Stack } from './stack.js';

export type { Selection } from './presence-codec.js';

/** What we tell the space about ourselves: the entry we have open and where our cursors are. */
export interface LocalPresence {
  readonly entry: EntryId;
  readonly selections: readonly Selection[];
}

/** A peer that has an entry open, as the front ends show it. */
export interface PeerPresence {
  readonly peerId: string;
  /** The name the peer announced in its hello (never one from a presence message); absent until it did. */
  readonly name?: string;
  readonly entry: EntryId;
  readonly selections: readonly Selection[];
  /** When its last presence message arrived here (our clock). */
  readonly at: number;
}

export interface SpacePresenceComponents {
  pubsub: GossipSub;
  logger: Logger;
  stack: Stack;
  selfId: string;
  isBlocked(peerId: string): boolean;
  /** The display name a peer announced (hello protocol). */
  nameOf(peerId: string): string | undefined;
  /** The list of peers' presence changed. */
  changed(): void;
}

export interface SpacePresenceInit {
  topic: string;
  throttleMs?: number;
  heartbeatMs?: number;
  expiryMs?: number;
}

/** What we know of one author: its newest seq, its presence if it has an entry open, its rate budget. */
interface AuthorRecord {
  seq: number;
  presence: { entry: EntryId; selections: readonly Selection[]; at: number } | undefined;
  tokens: number;
  refilledAt: number;
  warnedAt: number;
  expiry: ReturnType<typeof setTimeout>;
}

const WARN_EVERY_MS = 60_000;

/**
 * Presence on the space's presence topic (keys.ts presenceTopicForSpace): ephemeral, never written
 * to the log. Only members receive it: every connection passed the space's private network.
 *
 * Sending: a change of our presence goes out at once, or PRESENCE_THROTTLE_MS after the previous
 * message (the latest state wins); while an entry is open it is repeated every PRESENCE_HEARTBEAT_MS;
 * closing the entry sends a message without one at once.
 *
 * Receiving (inside the topic validator): the author is the gossip message's signed `from`; its
 * messages are rate-limited (a token bucket), decoded and bounded (presence-codec.ts), and taken only
 * when newer than the last one (seq). A presence expires PRESENCE_EXPIRY_MS after the author's last
 * message, and at once when the author closes its entry or disconnects from us. A bad message is
 * logged and ignored, never a strike: presence is only a hint. The topic has no score parameters
 * (node.ts), so nothing here moves a peer's gossipsub score.
 */
export class SpacePresence {
  private local: LocalPresence | undefined;
  private seq = 0;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private sendTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeat: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly authors = new Map<string, AuthorRecord>();
  private readonly throttleMs: number;
  private readonly heartbeatMs: number;
  private readonly expiryMs: number;
  private readonly onSubscription = (evt: CustomEvent<SubscriptionChangeData>) => {
    if (this.local && evt.detail.subscriptions.some((s) => s.subscribe && s.topic === this.init.topic)) this.schedule();
  };

  constructor(
    private readonly components: SpacePresenceComponents,
    private readonly init: SpacePresenceInit,
  ) {
    this.throttleMs = init.throttleMs ?? PRESENCE_THROTTLE_MS;
    this.heartbeatMs = init.heartbeatMs ?? PRESENCE_HEARTBEAT_MS;
    this.expiryMs = init.expiryMs ?? PRESENCE_EXPIRY_MS;
  }

  start(): void {
    const { pubsub } = this.components;
    const validator: TopicValidatorFn = (peer, message) => this.validate(peer, message);
    pubsub.topicValidators.set(this.init.topic, validator);
    pubsub.addEventListener('subscription-change', this.onSubscription);
    pubsub.subscribe(this.init.topic);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.sendTimer);
    clearTimeout(this.heartbeat);
    for (const record of this.authors.values()) clearTimeout(record.expiry);
    this.authors.clear();
    const { pubsub } = this.components;
    pubsub.removeEventListener('subscription-change', this.onSubscription);
    pubsub.topicValidators.delete(this.init.topic);
  }

  /** Sets (or clears, with undefined) the entry we have open and our selections in it. */
  set(presence: LocalPresence | undefined): void {
    const next = presence && { entry: presence.entry, selections: presence.selections.slice(0, MAX_PRESENCE_SELECTIONS).map((s) => ({ anchor: s.anchor, active: s.active })) };
    if (samePresence(next, this.local)) return;
    const had = this.local !== undefined;
    this.local = next;
    if (this.stopped) return;
    if (next) this.schedule();
    else if (had) this.send(); // closed: at once, whatever the throttle
  }

  /** Peers with an entry open, by peer id. */
  list(): PeerPresence[] {
    const out: PeerPresence[] = [];
    for (const [peerId, record] of this.authors) {
      if (!record.presence) continue;
      const name = this.components.nameOf(peerId);
      out.push({ peerId, ...(name !== undefined ? { name } : {}), ...record.presence });
    }
    return out.sort((a, b) => a.peerId.localeCompare(b.peerId));
  }

  /** The peer's hello name changed: its presence reads differently. */
  renamed(peerId: string): void {
    if (this.authors.get(peerId)?.presence) this.components.changed();
  }

  /** The peer disconnected from us: its presence goes now (a relay may bring it back with its next message). */
  disconnected(peerId: string): void {
    const record = this.authors.get(peerId);
    if (!record?.presence) return;
    record.presence = undefined;
    this.components.changed();
  }

  private schedule(): void {
    if (this.sendTimer !== undefined || this.stopped) return;
    const wait = this.lastSentAt + this.throttleMs - Date.now();
    if (wait <= 0) this.send();
    else this.sendTimer = setTimeout(() => this.send(), wait);
  }

  private send(): void {
    clearTimeout(this.sendTimer);
    clearTimeout(this.heartbeat);
    this.sendTimer = undefined;
    this.heartbeat = undefined;
    if (this.stopped) return;
    this.lastSentAt = Date.now();
    // Starts at the clock, so a restarted sender's messages are newer than the ones before its restart.
    this.seq = Math.max(this.seq + 1, Date.now());
    const local = this.local;
    const bytes = encodePresence({ seq: this.seq, ...(local ? { entry: local.entry } : {}), selections: local?.selections ?? [] });
    this.components.pubsub.publish(this.init.topic, bytes).catch((err: unknown) => {
      if (!this.stopped) this.components.logger.debug(`could not publish presence: ${String(err)}`);
    });
    if (local) this.heartbeat = setTimeout(() => this.send(), this.heartbeatMs);
  }

  private validate(peer: PeerId, message: Message): ValidatorResult {
    const { TopicValidatorResult } = this.components.stack;
    const { logger } = this.components;
    if (this.stopped || message.type !== 'signed') return TopicValidatorResult.Ignore;
    const from = peer.toString();
    const author = message.from.toString();
    if (author === this.components.selfId || this.components.isBlocked(from) || this.components.isBlocked(author)) return TopicValidatorResult.Ignore;
    const record = this.recordOf(author);
    if (!record) {
      logger.debug(`ignoring presence from ${author}: already tracking ${MAX_PRESENCE_PEERS} peers`);
      return TopicValidatorResult.Ignore;
    }
    if (!takeToken(record)) {
      logger.trace(`ignoring presence from ${author}: over ${PRESENCE_RATE_PER_S} messages per second`);
      return TopicValidatorResult.Ignore;
    }
    let decoded;
    try {
      decoded = decodePresence(message.data);
    } catch (err) {
      if (err instanceof UnsupportedPresenceVersionError) {
        logger.debug(`ignoring presence from ${author}: ${err.message} is newer than this version`);
      } else if (err instanceof InvalidPresenceError) {
        const now = Date.now();
        const warn = now - record.warnedAt > WARN_EVERY_MS;
        if (warn) record.warnedAt = now;
        (warn ? logger.warn : logger.debug).call(logger, `ignoring bad presence from ${author} (via ${from}): ${err.name}: ${err.message}`);
      } else {
        logger.error(`could not read presence from ${author}: ${String(err)}`);
      }
      return TopicValidatorResult.Ignore;
    }
    if (decoded.seq <= record.seq) return TopicValidatorResult.Ignore; // a late or repeated one
    record.seq = decoded.seq;
    const before = record.presence;
    record.presence = decoded.entry !== undefined ? { entry: decoded.entry, selections: decoded.selections, at: Date.now() } : undefined;
    if (!samePresence(before, record.presence)) this.components.changed();
    return TopicValidatorResult.Accept; // relayed: members we are connected to and the author is not hear it too
  }

  /** The author's record, its expiry pushed back; undefined when too many authors are tracked. */
  private recordOf(author: string): AuthorRecord | undefined {
    let record = this.authors.get(author);
    if (record) {
      record.expiry.refresh();
      return record;
    }
    if (this.authors.size >= MAX_PRESENCE_PEERS) return undefined;
    record = {
      seq: -1,
      presence: undefined,
      tokens: PRESENCE_BURST,
      refilledAt: Date.now(),
      warnedAt: Number.NEGATIVE_INFINITY,
      expiry: setTimeout(() => this.expire(author), this.expiryMs),
    };
    this.authors.set(author, record);
    return record;
  }

  private expire(author: string): void {
    const record = this.authors.get(author);
    if (!record) return;
    this.authors.delete(author);
    if (record.presence) {
      this.components.logger.debug(`presence of ${author} expired`);
      this.components.changed();
    }
  }
}

function takeToken(record: AuthorRecord): boolean {
  const now = Date.now();
  record.tokens = Math.min(PRESENCE_BURST, record.tokens + ((now - record.refilledAt) / 1000) * PRESENCE_RATE_PER_S);
  record.refilledAt = now;
  if (record.tokens < 1) return false;
  record.tokens -= 1;
  return true;
}

function samePresence(a: Omit<LocalPresence, 'at'> | undefined, b: Omit<LocalPresence, 'at'> | undefined): boolean {
  if (!a || !b) return a === b;
  return a.entry === b.entry && a.selections.length === b.selections.length &&
    a.selections.every((s, i) => s.anchor === b.selections[i]?.anchor && s.active === b.selections[i]?.active);
}

type ValidatorResult = Awaited<ReturnType<TopicValidatorFn>>;
