/**
 * `shared-notes peer`: the headless peer. Reads one command per line on stdin, prints results
 * (readable, or one JSON object per line with --json), and reports what arrives from peers.
 */
import { createInterface } from 'node:readline';
import { SharedNotesError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import type { LogLevel, Logger } from '../core/ports.js';
import { SpacePeer } from '../engine/space-peer.js';
import { describeError } from '../core/errors.js';
import { listSpaces } from '../engine/spaces.js';
import { parseArgs, USAGE, VERSION, type PeerArgs } from './args.js';
import { formatSpaces } from './format.js';
import { parseCommand } from './commands.js';
import { problemText, statusText } from '../core/text.js';
import { displayLine, displayText, terminalSafeJson } from '../core/display-text.js';
import { runCommand } from './run-command.js';
import { readInviteFile, readInviteLine } from './invite-input.js';
import { runServe } from './serve.js';
import { watchPeer } from './watch.js';

export type Emit = (type: string, data: Record<string, unknown>, text?: string) => void;

function makeEmitter(json: boolean): Emit {
  return (type, data, text) => {
    // The last guard before the terminal (fields are made readable where they are formatted):
    // JSON keeps the exact data with every character a terminal could act on \u-escaped; text
    // keeps its line breaks and shows every other control or bidi character as a visible stand-in.
    if (json) process.stdout.write(terminalSafeJson({ type, ...data }) + '\n');
    else if (text !== undefined) process.stdout.write(displayText(text) + '\n');
  };
}

async function main(): Promise<number> {
  if (process.argv[2] === 'serve') return runServe(process.argv.slice(3));
  let args: PeerArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`shared-notes: ${(err as Error).message}\n`);
    return 2;
  }
  if (args.command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.command === 'version') {
    process.stdout.write(`shared-notes ${VERSION}\n`);
    return 0;
  }
  const emit = makeEmitter(args.json);
  const logger = createLogger((level: LogLevel, scope, message) => {
    process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${scope}] ${displayText(message)}\n`);
  }, 'shared-notes', args.logLevel);
  if (args.command === 'spaces') {
    try {
      const spaces = await listSpaces(args.data, logger);
      emit('spaces', { dataDir: args.data, spaces }, formatSpaces(spaces, args.data));
      return 0;
    } catch (err) {
      return failed(emit, logger, 'could not list the spaces', err);
    }
  }

  // Ctrl-C or SIGTERM while the peer starts: let the start finish, then shut down cleanly (exit 0).
  let onSignal: (signal: NodeJS.Signals) => void = (signal) => (pendingSignal ??= signal);
  let pendingSignal: NodeJS.Signals | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => onSignal(signal));
  let peer: SpacePeer;
  try {
    let join = args.join;
    if (args.joinFrom === 'stdin') join = await readInviteLine(process.stdin, process.stderr);
    else if (args.joinFrom !== undefined) join = await readInviteFile(args.joinFrom.file, logger);
    else if (join !== undefined && process.argv.some((a) => a === join || a === `--join=${join}`)) {
      logger.warn('the invite was given on the command line, where other accounts on this computer can read it while this peer runs; use --join - (standard input) or --join-file PATH instead');
    }
    delete process.env.SHARED_NOTES_INVITE; // read once; not passed on to anything this process starts
    peer = await SpacePeer.start({
      dataDir: args.data,
      logger,
      newSpace: args.newSpace,
      join,
      spaceId: args.space,
      displayName: args.name,
      listen: args.listen.length > 0 ? args.listen : undefined,
      announce: args.announce.length > 0 ? args.announce : undefined,
      bootstrap: args.bootstrap,
      mdns: args.mdns,
      // Test knobs, not options: catch-up interval, and strikes (the fuzz tests keep a peer listening).
      antiEntropyMs: process.env.SHARED_NOTES_ANTI_ENTROPY_MS ? Number(process.env.SHARED_NOTES_ANTI_ENTROPY_MS) : undefined,
      strikesBeforeDisconnect: process.env.SHARED_NOTES_STRIKES ? Number(process.env.SHARED_NOTES_STRIKES) : undefined,
    });
  } catch (err) {
    return failed(emit, logger, 'could not start', err);
  }

  const invite = peer.invite();
  // What recovery found and repaired on disk (see LogStore): shown, never silently dropped.
  const problems = peer.log.problems.map((p) => ({ kind: p.kind, file: p.file, detail: p.detail, movedTo: p.movedTo }));
  emit(
    'ready',
    { peerId: peer.network.peerId, addresses: peer.network.addresses(), invite, space: { id: peer.space.id, name: peer.space.name }, dataDir: args.data, created: peer.created, problems, notices: peer.notices },
    [
      `Shared Notes peer ${peer.network.peerId}`,
      ...peer.notices.map((n) => `Note: ${n}`),
      ...peer.log.problems.map((p) => `Repaired on opening: ${problemText(p)}`),
      `Space "${displayLine(peer.space.name, 100)}" (${peer.space.id})${peer.created ? ' — created' : ''}, data in ${args.data}`,
      `Listening on ${peer.network.addresses().join(', ') || '(nothing)'}`,
      `Invite others with:\n  ${invite}`,
      `Status: ${statusText(peer.network.summary())}. Type "help" for commands.`,
    ].join('\n'),
  );
  const watch = watchPeer(peer, emit, args.json);

  let stopping: Promise<number> | undefined;
  const shutdown = (reason: string): Promise<number> =>
    (stopping ??= (async () => {
      logger.info(`shutting down (${reason})`);
      watch.stop();
      try {
        await peer.close();
        return 0;
      } catch (err) {
        process.stderr.write(`shared-notes: shutdown failed: ${(err as Error).message}\n`);
        return 1;
      }
    })());

  const rl = createInterface({ input: process.stdin, terminal: false });
  let queue = Promise.resolve();
  rl.on('line', (line) => {
    // One command at a time, in order, so scripted input behaves like typed input.
    queue = queue.then(async () => {
      if (stopping) return;
      try {
        const command = parseCommand(line);
        if (!command) return;
        watch.setBusy(true);
        if (command.name === 'quit') {
          // The lock is released before "bye": a restart right after it finds the folder free.
          const code = await shutdown('quit');
          const result = await runCommand(peer, command);
          emit('result', { command: command.name, ...result.data }, result.text);
          process.exit(code);
        }
        const result = await runCommand(peer, command);
        emit('result', { command: command.name, ...result.data }, result.text);
      } catch (err) {
        const name = err instanceof SharedNotesError ? err.name : 'Error';
        if (!(err instanceof SharedNotesError)) logger.error(`command failed: ${(err as Error).stack ?? String(err)}`);
        emit('error', { error: name, message: (err as Error).message, line }, `error: ${(err as Error).message}`);
      } finally {
        watch.setBusy(false);
      }
    });
  });
  // End of input (a pipe closed) keeps the peer running only when stdin was never a terminal and
  // SHARED_NOTES_STAY is set; otherwise it is a normal quit, like Ctrl-D in a shell.
  rl.on('close', () => {
    if (!process.env.SHARED_NOTES_STAY) void queue.then(() => shutdown('end of input')).then((code) => process.exit(code));
  });
  onSignal = (signal) => void shutdown(signal).then((code) => process.exit(code));
  if (pendingSignal) onSignal(pendingSignal);
  return new Promise<number>(() => undefined); // runs until quit or a signal
}

/** Reports a failure that ends the process: a clear message, no stack trace (it is in --verbose logs). */
function failed(emit: Emit, logger: Logger, what: string, err: unknown): number {
  if (err instanceof Error && err.stack) logger.debug(`${what}: ${err.stack}`);
  const name = err instanceof SharedNotesError ? err.name : 'Error';
  const message = describeError(err);
  emit('error', { error: name, message }, undefined);
  process.stderr.write(`shared-notes: ${what}: ${displayText(message)}\n`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`shared-notes: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
