/**
 * A hostile member: the same libp2p stack and the space key, so it gets in, but it sends whatever
 * the test gives it, as gossip on the space topic or as frames on the catch-up protocol (those of
 * a sharded space, what the product runs).
 */
import { SHARD_SYNC_PROTOCOL } from '../../src/net/constants.js';
import type { SpaceLibp2p } from '../../src/net/node.js';
import { startRawNode } from '../helpers/net.js';
import { loadStack } from '../../src/net/stack.js';

export type SyncOutcome = 'answered' | 'closed' | 'refused' | 'timeout';

export class HostileNode {
  /** Gossip payloads this node received on the topic (honest changes, to mutate and replay). */
  readonly heard: Uint8Array[] = [];

  private constructor(
    readonly node: SpaceLibp2p,
    readonly topic: string,
  ) {}

  /**
   * `dialOnly`: it listens nowhere, so the members it attacks are the ones it dials (the fuzz run
   * attacks one member; others that learn its address through the mesh cannot reach it, and so
   * cannot be handed another version of a change it gave that member: equivocation, a known limit
   * with its own tests in test/net/member-attacks.test.ts).
   */
  static async start(space: { id: string; key: Uint8Array }, options: { dialOnly?: boolean } = {}): Promise<HostileNode> {
    const { node, topic } = await startRawNode(space.id, space.key, { sharded: true, dialOnly: options.dialOnly });
    const hostile = new HostileNode(node, topic);
    node.services.pubsub.addEventListener('message', (evt) => {
      if (evt.detail.topic === topic && hostile.heard.length < 500) hostile.heard.push(evt.detail.data);
    });
    return hostile;
  }

  get peerId(): string {
    return this.node.peerId.toString();
  }

  /** Dials `address` and waits until that peer is on the topic (so publishes reach it). */
  async connect(address: string, peerId: string, timeoutMs = 15_000): Promise<void> {
    const { multiaddr } = await loadStack();
    await this.node.dial(multiaddr(address), { signal: AbortSignal.timeout(timeoutMs) });
    const deadline = Date.now() + timeoutMs;
    while (!this.node.services.pubsub.getSubscribers(this.topic).some((p) => p.toString() === peerId)) {
      if (Date.now() > deadline) throw new Error(`${peerId} did not show up on the topic`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  isConnectedTo(peerId: string): boolean {
    return this.node.getConnections().some((c) => c.remotePeer.toString() === peerId && c.status === 'open');
  }

  /** Publishes raw bytes on the topic; false when gossipsub itself refused to send them. */
  async publish(bytes: Uint8Array): Promise<boolean> {
    try {
      await this.node.services.pubsub.publish(this.topic, bytes);
      return true;
    } catch {
      return false; // e.g. no peer left on the topic, or over gossipsub's own size limit
    }
  }

  /**
   * Opens a catch-up stream to `peerId` and writes `frames` (length-prefixed, then the empty frame
   * that ends a turn) or `raw` bytes as is, then waits briefly for an answer.
   */
  async sync(peerId: string, input: { frames?: Uint8Array[]; raw?: Uint8Array }, waitMs = 3_000): Promise<SyncOutcome> {
    const { lpStream, peerIdFromString } = await loadStack();
    let stream;
    try {
      stream = await this.node.dialProtocol(peerIdFromString(peerId), SHARD_SYNC_PROTOCOL, { signal: AbortSignal.timeout(5_000) });
    } catch {
      return 'refused';
    }
    try {
      if (input.raw) {
        stream.send(input.raw);
      } else {
        const lp = lpStream(stream, { maxDataLength: 64 * 1024 * 1024 });
        for (const frame of input.frames ?? []) await lp.write(frame, { signal: AbortSignal.timeout(waitMs) });
        // A turn of the shard protocol ends with an empty frame: the peer then reads what it got.
        await lp.write(new Uint8Array(0), { signal: AbortSignal.timeout(waitMs) });
        const answer = await lp.read({ signal: AbortSignal.timeout(waitMs) }).then(
          () => 'answered' as const,
          (err: unknown) => ((err as Error).name === 'AbortError' || (err as Error).name === 'TimeoutError' ? ('timeout' as const) : ('closed' as const)),
        );
        stream.abort(new Error('done'));
        return answer;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      stream.abort(new Error('done'));
      return 'closed';
    } catch {
      stream.abort(new Error('done'));
      return 'closed';
    }
  }

  async stop(): Promise<void> {
    await this.node.stop();
  }
}
