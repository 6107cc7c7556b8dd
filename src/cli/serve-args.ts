import { InvalidInputError } from '../core/errors.js';
import { DEFAULT_MAX_RESERVATIONS } from '../engine/defaults.js';
import { defaultDataDir, type PeerArgs } from './args.js';

/** The peer's options that serve shares, plus its own. */
export type ServeArgs = Pick<PeerArgs, 'data' | 'join' | 'newSpace' | 'listen' | 'announce' | 'bootstrap' | 'name' | 'mdns' | 'json' | 'logLevel'> & {
  command: 'serve' | 'help';
  /** Spaces to host; none: every space in the data folder. */
  spaces: string[];
  /** host:port of the health and metrics endpoint; off when undefined. */
  metrics?: { host: string; port: number };
  /** Append logs to this file instead of stderr (reopened on SIGHUP). */
  log?: string;
  /** Relay reservations held at once; 0 runs no relay. */
  maxReservations: number;
};

export const SERVE_USAGE = `Usage: shared-notes serve [options]

Runs an always-on peer as a daemon: hosts the spaces of its data folder, relays for members
behind NAT (circuit relay v2), never reads standard input, and stops cleanly on SIGTERM/SIGINT.

Options:
  --data DIR             data folder (default: $SHARED_NOTES_DATA or ~/.local/share/shared-notes)
  --space ID             host this space, repeatable (default: every space in DIR)
  --join INVITE          join the space of an invite first (kept in DIR for later starts)
  --new-space NAME       create a new space first
  --listen MULTIADDR     listen address, repeatable (e.g. /ip4/0.0.0.0/tcp/4001/ws). With several
                         spaces, the Nth space (from 0) listens on the given port + N
  --announce MULTIADDR   public address to give peers (e.g. /dns4/notes.example.org/tcp/4001/ws),
                         repeatable; ports shift per space like --listen
  --bootstrap MULTIADDR  peer to dial, repeatable
  --metrics HOST:PORT    serve /metrics (Prometheus) and /health there (e.g. 127.0.0.1:9464)
  --log FILE             append logs to FILE instead of stderr; SIGHUP reopens it (logrotate)
  --max-reservations N   members that may hold a relay reservation at once (default ${DEFAULT_MAX_RESERVATIONS}; 0: no relay)
  --name DISPLAYNAME     the name members see for this peer (kept in DIR)
  --no-mdns              do not discover peers on the local network
  --json                 one JSON object per stdout line
  --verbose / --quiet    more / fewer log lines
  -h, --help             this help
`;

function hostPort(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new InvalidInputError(`--metrics needs HOST:PORT, like 127.0.0.1:9464 (got "${text}")`);
  return { host: match[1] ?? match[2]!, port };
}

function count(flag: string, text: string): number {
  if (!/^\d{1,6}$/.test(text)) throw new InvalidInputError(`${flag} needs a whole number (got "${text}")`);
  return Number(text);
}

/** Parses the arguments after `serve`. Throws InvalidInputError with a clear message. */
export function parseServeArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ServeArgs {
  const args: ServeArgs = {
    command: 'serve',
    data: defaultDataDir(env),
    spaces: [],
    listen: [],
    announce: [],
    bootstrap: [],
    mdns: true,
    json: false,
    logLevel: 'info',
    maxReservations: DEFAULT_MAX_RESERVATIONS,
  };
  const rest = [...argv];
  while (rest.length > 0) {
    const arg = rest.shift()!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const take = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = rest.shift();
      if (v === undefined || v.startsWith('--')) throw new InvalidInputError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--data': args.data = take(); break;
      case '--space': args.spaces.push(take()); break;
      case '--join': args.join = take(); break;
      case '--new-space': args.newSpace = take(); break;
      case '--listen': args.listen.push(take()); break;
      case '--announce': args.announce.push(take()); break;
      case '--bootstrap': args.bootstrap.push(take()); break;
      case '--metrics': args.metrics = hostPort(take()); break;
      case '--log': args.log = take(); break;
      case '--max-reservations': args.maxReservations = count(flag, take()); break;
      case '--name': args.name = take(); break;
      case '--no-mdns': args.mdns = false; break;
      case '--json': args.json = true; break;
      case '--verbose': args.logLevel = 'debug'; break;
      case '--quiet': args.logLevel = 'warn'; break;
      case '-h': case '--help': case 'help': args.command = 'help'; break;
      default: throw new InvalidInputError(`unknown option "${arg}" for serve (see shared-notes serve --help)`);
    }
  }
  if (args.newSpace !== undefined && args.join !== undefined) throw new InvalidInputError('--new-space and --join cannot be used together');
  return args;
}

/** The Nth hosted space listens (and announces) on each fixed port + N; port 0 stays 0. */
export function shiftPorts(addrs: readonly string[], offset: number): string[] {
  return addrs.map((a) =>
    a.replace(/\/(tcp|udp)\/(\d+)/, (whole, proto: string, port: string) => {
      const p = Number(port);
      if (p === 0 || offset === 0) return whole;
      if (p + offset > 65535) throw new InvalidInputError(`${a}: port ${p} + ${offset} is past 65535`);
      return `/${proto}/${p + offset}`;
    }),
  );
}
