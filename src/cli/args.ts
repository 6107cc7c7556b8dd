import { homedir } from 'node:os';
import { join } from 'node:path';
import { cleanDisplayName, MAX_DISPLAY_NAME_LENGTH } from '../core/display-name.js';
import { InvalidInputError } from '../core/errors.js';

export interface PeerArgs {
  command: 'peer' | 'help' | 'version';
  data: string;
  newSpace?: string;
  join?: string;
  space?: string;
  listen: string[];
  announce: string[];
  bootstrap: string[];
  name?: string;
  mdns: boolean;
  json: boolean;
  logLevel: 'debug' | 'info' | 'warn';
}

export const USAGE = `Usage: shared-notes [peer] [options]

Runs a Shared Notes peer: keeps the space's notes in DIR and syncs them with other peers.
Type commands on standard input (try "help").

Options:
  --data DIR            data folder (default: $SHARED_NOTES_DATA or ~/.local/share/shared-notes)
  --new-space NAME      create a new space and use it
  --join INVITE         join the space of an invite code and dial the inviter
  --space ID            open this space when the folder holds several
  --listen MULTIADDR    listen address, repeatable (default /ip4/0.0.0.0/tcp/0/ws); port 0
                        means a port chosen once for the space and kept across restarts
  --announce MULTIADDR  address to give peers instead of the listening ones (a port
                        forward, a public address), repeatable
  --bootstrap MULTIADDR peer to dial, repeatable
  --name DISPLAYNAME    your name as other peers see it
  --no-mdns             do not discover peers on the local network
  --json                one JSON object per stdout line (see README, "CLI JSON output")
  --verbose             log debug lines to stderr
  -h, --help            this help
`;

/** `--name`: one line of at most 100 characters; control characters become spaces. */
function displayName(value: string): string {
  if (value.trim().length > MAX_DISPLAY_NAME_LENGTH) throw new InvalidInputError(`--name has at most ${MAX_DISPLAY_NAME_LENGTH} characters`);
  const name = cleanDisplayName(value);
  if (name === '') throw new InvalidInputError('--name needs at least one visible character');
  return name;
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SHARED_NOTES_DATA) return env.SHARED_NOTES_DATA;
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'shared-notes');
}

/** Parses argv (without node and the script). Throws InvalidInputError with a clear message. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): PeerArgs {
  const args: PeerArgs = { command: 'peer', data: defaultDataDir(env), listen: [], announce: [], bootstrap: [], mdns: true, json: false, logLevel: 'info' };
  const rest = [...argv];
  if (rest[0] === 'peer') rest.shift();
  const value = (flag: string): string => {
    const v = rest.shift();
    if (v === undefined || v.startsWith('--')) throw new InvalidInputError(`${flag} needs a value`);
    return v;
  };
  while (rest.length > 0) {
    const arg = rest.shift()!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const take = () => inline ?? value(flag);
    switch (flag) {
      case '--data': args.data = take(); break;
      case '--new-space': args.newSpace = take(); break;
      case '--join': args.join = take(); break;
      case '--space': args.space = take(); break;
      case '--listen': args.listen.push(take()); break;
      case '--announce': args.announce.push(take()); break;
      case '--bootstrap': args.bootstrap.push(take()); break;
      case '--name': args.name = displayName(take()); break;
      case '--no-mdns': args.mdns = false; break;
      case '--json': args.json = true; break;
      case '--verbose': args.logLevel = 'debug'; break;
      case '--quiet': args.logLevel = 'warn'; break;
      case '-h': case '--help': case 'help': args.command = 'help'; break;
      case '--version': args.command = 'version'; break;
      default: throw new InvalidInputError(`unknown option "${arg}" (see --help)`);
    }
  }
  if (args.newSpace !== undefined && args.join !== undefined) throw new InvalidInputError('--new-space and --join cannot be used together');
  return args;
}
