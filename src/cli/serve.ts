/**
 * `shared-notes serve`: the always-on peer. Hosts one or more spaces of its data folder (one
 * libp2p node each), runs a circuit relay for members behind NAT, exposes /metrics and /health,
 * and runs as a daemon: it never reads stdin, logs to stderr or `--log FILE` (SIGHUP reopens it),
 * and SIGTERM/SIGINT stop it, releasing every store lock.
 */
import type { Server } from 'node:http';
import { SharedNotesError, InvalidInputError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import type { LogLevel, Logger } from '../core/ports.js';
import { statusText, shortId } from '../core/text.js';
import { storedSpaceIds } from '../engine/data-dir.js';
import { SpacePeer, TrafficMeter, type SpacePeerInit } from '../engine/space-peer.js';
import { LogFile } from './log-file.js';
import { parseServeArgs, SERVE_USAGE, shiftPorts, type ServeArgs } from './serve-args.js';
import { newFsyncHistogram, startMetricsServer, type HostedSpace } from './serve-metrics.js';

type Emit = (type: string, data: Record<string, unknown>, text: string) => void;

/** Which spaces to host, in order: the one joined or created now first, then the folder's. */
async function spacesToHost(args: ServeArgs, logger: Logger): Promise<Array<Pick<SpacePeerInit, 'join' | 'newSpace' | 'spaceId'>>> {
  const plan: Array<Pick<SpacePeerInit, 'join' | 'newSpace' | 'spaceId'>> = [];
  if (args.join !== undefined) plan.push({ join: args.join });
  if (args.newSpace !== undefined) plan.push({ newSpace: args.newSpace });
  const stored: string[] = await storedSpaceIds(args.data, logger);
  if (args.spaces.length > 0) {
    for (const id of args.spaces) {
      if (!stored.includes(id)) throw new InvalidInputError(`no space ${id} in ${args.data} (it holds: ${stored.join(', ') || 'none'})`);
      plan.push({ spaceId: id });
    }
  } else {
    if (stored.length === 0 && plan.length === 0) throw new InvalidInputError(`no space in ${args.data}: start once with --join INVITE (or --new-space NAME)`);
    for (const id of stored) plan.push({ spaceId: id });
  }
  return plan;
}

/** Starts the spaces one by one into `hosted` (so a signal meanwhile closes those already up). */
async function hostAll(args: ServeArgs, logger: Logger, emit: Emit, hosted: HostedSpace[], stopped: () => boolean): Promise<void> {
  const plan = await spacesToHost(args, logger);
  try {
    for (const which of plan) {
      if (stopped()) return;
      const joined = which.join !== undefined || which.newSpace !== undefined;
      const spaceId = which.spaceId;
      // A space joined or created now is also in the folder: host it once.
      if (spaceId !== undefined && hosted.some((h) => h.peer.space.id === spaceId)) continue;
      const index = hosted.length; // the Nth hosted space listens on port + N
      const traffic = new TrafficMeter();
      const fsync = newFsyncHistogram();
      const peer = await SpacePeer.start({
        dataDir: args.data,
        logger: logger.child(`space:${(spaceId !== undefined ? shortId(spaceId) : undefined) ?? (joined ? 'new' : '?')}`),
        ...which,
        displayName: args.name,
        listen: args.listen.length > 0 ? shiftPorts(args.listen, index) : undefined,
        announce: args.announce.length > 0 ? shiftPorts(args.announce, index) : undefined,
        bootstrap: args.bootstrap,
        mdns: args.mdns,
        relayServer: args.maxReservations > 0 ? { maxReservations: args.maxReservations } : undefined,
        traffic,
        onFsync: (ms) => fsync.observe(ms / 1000),
        antiEntropyMs: process.env.SHARED_NOTES_ANTI_ENTROPY_MS ? Number(process.env.SHARED_NOTES_ANTI_ENTROPY_MS) : undefined,
      });
      hosted.push({ peer, traffic, fsync });
      const addresses = peer.network.addresses();
      emit(
        'ready',
        { peerId: peer.network.peerId, addresses, invite: peer.invite(), space: { id: peer.space.id, name: peer.space.name }, dataDir: args.data, created: peer.created },
        [
          `Serving space "${peer.space.name}" (${peer.space.id}) as ${peer.network.peerId}`,
          `  listening on ${addresses.join(', ') || '(nothing)'}`,
          `  invite: ${peer.invite()}`,
        ].join('\n'),
      );
    }
  } catch (err) {
    await Promise.allSettled(hosted.splice(0).map((h) => h.peer.close()));
    throw err;
  }
}

export async function runServe(argv: readonly string[]): Promise<number> {
  let args: ServeArgs;
  try {
    args = parseServeArgs(argv);
  } catch (err) {
    process.stderr.write(`shared-notes serve: ${(err as Error).message}\n`);
    return 2;
  }
  if (args.command === 'help') {
    process.stdout.write(SERVE_USAGE);
    return 0;
  }
  const json = args.json;
  const emit: Emit = (type, data, text) => process.stdout.write(json ? JSON.stringify({ type, ...data }) + '\n' : text + '\n');
  let logFile: LogFile;
  try {
    logFile = new LogFile(args.log);
  } catch (err) {
    process.stderr.write(`shared-notes serve: cannot open the log file: ${(err as Error).message}\n`);
    return 1;
  }
  const logger = createLogger((level: LogLevel, scope, message) => {
    logFile.write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${scope}] ${message}\n`);
  }, 'shared-notes', args.logLevel);

  const hosted: HostedSpace[] = [];
  let metrics: Server | undefined;
  let stopping: Promise<number> | undefined;
  const shutdown = (reason: string): Promise<number> =>
    (stopping ??= (async () => {
      logger.info(`shutting down (${reason})`);
      metrics?.close();
      metrics?.closeAllConnections();
      const results = await Promise.allSettled(hosted.map((h) => h.peer.close()));
      const failed = results.filter((r) => r.status === 'rejected');
      for (const f of failed) logger.error(`shutdown failed: ${String((f as PromiseRejectedResult).reason)}`);
      logger.info('stopped');
      logFile.close();
      return failed.length > 0 ? 1 : 0;
    })());
  // Installed before anything starts, so a signal during start-up still stops cleanly.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(signal).then((code) => process.exit(code)));
  process.on('SIGHUP', () => {
    try {
      logFile.reopen();
      logger.info('log file reopened (SIGHUP)');
    } catch (err) {
      process.stderr.write(`shared-notes serve: could not reopen ${args.log}: ${(err as Error).message}\n`);
    }
  });

  try {
    await hostAll(args, logger, emit, hosted, () => stopping !== undefined);
    if (stopping) return await stopping;
    if (args.metrics) {
      const started = await startMetricsServer(args.metrics, () => hosted, logger.child('metrics'));
      metrics = started.server;
      emit('metrics', { address: started.address }, `Metrics on http://${started.address}/metrics (health: /health)`);
    }
  } catch (err) {
    const name = err instanceof SharedNotesError ? err.name : 'Error';
    logger.error(`could not start: ${(err as Error).message}`);
    emit('error', { error: name, message: (err as Error).message }, `shared-notes serve: could not start: ${(err as Error).message}`);
    await shutdown('start failed');
    return 1;
  }
  for (const h of hosted) {
    h.peer.network.events.on('summary', (s) => logger.info(`space ${shortId(h.peer.space.id)}: ${statusText(s)}`));
  }
  return new Promise<number>(() => undefined); // runs until a signal
}
