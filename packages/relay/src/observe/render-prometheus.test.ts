import { expect, it } from 'vitest';
import { RelayMetrics } from './relay-metrics.ts';
import { renderPrometheus } from './render-prometheus.ts';

it('renders counters, labels and the latency histogram', () => {
  const metrics = new RelayMetrics();
  metrics.sessionsActive = 2;
  metrics.countFrame('upstream_to_client', 'response.done', 10);
  metrics.countFrame('upstream_to_client', 'response.done', 5);
  metrics.countFrame('client_to_upstream', 'made.up', 3);
  metrics.countError('invalid_json');
  metrics.observeConnectLatency(7);
  const text = renderPrometheus(metrics);
  expect(text).toContain('rtwire_relay_sessions_active 2\n');
  expect(text).toContain(
    'rtwire_relay_frames_total{direction="upstream_to_client",type="response.done"} 2\n',
  );
  expect(text).toContain(
    'rtwire_relay_bytes_total{direction="upstream_to_client",type="response.done"} 15\n',
  );
  expect(text).toContain(
    'rtwire_relay_frames_total{direction="client_to_upstream",type="unknown"} 1\n',
  );
  expect(text).toContain('rtwire_relay_errors_total{code="invalid_json"} 1\n');
  expect(text).toContain('rtwire_relay_upstream_connect_seconds_bucket{le="0.005"} 0\n');
  expect(text).toContain('rtwire_relay_upstream_connect_seconds_bucket{le="0.01"} 1\n');
  expect(text).toContain('rtwire_relay_upstream_connect_seconds_count 1\n');
  expect(text).not.toContain('made.up');
});
