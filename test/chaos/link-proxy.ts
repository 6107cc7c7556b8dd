/**
 * Fault injection between peer processes: a TCP proxy on 127.0.0.1 per directed link, which the
 * test can cut and heal.
 *
 * - `up`: bytes flow both ways.
 * - `paused`: a partition that drops packets. Nothing is forwarded (the sockets stop reading, so
 *   TCP backpressure stalls the senders, as lost packets would); new connections are accepted but
 *   not forwarded. On heal, held connections resume exactly like TCP after retransmission: a
 *   connection that the peers did not give up on meanwhile carries on.
 * - `reset`: the far side went away. Every open connection is reset (RST) and new ones are refused.
 *
 * The proxy looks up its target port on every new connection, so a restarted peer is reached
 * wherever it listens now.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export type LinkState = 'up' | 'paused' | 'reset';

interface Pair {
  readonly client: Socket;
  upstream: Socket | undefined;
}

export class LinkProxy {
  private readonly pairs = new Set<Pair>();
  private current: LinkState = 'up';
  readonly stats = { connections: 0, resets: 0, pauses: 0, bytes: 0 };

  private constructor(
    readonly name: string,
    private readonly server: Server,
    readonly port: number,
    private readonly target: () => number | undefined,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(name: string, target: () => number | undefined): Promise<LinkProxy> {
    const server = createServer({ pauseOnConnect: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return new LinkProxy(name, server, (server.address() as { port: number }).port, target);
  }

  get state(): LinkState {
    return this.current;
  }

  /** Address a libp2p peer dials to reach the target through this link. */
  multiaddr(peerId?: string): string {
    return `/ip4/127.0.0.1/tcp/${this.port}/ws${peerId ? `/p2p/${peerId}` : ''}`;
  }

  set(state: LinkState): void {
    if (state === this.current) return;
    this.current = state;
    if (state === 'reset') {
      this.stats.resets++;
      for (const pair of [...this.pairs]) this.drop(pair);
    } else if (state === 'paused') {
      this.stats.pauses++;
      for (const pair of this.pairs) {
        pair.client.pause();
        pair.upstream?.pause();
      }
    } else {
      for (const pair of [...this.pairs]) {
        if (pair.upstream) {
          pair.client.resume();
          pair.upstream.resume();
        } else this.connectUpstream(pair);
      }
    }
  }

  async close(): Promise<void> {
    for (const pair of [...this.pairs]) this.drop(pair);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.stats.connections++;
    const pair: Pair = { client, upstream: undefined };
    client.on('error', () => this.drop(pair)); // a reset from the peer: the pair is finished
    if (this.current === 'reset') {
      client.resetAndDestroy();
      return;
    }
    this.pairs.add(pair);
    client.on('close', () => this.drop(pair));
    if (this.current === 'up') this.connectUpstream(pair);
    // paused: held, unread, until the link heals or the dialer gives up
  }

  private connectUpstream(pair: Pair): void {
    const port = this.target();
    if (port === undefined) {
      this.drop(pair); // the peer is down: connection refused, as the real port would say
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port });
    pair.upstream = upstream;
    upstream.on('error', () => this.drop(pair));
    upstream.on('close', () => this.drop(pair));
    this.forward(pair.client, upstream);
    this.forward(upstream, pair.client);
    pair.client.resume();
  }

  /** Copies bytes one way, with backpressure; stops reading while the link is paused. */
  private forward(from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      this.stats.bytes += chunk.length;
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => {
          if (this.current === 'up') from.resume();
        });
      }
      if (this.current !== 'up') from.pause();
    });
  }

  private drop(pair: Pair): void {
    if (!this.pairs.delete(pair)) {
      if (!pair.client.destroyed) pair.client.resetAndDestroy();
      return;
    }
    if (!pair.client.destroyed) pair.client.resetAndDestroy();
    if (pair.upstream && !pair.upstream.destroyed) pair.upstream.resetAndDestroy();
  }
}

/**
 * A port where every connection is reset at once: the address peers announce in the partition
 * test, so that the only working routes between them are the links the test controls.
 */
export class DeadEnd {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<DeadEnd> {
    const server = createServer((socket) => {
      socket.on('error', () => undefined); // the dialer may reset first; nothing to report
      socket.resetAndDestroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new DeadEnd(server, (server.address() as { port: number }).port);
  }

  get multiaddr(): string {
    return `/ip4/127.0.0.1/tcp/${this.port}/ws`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A free port on 127.0.0.1 right now (the caller binds it soon after; fine on loopback). */
export async function freePort(): Promise<number> {
  // Below Linux's ephemeral range (32768–60999): a port the system hands out to outgoing
  // connections (other tests run beside this one) could be taken again before the peer listens.
  for (let attempt = 0; ; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (bound) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    }
    if (attempt > 100) throw new Error('no free port below the ephemeral range');
  }
}
