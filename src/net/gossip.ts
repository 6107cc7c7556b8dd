import type { GossipSub, Message, TopicValidatorFn } from '@libp2p/gossipsub';
import type { PeerId } from '@libp2p/interface';
import { changeReadiness } from '../core/change-deps.js';
import { measureChunks, type DecodedLimits } from '../core/decoded-size.js';
import { InvalidPeerDataError } from '../core/errors.js';
import type { Logger } from '../core/ports.js';
import type { Replica } from '../core/replica.js';
import { MAX_GOSSIP_CHANGE_OPS, MAX_GOSSIP_CHANGE_VALUE_BYTES } from './constants.js';
import { InvalidGossipMessageError, UnsupportedGossipTypeError } from './errors.js';
import { decodeGossip, encodeGossip, MAX_GOSSIP_CHANGE_BYTES } from './gossip-codec.js';
import type { Stack } from './stack.js';

/** One uncompressed change chunk, small once decoded: it is applied inside the validator. */
export const GOSSIP_CHANGE_LIMITS: DecodedLimits = {
  maxOps: MAX_GOSSIP_CHANGE_OPS,
  maxValueBytes: MAX_GOSSIP_CHANGE_VALUE_BYTES,
  maxChanges: 1,
  maxInflatedBytes: 0,
  documents: false,
};

/** What every gossip topic needs: the pubsub, strikes and blocks of the peer policy. */
export interface TopicGossipComponents {
  pubsub: GossipSub;
  logger: Logger;
  stack: Stack;
  /** The peer relayed malformed or unapplicable data. */
  strike(peerId: string, err: InvalidPeerDataError): void;
  isBlocked(peerId: string): boolean;
}

export interface SpaceGossipComponents extends TopicGossipComponents {
  replica: Replica<unknown>;
}

/** What applying one message gave: relay it (it was new here and applied), or not; and its write. */
export interface GossipVerdict {
  readonly relay: boolean;
  readonly durable?: Promise<unknown>;
}

/**
 * One gossip topic of the space: applies incoming messages inside the topic validator and relays
 * only what was new here and applied (Accept). A duplicate is ignored; so is a change that depends
 * on one we lack: it is neither queued (it would be held in memory, unchecked against what comes
 * later) nor relayed, and catch-up sync brings both in order. Forwarding what we could not check
 * would let a member make honest relays carry conflicting changes, and then take the blame for them.
 *
 * Malformed messages count as strikes: against the sender when the gossip envelope itself is bad
 * (any relay would have refused it), against the signed author when its change does not decode or
 * apply (a relay may not have had what it conflicts with). Only what the sender wrote itself is
 * rejected, which lowers its gossipsub score; a relayed one is ignored.
 */
export abstract class TopicGossip {
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(
    protected readonly components: TopicGossipComponents,
    private readonly topic: string,
  ) {}

  start(): void {
    const { pubsub } = this.components;
    const validator: TopicValidatorFn = (peer, message) => this.track(this.validate(peer, message));
    pubsub.topicValidators.set(this.topic, validator);
    pubsub.subscribe(this.topic);
  }

  /**
   * Peers in our gossip mesh for the topic: the ones a change we relay reaches directly.
   * getMeshPeers is on gossipsub's implementation class but not on the interface it exports.
   */
  meshPeers(): string[] {
    const pubsub = this.components.pubsub as GossipSub & { getMeshPeers?: (topic: string) => string[] };
    if (typeof pubsub.getMeshPeers === 'function') return pubsub.getMeshPeers(this.topic);
    return pubsub.getSubscribers(this.topic).map(String);
  }

  /** Waits for validations in flight (they may still be writing). */
  async stop(): Promise<void> {
    this.components.pubsub.topicValidators.delete(this.topic);
    await Promise.allSettled([...this.inflight]);
  }

  /** Applies one message's bytes from `author`; throws the gossip errors or InvalidPeerDataError. */
  protected abstract apply(data: Uint8Array, author: string): GossipVerdict | Promise<GossipVerdict>;

