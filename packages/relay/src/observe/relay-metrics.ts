import { CLIENT_EVENT_TYPES, SERVER_EVENT_TYPES } from '@rtwire/types';
import { closeCodeLabel } from '../session/close-codes.ts';

/** Which way a frame went: from the client to the upstream, or back. */
export type Direction = 'client_to_upstream' | 'upstream_to_client';

/** Frames and bytes counted for one event type in one direction. */
export interface FrameCount {
  frames: number;
  bytes: number;
}

/**
 * Upper bounds (ms) of the upstream connect latency histogram buckets.
 *
 * @example
 * ```ts
 * const le = CONNECT_LATENCY_BUCKETS_MS.find((bound) => latencyMs <= bound) ?? Infinity;
 * ```
 */
export const CONNECT_LATENCY_BUCKETS_MS = [
  1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
] as const;

const knownTypes: ReadonlySet<string> = new Set<string>([
  ...CLIENT_EVENT_TYPES,
  ...SERVER_EVENT_TYPES,
]);

/** What one tenant used, as the relay's metrics count it. */
export interface TenantUsage {
  responses: number;
  inputTokens: number;
  outputTokens: number;
  inputAudioMs: number;
  outputAudioMs: number;
  microUsd: number;
}

/**
 * Counters and gauges of one relay process: sessions, frames and bytes per direction and
 * event type, errors by code, rejected upgrades by code, upstream connect latency. Event
 * types outside the protocol count as `unknown`, so a client cannot grow the label set.
 * Render with `renderPrometheus` (what `/metrics` serves).
 *
 * @example
 * ```ts
 * const metrics = new RelayMetrics();
 * metrics.countFrame('upstream_to_client', 'response.output_text.delta', 120);
 * ```
 */
