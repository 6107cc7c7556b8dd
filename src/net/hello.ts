import type { Stream } from '@libp2p/interface';
import { cleanDisplayName } from '../core/display-name.js';
import { InvalidPeerDataError } from '../core/errors.js';
import type { KnownPeer } from '../core/known-peer.js';
import type { Logger } from '../core/ports.js';
import { HELLO_PROTOCOL, MAX_INBOUND_HELLO_STREAMS } from './constants.js';
import { readHello, sendHello, type Hello } from './hello-codec.js';
import type { ProtocolRegistrar } from './registrar.js';

/**
 * The hello protocol: on connect, and whenever our display name changes, a peer tells each
 * connected peer its name and device (one frame on a stream of its own, hello-codec.ts); what
 * peers announced is kept per peer for `PeerStatus.name` / `device`. A bad hello is logged and
 * ignored, never a strike: a name is only a label.
 */

export interface SpaceHelloComponents {
  logger: Logger;
  /** Opens a hello stream on an open connection to the peer. */
  openStream(peerId: string, signal: AbortSignal): Promise<Stream>;
  /** The name we know for this peer changed. */
  changed(peerId: string): void;
  /** The first well-formed hello from this peer arrived (it speaks our protocols). */
  greeted?(peerId: string): void;
  connectedPeers(): string[];
  /** Where start() registers HELLO_PROTOCOL. */
  registrar: ProtocolRegistrar;
}

export interface SpaceHelloInit {
  /** Our display name; cleaned. Empty: peers show our short id. */
  name?: string;
  /** Our device id (the author id on our entries), announced with the name. */
  device?: string;
  /** Names and devices remembered from an earlier run (peers.json), shown until a peer says hello. */
  known?: readonly KnownPeer[];
  timeoutMs?: number;
}

/** The names peers announced, and the announcement of ours, for one SpaceNetwork. */
export class SpaceHello {
  private readonly names = new Map<string, string>();
  private readonly greetedBy = new Set<string>();
  private readonly devices = new Map<string, string>();
  private readonly remembered: ReadonlyMap<string, KnownPeer>;
  private readonly receiving = new Set<string>();
  private readonly stopping = new AbortController();
  private name: string;

  constructor(
    private readonly components: SpaceHelloComponents,
    private readonly init: SpaceHelloInit = {},
  ) {
    this.name = cleanDisplayName(init.name ?? '');
    this.remembered = new Map((init.known ?? []).map((p) => [p.peerId, p]));
  }

  /** The display name the peer announced, else the one it announced in an earlier run, if any. */
  nameOf(peerId: string): string | undefined {
    return this.names.get(peerId) ?? this.remembered.get(peerId)?.name;
  }

  /** The device id the peer announced (now or in an earlier run), if any. */
  deviceOf(peerId: string): string | undefined {
    return this.devices.get(peerId) ?? this.remembered.get(peerId)?.device;
  }

  /** A known peer with the name and device to remember for the next run. */
  labelled(peer: KnownPeer): KnownPeer {
    const name = this.nameOf(peer.peerId);
    const device = this.deviceOf(peer.peerId);
    return { ...peer, ...(name !== undefined ? { name } : {}), ...(device !== undefined ? { device } : {}) };
  }

  /** A well-formed hello from this peer arrived (in this run). */
  hasGreeted(peerId: string): boolean {
    return this.greetedBy.has(peerId);
  }

  /** A peer connected: tell it who we are. */
  connected(peerId: string): void {
    void this.announce(peerId);
  }

  /** Our name changed: tell every connected peer. */
  setName(name: string): void {
    const cleaned = cleanDisplayName(name);
    if (cleaned === this.name) return;
    this.name = cleaned;
    for (const peerId of this.components.connectedPeers()) void this.announce(peerId);
  }

  /** A peer opened a hello stream; one at a time per peer. */
  handleInbound(peerId: string, stream: Stream): void {
    if (this.stopping.signal.aborted || this.receiving.has(peerId)) {
      stream.abort(new Error('a hello from this peer is already being read'));
      return;
    }
    this.receiving.add(peerId);
    void this.receive(peerId, stream).finally(() => this.receiving.delete(peerId));
  }

  /** Serves HELLO_PROTOCOL. */
  async start(): Promise<void> {
    await this.components.registrar.handle(HELLO_PROTOCOL, (peerId, stream) => this.handleInbound(peerId, stream), { maxInboundStreams: MAX_INBOUND_HELLO_STREAMS });
  }

  async stop(): Promise<void> {
    this.stopping.abort(new Error('network stopping'));
    await this.components.registrar.unhandle(HELLO_PROTOCOL);
  }

  private async receive(peerId: string, stream: Stream): Promise<void> {
    const { logger } = this.components;
    let hello: Hello;
    try {
      hello = await readHello(stream, { timeoutMs: this.init.timeoutMs, signal: this.stopping.signal });
    } catch (err) {
      if (this.stopping.signal.aborted) return;
      const text = `${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
      if (err instanceof InvalidPeerDataError) logger.warn(`ignoring a bad hello from ${peerId}: ${text}`);
      else logger.debug(`no hello from ${peerId}: ${text}`);
      return;
    }
    if (!this.greetedBy.has(peerId)) {
      this.greetedBy.add(peerId);
      this.components.greeted?.(peerId);
    }
    const { name, device } = hello;
    if ((this.names.get(peerId) ?? '') === name && (device === undefined || this.devices.get(peerId) === device)) return;
    if (device !== undefined) this.devices.set(peerId, device);
    if (name === '') this.names.delete(peerId);
    else this.names.set(peerId, name);
    logger.debug(`peer ${peerId} is called "${name}"`);
    this.components.changed(peerId);
  }

  private async announce(peerId: string): Promise<void> {
    if (this.stopping.signal.aborted) return;
    try {
      const stream = await this.components.openStream(peerId, this.stopping.signal);
      await sendHello(stream, this.name, { timeoutMs: this.init.timeoutMs, signal: this.stopping.signal, device: this.init.device });
    } catch (err) {
      if (!this.stopping.signal.aborted) this.components.logger.debug(`could not tell ${peerId} our name: ${String(err)}`);
    }
  }
}
