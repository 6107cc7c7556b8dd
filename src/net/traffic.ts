import type {
  Counter,
  CounterGroup,
  Histogram as Libp2pHistogram,
  HistogramGroup,
  Metric,
  MetricGroup,
  Metrics,
  Stream,
  Summary,
  SummaryGroup,
} from '@libp2p/interface';
import { Histogram, SESSION_BUCKETS_S } from '../core/metrics.js';

/** What went over the streams of one protocol (both directions), since the meter was created. */
export interface ProtocolTraffic {
  bytesIn: number;
  bytesOut: number;
  /** Chunks received / writes made on its streams (a frame may span several chunks). */
  messagesIn: number;
  messagesOut: number;
  streamsInbound: number;
  streamsOutbound: number;
  /** Streams currently open. */
  open: number;
  /** How long each stream stayed open, in seconds (for the sync protocol: one per session). */
  durations: Histogram;
}

const noop = (): void => undefined;
const noopMetric: Metric & MetricGroup & Counter & CounterGroup & Libp2pHistogram & HistogramGroup & Summary & SummaryGroup = {
  update: noop,
  increment: noop,
  decrement: noop,
  reset: noop,
  observe: noop,
  timer: () => noop,
};

/**
 * libp2p's metrics component, reduced to what an operator of a peer needs: bytes, messages and
 * streams per protocol, and how long the streams lasted. libp2p calls trackProtocolStream for
 * every negotiated stream (our sync and hello, gossipsub, identify, relay, DCUtR). The metrics
 * libp2p and its services register themselves are not kept (no-ops).
 *
 * Counting never changes a stream's behaviour: it wraps `send` and `dispatchEvent` of the stream
 * instance instead of adding a `message` listener (a listener would make the stream deliver data
 * before its real reader is attached, and that data would be lost).
 */
export class TrafficMeter implements Metrics {
  private readonly protocols = new Map<string, ProtocolTraffic>();

  /** A copy of the figures per protocol id. */
  traffic(): Map<string, ProtocolTraffic> {
    return new Map(this.protocols);
  }

  trackMultiaddrConnection(): void {
    // Per-connection totals are not reported; per-protocol figures come from the streams.
  }

  trackProtocolStream(stream: Stream): void {
    const t = this.of(stream.protocol || 'unknown');
    if (stream.direction === 'inbound') t.streamsInbound += 1;
    else t.streamsOutbound += 1;
    t.open += 1;
    const opened = performance.now();
    const send = stream.send.bind(stream);
    stream.send = (data) => {
      t.bytesOut += data.byteLength;
      t.messagesOut += 1;
      return send(data);
    };
    const dispatch = stream.dispatchEvent.bind(stream);
    stream.dispatchEvent = (event: Event) => {
      if (event.type === 'message') {
        const data = (event as Event & { data?: { byteLength?: number } }).data;
        t.bytesIn += data?.byteLength ?? 0;
        t.messagesIn += 1;
      }
      return dispatch(event);
    };
    stream.addEventListener(
      'close',
      () => {
        t.open -= 1;
        t.durations.observe((performance.now() - opened) / 1000);
      },
      { once: true },
    );
  }

  registerMetric = (() => noopMetric) as Metrics['registerMetric'];
  registerMetricGroup = (() => noopMetric) as Metrics['registerMetricGroup'];
  registerCounter = (() => noopMetric) as Metrics['registerCounter'];
  registerCounterGroup = (() => noopMetric) as Metrics['registerCounterGroup'];
  registerHistogram = (() => noopMetric) as Metrics['registerHistogram'];
  registerHistogramGroup = (() => noopMetric) as Metrics['registerHistogramGroup'];
  registerSummary = (() => noopMetric) as Metrics['registerSummary'];
  registerSummaryGroup = (() => noopMetric) as Metrics['registerSummaryGroup'];

  traceFunction<F>(_name: string, fn: F): F {
    return fn;
  }

  createTrace(): undefined {
    return undefined;
  }

  private of(protocol: string): ProtocolTraffic {
    let t = this.protocols.get(protocol);
    if (!t) {
      t = { bytesIn: 0, bytesOut: 0, messagesIn: 0, messagesOut: 0, streamsInbound: 0, streamsOutbound: 0, open: 0, durations: new Histogram(SESSION_BUCKETS_S) };
      this.protocols.set(protocol, t);
    }
    return t;
  }
}
