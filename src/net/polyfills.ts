/**
 * Side-effect module: import it before any libp2p module. Node 20 (the VS Code ≤ 1.100 extension
 * host) lacks two things libp2p 3 relies on; newer runtimes keep their own implementations. It
 * also loads the fix for a crash in the private network's cipher (pnet-cipher.ts), on every runtime.
 */
import WebSocketImpl from 'ws';
import './pnet-cipher.js';

interface PromiseWithResolversShape<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const promiseCtor = Promise as unknown as { withResolvers?: unknown };
if (typeof promiseCtor.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(): PromiseWithResolversShape<T> {
      let resolve!: PromiseWithResolversShape<T>['resolve'];
      let reject!: PromiseWithResolversShape<T>['reject'];
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

/**
 * `ws` delivers the first frame in the same tick as `open` (it arrives in the same TCP read as the
 * HTTP 101), before @libp2p/websockets has attached its `message` listener; the pnet nonce would
 * be lost and the dial would hang. This subclass holds `message` events until a listener exists.
 */
class BufferingWebSocket extends WebSocketImpl {
  private held: unknown[][] = [];
  private flushQueued = false;

  /** The last transport error; kept for debugging, the close event is what libp2p acts on. */
  lastError: Error | undefined;

  constructor(...args: ConstructorParameters<typeof WebSocketImpl>) {
    super(...args);
    // An EventEmitter throws an 'error' nobody listens to, which would crash the process when a
    // dial was already given up (its listeners removed) and the handshake fails later, e.g.
    // "Unexpected server response: 503". A WHATWG WebSocket never throws for an unheard error.
    this.on('error', (err: Error) => {
      this.lastError = err;
    });
    this.on('newListener', (event: string | symbol) => {
      // 'newListener' fires before the listener is added: flush once it is in place.
      if (event === 'message' && this.held.length > 0 && !this.flushQueued) {
        this.flushQueued = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  // `any[]` matches EventEmitter.emit's own signature.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override emit(event: string | symbol, ...args: any[]): boolean {
    if (event === 'message' && (this.held.length > 0 || this.listenerCount('message') === 0)) {
      this.held.push(args);
      return false;
    }
    return super.emit(event, ...args);
  }

  /** WHATWG sockets reject close(1006); libp2p uses it to mean "reset", which is terminate(). */
  override close(code?: number, data?: string | Buffer): void {
    if (code === 1006) this.terminate();
    else super.close(code, data);
  }

  private flush(): void {
    this.flushQueued = false;
    while (this.held.length > 0 && this.listenerCount('message') > 0) {
      const args = this.held.shift() ?? [];
      super.emit('message', ...args);
    }
  }
}

const globals = globalThis as unknown as { WebSocket?: unknown };
if (typeof globals.WebSocket === 'undefined') {
  globals.WebSocket = BufferingWebSocket;
}
