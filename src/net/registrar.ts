import type { Stream } from '@libp2p/interface';
import type { Logger } from '../core/ports.js';
import { DIAL_TIMEOUT_MS } from './constants.js';
import { NetworkNotRunningError, SyncStreamClosedError } from './errors.js';
import type { SpaceLibp2p } from './node.js';
import type { Stack } from './stack.js';

/** Receives one inbound stream of a protocol, with the id of the peer that opened it. */
export type InboundHandler = (peerId: string, stream: Stream) => void;

/**
 * How a service serves its own protocol, as js-libp2p's services do through the registrar in their
 * `start()` (ping, identify): the service names the protocol, its handler and its inbound stream
 * cap. SpaceNetwork's registrar refuses streams from blocked peers and while it is not running,
 * so no service repeats that check; `unhandle` is harmless once the node is gone.
 */
export interface ProtocolRegistrar {
  handle(protocol: string, handler: InboundHandler, options: { maxInboundStreams: number }): Promise<void>;
  unhandle(protocol: string): Promise<void>;
}

export interface SpaceProtocolsComponents {
  logger: Logger;
  /** The libp2p node, once created (undefined before and after a failed start). */
  node(): SpaceLibp2p | undefined;
  stack(): Stack | undefined;
  /** Whether streams from this peer are accepted now (the network runs and the peer is not blocked). */
  accepting(peerId: string): boolean;
}

/** The registrar the space's services use, and their way to open a stream to a connected peer. */
export class SpaceProtocols implements ProtocolRegistrar {
  constructor(private readonly components: SpaceProtocolsComponents) {}

  handle(protocol: string, handler: InboundHandler, options: { maxInboundStreams: number }): Promise<void> {
    return this.node().handle(
      protocol,
      (stream, connection) => {
        const peerId = connection.remotePeer.toString();
        if (this.components.accepting(peerId)) handler(peerId, stream);
        else stream.abort(new Error(`not accepting ${protocol} streams`));
      },
      options,
    );
  }

  async unhandle(protocol: string): Promise<void> {
    try {
      await this.components.node()?.unhandle(protocol);
    } catch (err) {
      this.components.logger.debug(`could not stop serving ${protocol}: ${String(err)}`);
    }
  }

  /** On an open connection only: a sync round or a hello never dials (dialing follows the redial backoff). */
  async openStream(protocol: string, peerId: string, signal: AbortSignal): Promise<Stream> {
    const stack = this.components.stack();
    if (!stack) throw new NetworkNotRunningError('the network has not started');
    const connection = this.node()
      .getConnections(stack.peerIdFromString(peerId))
      .find((c) => c.status === 'open');
    if (!connection) throw new SyncStreamClosedError(`no open connection to ${peerId}`);
    return connection.newStream(protocol, { signal: AbortSignal.any([signal, AbortSignal.timeout(DIAL_TIMEOUT_MS)]) });
  }

  private node(): SpaceLibp2p {
    const node = this.components.node();
    if (!node) throw new NetworkNotRunningError('the network is not running');
    return node;
  }
}
