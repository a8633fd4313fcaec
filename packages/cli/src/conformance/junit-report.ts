import type { ConformanceReport } from './run-conformance.ts';

const escapeXml = (text: string) =>
  text
    .replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`)
    .replace(
      // Characters XML 1.0 cannot hold at all.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: they are what is removed
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g,
      '',
    );

/**
 * The report as JUnit XML, which CI systems show as tests: a test case per check (its group,
 * the part of its id before the first dot, as the class), failures and skips with their
 * reasons.
 *
 * @example
 * ```ts
 * writeFileSync('conformance.xml', junitReport(report));
 * ```
 */
export function junitReport(report: ConformanceReport): string {
  const cases = report.results.map((result) => {
    const group = result.id.split('.')[0] ?? result.id;
    const open = `  <testcase classname="conformance.${escapeXml(group)}" name="${escapeXml(result.id)}" time="${(result.durationMs / 1000).toFixed(3)}"`;
    if (result.status === 'passed') return `${open}/>`;
    if (result.status === 'skipped') {
      return `${open}>\n    <skipped message="${escapeXml(result.reason ?? '')}"/>\n  </testcase>`;
    }
    const body = [
      `expected: ${result.expected}`,
      `received: ${result.received}`,
      ...(result.excerpt === undefined ? [] : [`event: ${result.excerpt}`]),
      `spec: ${result.spec.join(', ')}`,
    ].join('\n');
    return `${open}>\n    <failure message="${escapeXml(`expected ${result.expected}`)}">${escapeXml(body)}</failure>\n  </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="rtwire conformance" tests="${report.results.length}" failures="${report.failed}" skipped="${report.skipped}" time="${(report.durationMs / 1000).toFixed(3)}">`,
    `<testsuite name="${escapeXml(report.url)}" tests="${report.results.length}" failures="${report.failed}" skipped="${report.skipped}" time="${(report.durationMs / 1000).toFixed(3)}">`,
    ...cases,
    '</testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
