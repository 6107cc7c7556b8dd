import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, renderPrometheus } from '../../src/core/metrics.js';
import { parsePrometheus, sumOf } from '../helpers/prometheus.js';

describe('Prometheus text rendering', () => {
  it('renders counters, gauges and cumulative histograms that a strict reader accepts', () => {
    const h = new Histogram([0.01, 0.1, 1]);
    for (const v of [0.005, 0.05, 0.05, 5]) h.observe(v);
    const text = renderPrometheus([
      { name: 'sn_peers', help: 'Peers.\nNow.', type: 'gauge', samples: [{ labels: { space: 'a"b\\c' }, value: 3 }] },
      { name: 'sn_bytes_total', help: 'Bytes.', type: 'counter', samples: [{ labels: { protocol: '/x/1.0.0', direction: 'in' }, value: 10 }] },
      { name: 'sn_seconds', help: 'Latency.', type: 'histogram', series: [{ labels: { space: 'a' }, histogram: h }] },
    ]);
    const { types, samples } = parsePrometheus(text);
    assert.equal(types.get('sn_seconds'), 'histogram');
    assert.equal(samples.find((s) => s.name === 'sn_peers')!.labels.space, 'a"b\\c');
    assert.deepEqual(
      samples.filter((s) => s.name === 'sn_seconds_bucket').map((s) => [s.labels.le, s.value]),
      [['0.01', 1], ['0.1', 3], ['1', 3], ['+Inf', 4]],
    );
    assert.equal(sumOf(samples, 'sn_seconds_count'), 4);
    assert.ok(Math.abs(sumOf(samples, 'sn_seconds_sum') - 5.105) < 1e-9);
    assert.match(text, /^# HELP sn_peers Peers\.\\nNow\.$/m);
  });

  it('refuses names Prometheus would reject', () => {
    assert.throws(() => renderPrometheus([{ name: 'bad-name', help: '', type: 'gauge', samples: [] }]), RangeError);
    assert.throws(() => new Histogram([1, 0.5]), RangeError);
  });
});
