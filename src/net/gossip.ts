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

export interface SpaceGossipComponents {
  pubsub: GossipSub;
  replica: Replica<unknown>;
  logger: Logger;
  stack: Stack;
  /** The peer relayed malformed or unapplicable data. */
  strike(peerId: string, err: InvalidPeerDataError): void;
  isBlocked(peerId: string): boolean;
}

/**
 * The space's gossip topic: publishes local changes as they become durable, and applies incoming
 * ones inside the topic validator. Only a change that was new here and applied is forwarded
 * (Accept). A duplicate is ignored; so is a change that depends on one we lack: it is neither
 * queued (Automerge would hold it in memory, unchecked against what comes later) nor relayed, and
 * catch-up sync brings both in order. Forwarding what we could not check would let a member make
 * honest relays carry conflicting changes, and then take the blame for them.
 *
 * Malformed messages count as strikes: against the sender when the gossip envelope itself is bad
 * (any relay would have refused it), against the signed author when its change does not decode or
 * apply (a relay may not have had what it conflicts with). Only what the sender wrote itself is
 * rejected, which lowers its gossipsub score; a relayed one is ignored.
 */
export class SpaceGossip {
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(
    private readonly components: SpaceGossipComponents,
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

  /** Publishes one local change; never throws (a change that cannot go out reaches peers by sync). */
  async publish(change: Uint8Array): Promise<void> {
    if (change.byteLength > MAX_GOSSIP_CHANGE_BYTES) {
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
      const result = await this.components.pubsub.publish(this.topic, encodeGossip({ type: 'change', change }));
      this.components.logger.trace(`published a change of ${change.byteLength} bytes to ${result.recipients.length} peer(s)`);
    } catch (err) {
      this.components.logger.warn(`could not publish a change: ${String(err)}`);
    }
  }

  /** Waits for validations in flight (they may still be writing to the replica). */
  async stop(): Promise<void> {
    this.components.pubsub.topicValidators.delete(this.topic);
    await Promise.allSettled([...this.inflight]);
  }

  private async validate(peer: PeerId, message: Message): Promise<ValidatorResult> {
    const { TopicValidatorResult } = this.components.stack;
    const from = peer.toString();
    // StrictSign: every message names the peer that signed it, whoever relayed it to us.
    const author = message.type === 'signed' ? message.from.toString() : from;
    if (this.components.isBlocked(from) || this.components.isBlocked(author)) return TopicValidatorResult.Ignore;
    try {
      const gossip = decodeGossip(message.data);
      // Decoded size before anything decodes it: a deflated chunk or a run-length header can
      // stand for millions of ops in a few hundred bytes (DecodedSizeError: the author's strike).
      measureChunks(gossip.change, GOSSIP_CHANGE_LIMITS);
      const readiness = changeReadiness(this.components.replica.doc, gossip.change);
      if (readiness !== 'ready') {
        this.components.logger.trace(`not applying a gossiped change from ${author}: ${readiness === 'known' ? 'already here' : 'waits for a change we lack (sync brings both)'}`);
        return TopicValidatorResult.Ignore;
      }
      const accepted = this.components.replica.acceptRemoteChanges([gossip.change], author);
      if (accepted.refused.length > 0) throw new InvalidPeerDataError(`refused a gossiped change by ${author}: ${accepted.refused[0]}`);
      // Relayed as soon as it applied; the write finishes in the background (stop() waits for it).
      void this.track(accepted.durable).catch((err: unknown) => this.components.logger.error(`could not store a gossiped change from ${from}: ${String(err)}`));
      return accepted.fresh > 0 ? TopicValidatorResult.Accept : TopicValidatorResult.Ignore;
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
      // Not the peer's fault (the disk, most likely): the change is in memory; don't relay it.
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

type ValidatorResult = Awaited<ReturnType<TopicValidatorFn>>;
