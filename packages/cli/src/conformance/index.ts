/**
 * `rtwire conformance`, the GA Realtime conformance suite, as functions: run it against an
 * endpoint (`runConformance`), render its report (`textReport`, `junitReport`), read its
 * catalogue (`conformanceChecks`), or use its two whole-run checks on events of your own
 * (`protocolOrderErrors`, `createSpecValidator`).
 *
 * @example
 * ```ts
 * import { runConformance, textReport } from '@rtwire/cli/conformance';
 *
 * const report = await runConformance({ url: 'ws://127.0.0.1:8787/v1/realtime' });
 * process.stdout.write(textReport(report));
 * ```
 *
 * @module
 */
export { conformanceChecks, selectChecks } from './catalogue.ts';
export {
  type Capability,
  type Check,
  type CheckContext,
  CheckFailure,
  CheckSkip,
  type LatencyName,
  type RecordedSession,
  type ServerEvent,
} from './check.ts';
export { type CommandOutput, runConformanceCommand } from './conformance-command.ts';
export {
  ConformanceSession,
  type ConformanceTarget,
  type EventMatch,
} from './conformance-session.ts';
export { junitReport } from './junit-report.ts';
export {
  type OrderedEvent,
  playbackOrderErrors,
  protocolOrderErrors,
} from './protocol-order.ts';
export {
  type CheckResult,
  type ConformanceOptions,
  type ConformanceReport,
  ConformanceUsageError,
  type LatencySummary,
  runConformance,
} from './run-conformance.ts';
export {
  createSpecValidator,
  type SpecValidator,
  schemaNamesByType,
  specAjv,
} from './spec-validator.ts';
export { textReport } from './text-report.ts';