  /**
   * Publishes one local change (`encode` makes the message); never throws: a change that cannot go
   * out (over `maxBytes`, or too large once decoded) reaches peers by sync.
   */
  protected async publishChange(change: Uint8Array, maxBytes: number, encode: () => Uint8Array): Promise<void> {
    if (change.byteLength > maxBytes) {
      this.components.logger.debug(`change of ${change.byteLength} bytes is too large for gossip; sync carries it`);
      return;
    }
    try {
      measureChunks(change, GOSSIP_CHANGE_LIMITS);
    } catch (err) {
      this.components.logger.debug(`change too large for gossip once decoded (${(err as Error).message}); sync carries it`);
      return;
    }
    try {
      const result = await this.components.pubsub.publish(this.topic, encode());
      this.components.logger.trace(`published a change of ${change.byteLength} bytes to ${result.recipients.length} peer(s)`);
    } catch (err) {
      this.components.logger.warn(`could not publish a change: ${String(err)}`);
    }
  }

  private async validate(peer: PeerId, message: Message): Promise<ValidatorResult> {
    const { TopicValidatorResult } = this.components.stack;
    const from = peer.toString();
    // StrictSign: every message names the peer that signed it, whoever relayed it to us.
    const author = message.type === 'signed' ? message.from.toString() : from;
    if (this.components.isBlocked(from) || this.components.isBlocked(author)) return TopicValidatorResult.Ignore;
    try {
      const verdict = await this.apply(message.data, author);
      // Relayed as soon as it applied; a write may finish in the background (stop() waits for it).
      if (verdict.durable) void this.track(verdict.durable).catch((err: unknown) => this.components.logger.error(`could not store a gossiped change from ${from}: ${String(err)}`));
      return verdict.relay ? TopicValidatorResult.Accept : TopicValidatorResult.Ignore;
    } catch (err) {
      if (err instanceof InvalidGossipMessageError) {
        this.components.strike(from, err);
        return TopicValidatorResult.Reject;
      }
      if (err instanceof InvalidPeerDataError) {
        this.components.strike(author, err);
        // A relay is not penalised by gossipsub's score either: Reject only what the sender wrote.
        return author === from ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore;
      }
      if (err instanceof UnsupportedGossipTypeError) {
        this.components.logger.debug(`ignoring gossip from ${from}: ${err.message}`);
        return TopicValidatorResult.Ignore;
      }
      // Not the peer's fault (the disk, most likely): the change may be in memory; don't relay it.
      this.components.logger.error(`could not apply a gossiped change from ${from}: ${String(err)}`);
      return TopicValidatorResult.Ignore;
    }
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inflight.add(promise);
    const done = () => this.inflight.delete(promise);
    promise.then(done, done); // the caller handles the outcome; this only keeps the set current
    return promise;
  }
}

/** The space's gossip topic over one replica (a v1 space: one Automerge document). */
export class SpaceGossip extends TopicGossip {
  private readonly replica: Replica<unknown>;

  constructor(components: SpaceGossipComponents, topic: string) {
    super(components, topic);
    this.replica = components.replica;
  }

  /** Publishes one local change; never throws (a change that cannot go out reaches peers by sync). */
  publish(change: Uint8Array): Promise<void> {
    return this.publishChange(change, MAX_GOSSIP_CHANGE_BYTES, () => encodeGossip({ type: 'change', change }));
  }

  protected apply(data: Uint8Array, author: string): GossipVerdict {
    const gossip = decodeGossip(data);
    // Decoded size before anything decodes it: a deflated chunk or a run-length header can
    // stand for millions of ops in a few hundred bytes (DecodedSizeError: the author's strike).
    measureChunks(gossip.change, GOSSIP_CHANGE_LIMITS);
    const readiness = changeReadiness(this.replica.doc, gossip.change);
    if (readiness !== 'ready') {
      this.components.logger.trace(`not applying a gossiped change from ${author}: ${readiness === 'known' ? 'already here' : 'waits for a change we lack (sync brings both)'}`);
      return { relay: false };
    }
    const accepted = this.replica.acceptRemoteChanges([gossip.change], author);
    if (accepted.refused.length > 0) throw new InvalidPeerDataError(`refused a gossiped change by ${author}: ${accepted.refused[0]}`);
    return { relay: accepted.fresh > 0, durable: accepted.durable };
  }
}

type ValidatorResult = Awaited<ReturnType<TopicValidatorFn>>;
