import { CONNECT_LATENCY_BUCKETS_MS, type RelayMetrics } from './relay-metrics.ts';

/**
 * Content type of {@link renderPrometheus}'s output.
 *
 * @example
 * ```ts
 * new Response(renderPrometheus(metrics), { headers: { 'content-type': PROMETHEUS_CONTENT_TYPE } });
 * ```
 */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Renders metrics in the Prometheus text exposition format (version 0.0.4).
 *
 * @example
 * ```ts
 * return new Response(renderPrometheus(metrics), { headers: { 'content-type': PROMETHEUS_CONTENT_TYPE } });
 * ```
 */
export function renderPrometheus(metrics: RelayMetrics): string {
  const lines: string[] = [];
  const family = (
    name: string,
    type: 'counter' | 'gauge' | 'histogram' | 'summary',
    help: string,
  ) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  };
  family('rtwire_relay_sessions_active', 'gauge', 'Sessions open now.');
  lines.push(`rtwire_relay_sessions_active ${metrics.sessionsActive}`);
  family('rtwire_relay_sessions_total', 'counter', 'Sessions opened since start.');
  lines.push(`rtwire_relay_sessions_total ${metrics.sessionsTotal}`);
  family(
    'rtwire_relay_sessions_paused',
    'gauge',
    'Sessions whose reading is paused by backpressure.',
  );
  lines.push(`rtwire_relay_sessions_paused ${metrics.sessionsPaused}`);
  family(
    'rtwire_relay_buffered_bytes',
    'gauge',
    'Bytes all sessions hold in buffers (send buffers, queues, messages still arriving).',
  );
  lines.push(`rtwire_relay_buffered_bytes ${metrics.bufferedBytes}`);
  family(
    'rtwire_relay_refusals_unanswered_total',
    'counter',
    'Refused client frames dropped without an error event, once the reply budget was spent.',
  );
  lines.push(`rtwire_relay_refusals_unanswered_total ${metrics.refusalsUnanswered}`);
  family(
    'rtwire_relay_resumes_total',
    'counter',
    'Upstream resumes after a drop and rollovers before expiry, by outcome.',
  );
  for (const [outcome, count] of metrics.resumes)
    lines.push(`rtwire_relay_resumes_total{outcome="${outcome}"} ${count}`);
  family(
    'rtwire_relay_calls_ended_total',
    'counter',
    'Calls forwarded to the upstream that ended, by reason.',
  );
  for (const [reason, count] of metrics.callEnds)
    lines.push(`rtwire_relay_calls_ended_total{reason="${reason}"} ${count}`);
  if (metrics.callsRouted.size > 0) {
    family(
      'rtwire_relay_calls_routed_total',
      'counter',
      'Call sidebands and hangups passed on to the instance holding the call, by kind and outcome.',
    );
    for (const [key, count] of metrics.callsRouted) {
      const [kind, outcome] = key.split('/');
      lines.push(`rtwire_relay_calls_routed_total{kind="${kind}",outcome="${outcome}"} ${count}`);
    }
  }
  if (metrics.usageStoreUp !== undefined) {
    family(
      'rtwire_relay_usage_store_up',
      'gauge',
      'Whether the usage store answers (1) or not (0).',
    );
    lines.push(`rtwire_relay_usage_store_up ${metrics.usageStoreUp}`);
    family(
      'rtwire_relay_usage_store_failures_total',
      'counter',
      'Usage store calls that failed or timed out.',
    );
    lines.push(`rtwire_relay_usage_store_failures_total ${metrics.usageStoreFailures}`);
  }
  family(
    'rtwire_relay_usage_records_dropped_total',
    'counter',
    'Usage records a sink dropped, its queue full while its destination was away.',
  );
  lines.push(`rtwire_relay_usage_records_dropped_total ${metrics.usageRecordsDropped}`);
  if (metrics.tenantUsage.size > 0) {
    const usage = [...metrics.tenantUsage].map(([tenant, used]) => [label(tenant), used] as const);
    family('rtwire_relay_tenant_responses_total', 'counter', 'Responses metered, by tenant.');
    for (const [tenant, used] of usage)
      lines.push(`rtwire_relay_tenant_responses_total{tenant="${tenant}"} ${used.responses}`);
    family('rtwire_relay_tenant_tokens_total', 'counter', 'Tokens used, by tenant and kind.');
    for (const [tenant, used] of usage) {
      lines.push(
        `rtwire_relay_tenant_tokens_total{tenant="${tenant}",kind="input"} ${used.inputTokens}`,
      );
      lines.push(
        `rtwire_relay_tenant_tokens_total{tenant="${tenant}",kind="output"} ${used.outputTokens}`,
      );
    }
    family(
      'rtwire_relay_tenant_audio_seconds_total',
      'counter',
      'Seconds of audio appended (input) and sent (output), by tenant.',
    );
    for (const [tenant, used] of usage) {
      lines.push(
        `rtwire_relay_tenant_audio_seconds_total{tenant="${tenant}",direction="input"} ${used.inputAudioMs / 1000}`,
      );
      lines.push(
        `rtwire_relay_tenant_audio_seconds_total{tenant="${tenant}",direction="output"} ${used.outputAudioMs / 1000}`,
      );
    }
    family(
      'rtwire_relay_tenant_spend_usd_total',
      'counter',
      "Spend at the policy file's prices, by tenant.",
    );
    for (const [tenant, used] of usage)
      lines.push(`rtwire_relay_tenant_spend_usd_total{tenant="${tenant}"} ${used.microUsd / 1e6}`);
  }
  family(
    'rtwire_relay_replayed_items_total',
    'counter',
    'Conversation items replayed onto fresh upstreams.',
  );
  lines.push(`rtwire_relay_replayed_items_total ${metrics.replayedItems}`);
  family(
    'rtwire_relay_resume_seconds',
    'summary',
    'Time from an upstream drop to the session resumed.',
  );
  lines.push(`rtwire_relay_resume_seconds_sum ${metrics.resumeTime.sumMs / 1000}`);
  lines.push(`rtwire_relay_resume_seconds_count ${metrics.resumeTime.count}`);
  family('rtwire_relay_frames_total', 'counter', 'Frames relayed, by direction and event type.');
  for (const [direction, counts] of Object.entries(metrics.frames)) {
    for (const [type, count] of counts) {
      lines.push(
        `rtwire_relay_frames_total{direction="${direction}",type="${type}"} ${count.frames}`,
      );
    }
  }
  family('rtwire_relay_bytes_total', 'counter', 'Bytes relayed, by direction and event type.');
  for (const [direction, counts] of Object.entries(metrics.frames)) {
    for (const [type, count] of counts) {
      lines.push(
        `rtwire_relay_bytes_total{direction="${direction}",type="${type}"} ${count.bytes}`,
      );
    }
  }
  family('rtwire_relay_errors_total', 'counter', 'Errors the relay reported, by code.');
  for (const [code, count] of metrics.errors)
    lines.push(`rtwire_relay_errors_total{code="${code}"} ${count}`);
  family('rtwire_relay_rejections_total', 'counter', 'Upgrades refused before a session, by code.');
  for (const [code, count] of metrics.rejections) {
    lines.push(`rtwire_relay_rejections_total{code="${code}"} ${count}`);
  }
  family(
    'rtwire_relay_closes_total',
    'counter',
    'Sessions ended, by close code (sent to or received from the client; unregistered codes folded into 3xxx, 4xxx, other).',
  );
  for (const [code, count] of metrics.closes)
    lines.push(`rtwire_relay_closes_total{code="${code}"} ${count}`);
  family(
    'rtwire_relay_upstream_connect_seconds',
    'histogram',
    'Time to open the upstream connection.',
  );
  let cumulative = 0;
  CONNECT_LATENCY_BUCKETS_MS.forEach((bound, index) => {
    cumulative += metrics.connectLatency.buckets[index] ?? 0;
    lines.push(`rtwire_relay_upstream_connect_seconds_bucket{le="${bound / 1000}"} ${cumulative}`);
  });
  lines.push(
    `rtwire_relay_upstream_connect_seconds_bucket{le="+Inf"} ${metrics.connectLatency.count}`,
  );
  lines.push(`rtwire_relay_upstream_connect_seconds_sum ${metrics.connectLatency.sumMs / 1000}`);
  lines.push(`rtwire_relay_upstream_connect_seconds_count ${metrics.connectLatency.count}`);
  return `${lines.join('\n')}\n`;
}

/** A label value as the exposition format quotes it (backslash, quote and newline escaped). */
function label(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}
