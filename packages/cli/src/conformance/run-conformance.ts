import { conformanceChecks, selectChecks } from './catalogue.ts';
import {
  type Capability,
  type Check,
  type CheckContext,
  CheckFailure,
  CheckSkip,
  type LatencyName,
  type RecordedSession,
} from './check.ts';
import { ConformanceSession, type ConformanceTarget } from './conformance-session.ts';
import { createSpecValidator } from './spec-validator.ts';

/** How to run the suite. */
export interface ConformanceOptions extends ConformanceTarget {
  /** Check ids or groups to run (`--only`); empty: all. */
  readonly only?: readonly string[];
  /** Check ids or groups to leave out (`--skip`). */
  readonly skip?: readonly string[];
  /** Milliseconds any one expected event may take (`--timeout`, default 15000). */
  readonly timeoutMs?: number;
  /** Checks run at once (`--concurrency`, default 4). */
  readonly concurrency?: number;
  /** The input transcription model to ask for (default `gpt-4o-mini-transcribe`). */
  readonly transcriptionModel?: string;
  /** Capabilities the server is said not to have (`--no-audio`, …): their checks are skipped. */
  readonly without?: readonly Capability[];
  /** Called as each check ends. */
  readonly onResult?: (result: CheckResult, done: number, total: number) => void;
}

/** How one check ended. */
export interface CheckResult {
  readonly id: string;
  readonly description: string;
  readonly spec: readonly string[];
  readonly status: 'passed' | 'failed' | 'skipped';
  /** Why it was skipped. */
  readonly reason?: string;
  /** What the protocol expected, for a failure. */
  readonly expected?: string;
  /** What came instead. */
  readonly received?: string;
  /** The event in question, redacted. */
  readonly excerpt?: string;
  readonly durationMs: number;
}

/** The median of one latency over the checks that measured it. */
export interface LatencySummary {
  readonly p50Ms: number;
  readonly count: number;
}

/** What a run found. */
export interface ConformanceReport {
  /** The endpoint, without credentials. */
  readonly url: string;
  readonly results: readonly CheckResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly durationMs: number;
  readonly latency: Partial<Record<LatencyName, LatencySummary>>;
  /** True when no selected check failed. */
  readonly ok: boolean;
}

/**
 * Thrown for options the suite cannot run with (an unknown check id, a URL that is not
 * `ws:` or `wss:`): the caller's mistake, not the server's.
 *
 * @example
 * ```ts
 * try { await runConformance({ url, only: ['nope'] }); } catch (error) {
 *   if (error instanceof ConformanceUsageError) process.exitCode = 2;
 * }
 * ```
 */
export class ConformanceUsageError extends Error {
  override readonly name = 'ConformanceUsageError';
}

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Runs the conformance suite against a Realtime endpoint: each check in a session of its
 * own, `concurrency` at a time, then the checks that read every session (spec validity and
 * protocol order). Never throws for what the server does; a server that fails a check is a
 * result.
 *
 * @example
 * ```ts
 * const report = await runConformance({ url: 'ws://127.0.0.1:8787/v1/realtime' });
 * if (!report.ok) process.exitCode = 1;
 * ```
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const url = new URL(options.url);
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new ConformanceUsageError('expected a ws:// or wss:// URL');
  }
  const validator = createSpecValidator();
  const { selected, unknown } = selectChecks(
    conformanceChecks(validator),
    options.only,
    options.skip,
  );
  if (unknown.length > 0) {
    throw new ConformanceUsageError(`no check or group named ${unknown.join(', ')}`);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const startedAt = performance.now();
  const sessions: RecordedSession[] = [];
  const latencies = new Map<LatencyName, number[]>();
  const measure = (name: LatencyName, ms: number) => {
    const list = latencies.get(name) ?? [];
    list.push(ms);
    latencies.set(name, list);
  };
  const without = new Set(options.without ?? []);
  const results = new Map<Check, CheckResult>();
  const total = selected.length;
  const record = (check: Check, result: CheckResult) => {
    results.set(check, result);
    options.onResult?.(result, results.size, total);
  };

  // What the server offers, from a first session.created: a text-only server says so there.
  const scenarios = selected.filter((check) => check.run !== undefined);
  if (scenarios.some((check) => check.needs?.includes('audio')) && !without.has('audio')) {
    const offersAudio = await probeAudio(options, timeoutMs);
    if (!offersAudio) without.add('audio');
  }

  const queue = [...scenarios];
  const worker = async () => {
    for (let check = queue.shift(); check !== undefined; check = queue.shift()) {
      const missing = check.needs?.find((need) => without.has(need));
      if (missing !== undefined) {
        record(check, skipped(check, reasonFor(missing, options.without)));
        continue;
      }
      record(check, await runCheck(check, options, timeoutMs, sessions, measure));
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 4, 16));
  await Promise.all(Array.from({ length: concurrency }, worker));

  for (const check of selected.filter((candidate) => candidate.wholeRun !== undefined)) {
    const begun = performance.now();
    if (sessions.length === 0) {
      record(check, skipped(check, 'no other check ran to read events from'));
      continue;
    }
    try {
      check.wholeRun?.(sessions);
      record(check, {
        ...describe(check),
        status: 'passed',
        durationMs: performance.now() - begun,
      });
    } catch (error) {
      record(check, failed(check, error, performance.now() - begun));
    }
  }

  const ordered = selected.map((check) => results.get(check) as CheckResult);
  const count = (status: CheckResult['status']) =>
    ordered.filter((result) => result.status === status).length;
  const latency: Partial<Record<LatencyName, LatencySummary>> = {};
  for (const [name, values] of latencies) latency[name] = summarize(values);
  return {
    url: shownUrl(url),
    results: ordered,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    durationMs: performance.now() - startedAt,
    latency,
    ok: count('failed') === 0,
  };
}

