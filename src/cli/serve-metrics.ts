/**
 * The health and metrics endpoint of `shared-notes serve`: `GET /metrics` (Prometheus text format)
 * and `GET /health` (JSON), on node:http. Figures are read from the hosted spaces at each request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Histogram, LATENCY_BUCKETS_S, renderPrometheus, type MetricFamily, type Sample } from '../core/metrics.js';
import type { Logger } from '../core/ports.js';
import type { SpacePeer } from '../engine/space-peer.js';
import { SHARD_SYNC_PROTOCOL } from '../engine/defaults.js';
import type { TrafficMeter } from '../engine/types.js';

/** One hosted space and what is measured about it. */
export interface HostedSpace {
  peer: SpacePeer;
  traffic: TrafficMeter;
  /** Seconds per log flush of this space's stores. */
  fsync: Histogram;
}

export function newFsyncHistogram(): Histogram {
  return new Histogram(LATENCY_BUCKETS_S);
}

/** Bytes of the files under `dir` (the space's logs, snapshots and peer book). */
async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0; // the folder went away (left space): nothing held there
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) total += await folderBytes(path);
    else if (e.isFile()) total += (await stat(path).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/** The metric families of every hosted space, labelled by space id. */
export async function collectMetrics(spaces: readonly HostedSpace[]): Promise<MetricFamily[]> {
  const gauge = (name: string, help: string, samples: Sample[]): MetricFamily => ({ name, help, type: 'gauge', samples });
  const counter = (name: string, help: string, samples: Sample[]): MetricFamily => ({ name, help, type: 'counter', samples });
  const per = (f: (h: HostedSpace) => number): Sample[] => spaces.map((h) => ({ labels: { space: h.peer.space.id }, value: f(h) }));
  const traffic = spaces.flatMap((h) => [...h.traffic.traffic()].map(([protocol, t]) => ({ space: h.peer.space.id, protocol, t })));
  const directional = (pick: (t: (typeof traffic)[number]['t']) => [number, number]): Sample[] =>
    traffic.flatMap(({ space, protocol, t }) => {
      const [inbound, outbound] = pick(t);
      return [
        { labels: { space, protocol, direction: 'in' }, value: inbound },
        { labels: { space, protocol, direction: 'out' }, value: outbound },
      ];
    });
  const sync = spaces.map((h) => ({ space: h.peer.space.id, t: h.traffic.traffic().get(SHARD_SYNC_PROTOCOL) }));
  const storeBytes = await Promise.all(spaces.map((h) => folderBytes(h.peer.folder.spaceDir(h.peer.space.id))));
  return [
    gauge('shared_notes_connected_peers', 'Members connected now.', per((h) => h.peer.network.summary().connected)),
    gauge('shared_notes_peers_in_sync', 'Connected members whose shard heads equal ours (equal digest roots).', per((h) => h.peer.network.summary().inSync)),
    gauge('shared_notes_entries', 'Published entries the shared log lists (from its read index).', per((h) => h.peer.log.counts().published)),
    gauge('shared_notes_store_bytes', 'Bytes on disk of the space folder (logs, snapshots, peer book).', spaces.map((h, i) => ({ labels: { space: h.peer.space.id }, value: storeBytes[i]! }))),
    gauge('shared_notes_relay_reservations', 'Members holding a relay reservation on this peer.', per((h) => h.peer.network.relayReservations() ?? 0)),
    counter('shared_notes_protocol_bytes_total', 'Bytes carried by streams of each protocol.', directional((t) => [t.bytesIn, t.bytesOut])),
    counter('shared_notes_protocol_messages_total', 'Chunks received / writes made on streams of each protocol.', directional((t) => [t.messagesIn, t.messagesOut])),
    counter('shared_notes_protocol_streams_total', 'Streams opened per protocol (in: by the peer, out: by us).', directional((t) => [t.streamsInbound, t.streamsOutbound])),
    counter('shared_notes_sync_sessions_total', 'Catch-up sync sessions (either side opened).', sync.map(({ space, t }) => ({ labels: { space }, value: t ? t.streamsInbound + t.streamsOutbound : 0 }))),
    gauge('shared_notes_sync_sessions_open', 'Catch-up sync sessions running now.', sync.map(({ space, t }) => ({ labels: { space }, value: t?.open ?? 0 }))),
    {
      name: 'shared_notes_sync_session_seconds',
      help: 'How long catch-up sync sessions lasted.',
      type: 'histogram',
      series: sync.flatMap(({ space, t }) => (t ? [{ labels: { space }, histogram: t.durations }] : [])),
    },
    counter('shared_notes_gossip_rejections_total', 'Gossiped changes rejected as invalid (each a strike on its sender).', per((h) => h.peer.network.strikeCounts.gossip)),
    counter(
      'shared_notes_strikes_total',
      'Strikes given to peers for bad data, by where it came from.',
      spaces.flatMap((h) => (['gossip', 'sync'] as const).map((source) => ({ labels: { space: h.peer.space.id, source }, value: h.peer.network.strikeCounts[source] }))),
    ),
    { name: 'shared_notes_fsync_seconds', help: 'Time to flush a log write to disk (datasync).', type: 'histogram', series: spaces.map((h) => ({ labels: { space: h.peer.space.id }, histogram: h.fsync })) },
  ];
}

function health(spaces: readonly HostedSpace[]): Record<string, unknown> {
  return {
    status: 'ok',
    spaces: spaces.map((h) => ({ id: h.peer.space.id, name: h.peer.space.name, peerId: h.peer.network.peerId, ...h.peer.network.summary() })),
  };
}

/** Starts the endpoint; resolves with the server and the address it listens on. */
export async function startMetricsServer(
  where: { host: string; port: number },
  spaces: () => readonly HostedSpace[],
  logger: Logger,
): Promise<{ server: Server; address: string }> {
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(health(spaces())) + '\n');
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /health\n');
      return;
    }
    collectMetrics(spaces()).then(
      (families) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(renderPrometheus(families)),
      (err: unknown) => {
        logger.error(`metrics failed: ${String(err)}`);
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed; see the log\n');
      },
    );
  };
  const server = createServer(handle);
  // Scrapers send small GETs: anything slow is cut off rather than holding a socket.
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  server.maxHeadersCount = 50;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(where.port, where.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  return { server, address: a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}` };
}
