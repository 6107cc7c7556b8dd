/**
 * Loopback plumbing for the benchmarks: a byte-counting TCP proxy (so both stacks' wire bytes
 * are counted the same way, handshakes and framing included) and the physical floors (a round
 * trip of a frame, a bulk transfer) measured on the same machine in the same run.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface CountingProxy {
  port: number;
  /** Bytes from the dialing side to the target / from the target back. */
  readonly up: number;
  readonly down: number;
  reset(): void;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 and forwards every connection to `targetPort`, counting bytes each way. */
export async function countingProxy(targetPort: number): Promise<CountingProxy> {
  let up = 0;
  let down = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const target = connect(targetPort, '127.0.0.1');
    client.setNoDelay(true);
    target.setNoDelay(true);
    for (const s of [client, target]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        target.destroy();
      });
    }
    client.on('data', (chunk) => {
      up += chunk.byteLength;
      if (!target.write(chunk)) client.pause();
    });
    target.on('drain', () => client.resume());
    target.on('data', (chunk) => {
      down += chunk.byteLength;
      if (!client.write(chunk)) target.pause();
    });
    client.on('drain', () => target.resume());
    client.on('end', () => target.end());
    target.on('end', () => client.end());
  });
  const port = await listen(server);
  return {
    port,
    get up() {
      return up;
    },
    get down() {
      return down;
    },
    reset() {
      up = 0;
      down = 0;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Round trips of a `size`-byte frame over a loopback TCP connection (echo server), in ms. */
export async function loopbackRoundTrips(size: number, rounds: number): Promise<number[]> {
  const server = createServer((s) => {
    s.setNoDelay(true);
    s.pipe(s);
  });
  const port = await listen(server);
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const frame = Buffer.alloc(size, 7);
  const times: number[] = [];
  try {
    for (let i = 0; i < rounds + 10; i++) {
      const start = performance.now();
      await new Promise<void>((resolve) => {
        let got = 0;
        const onData = (chunk: Buffer) => {
          got += chunk.byteLength;
          if (got >= size) {
            socket.off('data', onData);
            resolve();
          }
        };
        socket.on('data', onData);
        socket.write(frame);
      });
      if (i >= 10) times.push(performance.now() - start); // the first ten warm up
    }
  } finally {
    socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return times;
}

/** Time to send `bytes` over a loopback TCP connection until the receiver has all of it, in ms. */
export async function loopbackTransfer(bytes: Uint8Array): Promise<number> {
  let done: () => void = () => undefined;
  const received = new Promise<void>((resolve) => (done = resolve));
  const server = createServer((s) => {
    let got = 0;
    s.on('data', (chunk) => {
      got += chunk.byteLength;
      if (got >= bytes.byteLength) done();
    });
  });
  const port = await listen(server);
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const start = performance.now();
  socket.write(bytes);
  await received;
  const elapsed = performance.now() - start;
  socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return elapsed;
}

/** Resolves when `condition` holds, polling every `everyMs`; rejects after `timeoutMs`. */
export async function until(what: string, condition: () => boolean, timeoutMs = 600_000, everyMs = 2): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