/**
 * The endpoint as a report shows it: no credentials, and of the query only `model` (an
 * `api-key` or a token in the query must not reach a CI log).
 */
function shownUrl(url: URL): string {
  const shown = new URL(url.href);
  shown.username = '';
  shown.password = '';
  shown.search = '';
  const model = url.searchParams.get('model');
  if (model !== null) shown.searchParams.set('model', model);
  return shown.href;
}

async function runCheck(
  check: Check,
  options: ConformanceOptions,
  timeoutMs: number,
  sessions: RecordedSession[],
  measure: (name: LatencyName, ms: number) => void,
): Promise<CheckResult> {
  const begun = performance.now();
  const opened: ConformanceSession[] = [];
  let ended = false;
  const context: CheckContext = {
    transcriptionModel: options.transcriptionModel ?? 'gpt-4o-mini-transcribe',
    timeoutMs,
    measure,
    skip(reason) {
      throw new CheckSkip(reason);
    },
    async open() {
      const openedAt = performance.now();
      const session = await ConformanceSession.open(options, timeoutMs);
      // A check that overran its bound goes on in the background: what it opens then is
      // closed at once, so nothing it started keeps the process alive.
      if (ended) {
        session.close();
        throw new CheckFailure({ expected: 'the check to have ended', received: 'it went on' });
      }
      opened.push(session);
      sessions.push({ checkId: check.id, events: session.events, malformed: session.malformed });
      await session.waitFor(0, 'session.created');
      const at = session.receivedAt(0, 'session.created');
      if (at !== undefined) measure('session.created', at - openedAt);
      return session;
    },
  };
  // Every wait is bounded by the timeout; this bounds a check that waits many times.
  const bound = Math.max(60_000, timeoutMs * 4);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const overdue = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new CheckFailure({
            expected: `the check to end within ${bound} ms`,
            received: 'it did not',
          }),
        ),
      bound,
    );
  });
  try {
    await Promise.race([check.run?.(context), overdue]);
    return { ...describe(check), status: 'passed', durationMs: performance.now() - begun };
  } catch (error) {
    if (CheckSkip.is(error)) return skipped(check, error.message, performance.now() - begun);
    return failed(check, error, performance.now() - begun);
  } finally {
    ended = true;
    clearTimeout(timer);
    for (const session of opened) session.close();
  }
}

/** Whether the server's session.created offers audio output. */
async function probeAudio(options: ConformanceOptions, timeoutMs: number): Promise<boolean> {
  let session: ConformanceSession | undefined;
  try {
    session = await ConformanceSession.open(options, timeoutMs);
    const created = await session.waitFor(0, 'session.created');
    const config = created.session as { output_modalities?: unknown; audio?: unknown } | undefined;
    const modalities = config?.output_modalities;
    return !(Array.isArray(modalities) && !modalities.includes('audio') && config?.audio == null);
  } catch {
    // The checks themselves report a server that cannot be reached.
    return true;
  } finally {
    session?.close();
  }
}

function reasonFor(capability: Capability, declared: readonly Capability[] | undefined): string {
  if (declared?.includes(capability)) return `the server has no ${capability} (--no-${capability})`;
  return 'the server offers no audio output (session.created)';
}

function describe(check: Check) {
  return { id: check.id, description: check.description, spec: check.spec };
}

function skipped(check: Check, reason: string, durationMs = 0): CheckResult {
  return { ...describe(check), status: 'skipped', reason, durationMs };
}

function failed(check: Check, error: unknown, durationMs: number): CheckResult {
  if (CheckFailure.is(error)) {
    return {
      ...describe(check),
      status: 'failed',
      expected: error.expected,
      received: error.received,
      ...(error.excerpt === undefined ? {} : { excerpt: error.excerpt }),
      durationMs,
    };
  }
  // A fault of the suite itself, or of the network: reported, never thrown.
  return {
    ...describe(check),
    status: 'failed',
    expected: 'the check to run to its end',
    received: error instanceof Error ? `${error.name}: ${error.message}` : 'a non-error thrown',
    durationMs,
  };
}

function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor((sorted.length - 1) / 2);
  return { p50Ms: Math.round(sorted[middle] ?? 0), count: sorted.length };
}
