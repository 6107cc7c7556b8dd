/**
 * The reference stack, automerge-repo 2.5 as its documentation sets it up: a Repo per peer with
 * NodeFSStorageAdapter and the WebSocket client/server network adapters, default settings
 * (including its 100 ms sync throttle). Only the benchmark uses it (devDependencies).
 */
import type { WebSocketServer as WsServer } from 'ws';
import { tempFolder } from './ours.js';

type RepoModule = typeof import('@automerge/automerge-repo');
type AmModule = typeof import('@automerge/automerge');
export type Repo = InstanceType<RepoModule['Repo']>;
export type DocHandle = import("@automerge/automerge-repo").DocHandle<import("../src/core/layout.js").SpaceDoc>;

interface Modules {
  repo: RepoModule;
  am: AmModule;
  ws: typeof import('@automerge/automerge-repo-network-websocket');
  fs: typeof import('@automerge/automerge-repo-storage-nodefs');
  WebSocketServer: typeof WsServer;
}
let modules: Promise<Modules> | undefined;

/** ES modules only: loaded with import() from this CommonJS bench. Automerge here is its ESM copy. */
export function load(): Promise<Modules> {
  return (modules ??= (async () => ({
    repo: await import('@automerge/automerge-repo'),
    am: await import('@automerge/automerge'),
    ws: await import('@automerge/automerge-repo-network-websocket'),
    fs: await import('@automerge/automerge-repo-storage-nodefs'),
    WebSocketServer: (await import('ws')).WebSocketServer,
  }))());
}

export interface RepoPeer {
  repo: Repo;
  /** Port of its WebSocket server, when it has one. */
  port?: number;
  dir: string;
  close(): Promise<void>;
}

/** A repo with disk storage; a WebSocket server if `serve`, a client of each of `connectTo` ports. */
export async function repoPeer(name: string, options: { serve?: boolean; connectTo?: number[]; dir?: string } = {}): Promise<RepoPeer> {
  const m = await load();
  const dir = options.dir ?? (await tempFolder(`amrepo-${name}`));
  const network = [];
  let wss: WsServer | undefined;
  if (options.serve) {
    wss = new m.WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss!.once('listening', () => resolve()));
    network.push(new m.ws.WebSocketServerAdapter(wss as never));
  }
  for (const port of options.connectTo ?? []) network.push(new m.ws.WebSocketClientAdapter(`ws://127.0.0.1:${port}`));
  const repo = new m.repo.Repo({ network, storage: new m.fs.NodeFSStorageAdapter(dir), peerId: `${name}-${process.pid}` as never, sharePolicy: async () => true });
  const port = wss ? (wss.address() as { port: number }).port : undefined;
  return {
    repo,
    port,
    dir,
    async close() {
      await repo.shutdown();
      await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
    },
  };
}

/** Connects a running repo to a server port (what a dial is for us). */
export async function connectRepo(peer: RepoPeer, port: number): Promise<void> {
  const m = await load();
  peer.repo.networkSubsystem.addNetworkAdapter(new m.ws.WebSocketClientAdapter(`ws://127.0.0.1:${port}`));
}
