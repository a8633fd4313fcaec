import type { ConformanceReport } from './run-conformance.ts';

const MARK = { passed: '✓', failed: '✗', skipped: '-' } as const;

/**
 * The report a person reads: a line per check, each failure with what was expected, what
 * came and the event (redacted), the skips with why, then the totals and the latencies.
 *
 * @example
 * ```ts
 * process.stdout.write(textReport(await runConformance({ url })));
 * ```
 */
export function textReport(report: ConformanceReport): string {
  const lines = [`rtwire conformance ${report.url}`, ''];
  const width = Math.max(...report.results.map((result) => result.id.length), 10);
  for (const result of report.results) {
    lines.push(`${MARK[result.status]} ${result.id.padEnd(width)}  ${result.description}`);
    if (result.status === 'skipped') lines.push(`    skipped:  ${result.reason}`);
    if (result.status === 'failed') {
      lines.push(`    expected: ${result.expected}`);
      lines.push(`    received: ${result.received}`);
      if (result.excerpt !== undefined) lines.push(`    event:    ${result.excerpt}`);
      lines.push(`    spec:     ${result.spec.join(', ')}`);
    }
  }
  lines.push('');
  lines.push(
    `${report.results.length} checks: ${report.passed} passed, ${report.failed} failed, ` +
      `${report.skipped} skipped, in ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  const latency = Object.entries(report.latency).map(
    ([name, summary]) => `${name} ${summary.p50Ms} ms (${summary.count})`,
  );
  if (latency.length > 0) lines.push(`latency, p50: ${latency.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