export class RelayMetrics {
  sessionsActive = 0;
  sessionsTotal = 0;
  /** Sessions whose reading is paused right now because the other side's buffer is full. */
  sessionsPaused = 0;
  /** Bytes all sessions held in buffers at the last budget check. */
  bufferedBytes = 0;
  /** Refused client frames dropped without an `error` event (the reply budget was spent). */
  refusalsUnanswered = 0;
  readonly frames: Record<Direction, Map<string, FrameCount>> = {
    client_to_upstream: new Map(),
    upstream_to_client: new Map(),
  };
  // One lookup per frame: protocol types resolve here, anything else misses and counts as unknown.
  readonly #counters: Record<Direction, Map<string, FrameCount>> = {
    client_to_upstream: new Map(),
    upstream_to_client: new Map(),
  };
  readonly errors = new Map<string, number>();
  readonly rejections = new Map<string, number>();
  readonly closes = new Map<string, number>();
  /** Upstream resumes and rollovers by outcome (`resumed`, `rolled_over`, `failed`, `rollover_failed`). */
  readonly resumes = new Map<string, number>();
  /** Forwarded calls ended, by reason (`CallEndReason`). */
  readonly callEnds = new Map<string, number>();
  /**
   * A call's sidebands and hangups passed on to the instance holding the call, by what and
   * how it went (`sideband`/`hangup`, and `ok`, `refused` (the holder's 4xx) or `unreachable`).
   */
  readonly callsRouted = new Map<string, number>();
  /** Whether the usage store answers (1) or not (0); `undefined` until one is watched. */
  usageStoreUp: number | undefined;
  /** Usage store calls that failed (an error or a timeout). */
  usageStoreFailures = 0;
  /** Usage records a sink dropped, its queue full while its destination was away. */
  usageRecordsDropped = 0;
  /**
   * What each tenant used, by the tenant's name in the policy file (`default` for the tenants
   * it does not name), so the label set is the file's.
   */
  readonly tenantUsage = new Map<string, TenantUsage>();
  /** Items replayed onto fresh upstreams. */
  replayedItems = 0;
  /** Time from an upstream drop to the session resumed on a new one. */
  readonly resumeTime = { count: 0, sumMs: 0, maxMs: 0 };
  readonly connectLatency = {
    buckets: CONNECT_LATENCY_BUCKETS_MS.map(() => 0),
    count: 0,
    sumMs: 0,
  };

  /** Counts one frame of `type` (undefined or non-protocol types count as `unknown`). */
  countFrame(direction: Direction, type: string | undefined, bytes: number): void {
    const counters = this.#counters[direction];
    let count = type === undefined ? undefined : counters.get(type);
    if (count === undefined) {
      const label = type !== undefined && knownTypes.has(type) ? type : 'unknown';
      count = this.frames[direction].get(label);
      if (count === undefined) {
        count = { frames: 0, bytes: 0 };
        this.frames[direction].set(label, count);
      }
      if (label !== 'unknown') counters.set(label, count);
    }
    count.frames++;
    count.bytes += bytes;
  }

  /** Counts an error the relay reported, by its stable code. */
  countError(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  /** Counts an upgrade refused before it became a session. */
  countRejection(code: string): void {
    this.rejections.set(code, (this.rejections.get(code) ?? 0) + 1);
  }

  /**
   * Counts a session end by its close code: the one sent to the client, or the one the client
   * closed with. Codes are folded by `closeCodeLabel`, so the label set stays fixed.
   */
  countClose(code: number): void {
    const label = closeCodeLabel(code);
    this.closes.set(label, (this.closes.get(label) ?? 0) + 1);
  }

  /** Counts a resume or rollover by outcome, and the items it replayed. */
  countResume(
    outcome: 'resumed' | 'rolled_over' | 'failed' | 'rollover_failed',
    items: number,
  ): void {
    this.resumes.set(outcome, (this.resumes.get(outcome) ?? 0) + 1);
    this.replayedItems += items;
  }

  /** Counts a forwarded call's end by its reason (a fixed set: `CallEndReason`). */
  countCallEnd(reason: string): void {
    this.callEnds.set(reason, (this.callEnds.get(reason) ?? 0) + 1);
  }

  /** Counts a sideband or hangup passed on to the instance holding its call, by how it went. */
  countCallRouted(kind: 'sideband' | 'hangup', outcome: 'ok' | 'refused' | 'unreachable'): void {
    const key = `${kind}/${outcome}`;
    this.callsRouted.set(key, (this.callsRouted.get(key) ?? 0) + 1);
  }

  /** Adds what a response (or a session's appended audio) used to its tenant's counters. */
  countUsage(tenant: string, used: Omit<TenantUsage, 'responses'>, responses: number): void {
    let usage = this.tenantUsage.get(tenant);
    if (usage === undefined) {
      usage = {
        responses: 0,
        inputTokens: 0,
        outputTokens: 0,
        inputAudioMs: 0,
        outputAudioMs: 0,
        microUsd: 0,
      };
      this.tenantUsage.set(tenant, usage);
    }
    usage.responses += responses;
    usage.inputTokens += used.inputTokens;
    usage.outputTokens += used.outputTokens;
    usage.inputAudioMs += used.inputAudioMs;
    usage.outputAudioMs += used.outputAudioMs;
    usage.microUsd += used.microUsd;
  }

  /** Records how long a resume took, from the drop to the new upstream replayed. */
  observeResumeTime(ms: number): void {
    this.resumeTime.count++;
    this.resumeTime.sumMs += ms;
    this.resumeTime.maxMs = Math.max(this.resumeTime.maxMs, ms);
  }

  /** Records how long an upstream connection took to open. */
  observeConnectLatency(ms: number): void {
    const index = CONNECT_LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
    if (index >= 0)
      this.connectLatency.buckets[index] = (this.connectLatency.buckets[index] ?? 0) + 1;
    this.connectLatency.count++;
    this.connectLatency.sumMs += ms;
  }
}
