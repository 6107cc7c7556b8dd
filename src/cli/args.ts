import { homedir } from 'node:os';
import { join } from 'node:path';
import { cleanDisplayName, MAX_DISPLAY_NAME_LENGTH } from '../core/display-name.js';
import { InvalidInputError } from '../core/errors.js';
import { DEFAULT_LISTEN } from '../engine/defaults.js';
import packageJson from '../../package.json';

/** The version of this build (package.json's, bundled in). */
export const VERSION: string = packageJson.version;

export interface PeerArgs {
  /** peer: run a peer; spaces: list the data folder's spaces and exit; help, version: print and exit. */
  command: 'peer' | 'help' | 'version' | 'spaces';
  data: string;
  newSpace?: string;
  /** The invite itself (from --join INVITE or $SHARED_NOTES_INVITE), or where to read it: see invite-input.ts. */
  join?: string;
  joinFrom?: 'stdin' | { file: string };
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
       shared-notes serve [options]   (an always-on peer: see shared-notes serve --help)
       shared-notes --spaces [--data DIR]
       shared-notes --version | --help

Runs a Shared Notes peer: keeps the space's notes in DIR and syncs them with other peers.
Type commands on standard input (try "help").

Options:
  --data DIR            data folder (default: $SHARED_NOTES_DATA or ~/.local/share/shared-notes)
  --new-space NAME      create a new space and use it
  --join -              join the space of an invite code read from the first line of
                        standard input (the safe way: see README, "Keeping the invite secret")
  --join-file PATH      join the space of the invite code in this file
  --join INVITE         the same with the invite on the command line, where other
                        accounts on this computer can read it while the peer runs
                        ($SHARED_NOTES_INVITE is read when no --join is given)
  --space NAME|ID       open this space when the folder holds several (a unique prefix of
                        its name or id is enough; default: the most recently created)
  --spaces              list the spaces in the data folder (id, name, entries) and exit
  --listen MULTIADDR    listen address, repeatable (default ${DEFAULT_LISTEN.join(' ')}); WebSocket
                        addresses only (…/tcp/PORT/ws); port 0 means a port chosen once for
                        the space and kept across restarts
  --announce MULTIADDR  address to give peers instead of the listening ones (a port
                        forward, a public address), repeatable
  --bootstrap MULTIADDR peer to dial, repeatable
  --name DISPLAYNAME    your name as other peers see it
  --no-mdns             no LAN multicast: neither discover peers on the local network
                        (mDNS) nor ask the router to forward a port (UPnP / NAT-PMP)
  --json                one JSON object per stdout line (see README, "CLI JSON output")
  --verbose             log debug lines to stderr
  --quiet               log only warnings and errors to stderr
  --version             print the version and exit
  -h, --help            this help
`;

/** `--data`: a folder; an empty value would silently mean the current directory. */
function dataDir(value: string): string {
  if (value.trim() === '') throw new InvalidInputError('--data needs a folder (an empty value would write into the current directory)');
  return value;
}

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
      case '--data': args.data = dataDir(take()); break;
      case '--new-space': args.newSpace = take(); break;
      case '--join': {
        const v = inline ?? rest.shift();
        if (v === undefined || (v.startsWith('--') && v !== '-')) throw new InvalidInputError('--join needs a value (an invite, or - to read it from standard input)');
        if (v === '-') args.joinFrom = 'stdin';
        else args.join = v;
        break;
      }
      case '--join-file': args.joinFrom = { file: take() }; break;
      case '--space': args.space = take(); break;
      case '--spaces': args.command = 'spaces'; break;
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
  if (args.join !== undefined && args.joinFrom !== undefined) throw new InvalidInputError('give the invite one way: --join INVITE, --join - or --join-file PATH');
  if (args.newSpace !== undefined && (args.join !== undefined || args.joinFrom !== undefined)) throw new InvalidInputError('--new-space and --join cannot be used together');
  // The environment is the last resort (and never overrides --new-space): /proc/PID/environ is readable only by its owner.
  if (args.newSpace === undefined && args.join === undefined && args.joinFrom === undefined && env.SHARED_NOTES_INVITE?.trim()) args.join = env.SHARED_NOTES_INVITE.trim();
  return args;
}
