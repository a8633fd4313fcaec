// One relay session in front of in-memory upstreams a test drives, for the
// resume-*.test.ts files.
import { encodeServerEvent } from '@rtwire/serializer';
import type { RealtimeServerEvent } from '@rtwire/types';
import { vi } from 'vitest';
import type { LogFields, LogLevel } from '../src/observe/relay-logger.ts';
import { RelayMetrics } from '../src/observe/relay-metrics.ts';
import { type RelaySessionLimits, startRelaySession } from '../src/relay-session.ts';
import { MemorySocket } from './memory-socket.ts';

export const limits: RelaySessionLimits = {
  maxFrameBytes: 1 << 20,
  rateLimitPerSecond: 0,
  rateLimitBurst: 1,
  highWaterBytes: 1 << 20,
  hardLimitBytes: 1 << 22,
  resumeAttempts: 3,
  resumeWindowMs: 2000,
  resumeMaxBytes: 64 * 1024,
};

export const session = {
  type: 'realtime',
  object: 'realtime.session',
  id: 'sess_1',
  instructions: 'Be brief.',
  output_modalities: ['text'],
  expires_at: 0,
};

export const userItem = (id: string, text: string): Record<string, unknown> => ({
  id,
  object: 'realtime.item',
  type: 'message',
  status: 'completed',
  role: 'user',
  content: [{ type: 'input_text', text }],
});

/** `{ "a": { "a": … 1 } }`, `levels` objects deep, built without recursion. */
export function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { a: 1 };
  for (let level = 1; level < levels; level++) value = { a: value };
  return value;
}

/**
 * The JSON text of `event` with each `"$deep"` string replaced by an object `levels` deep:
 * what an upstream could send, past what the serializer writes.
 */
export function deepFrame(event: unknown, levels: number): string {
  const deep = `${'{"a":'.repeat(levels - 1)}{"a":1}${'}'.repeat(levels - 1)}`;
  return JSON.stringify(event).replaceAll('"$deep"', deep);
}

/** An upstream socket that counts as open until the relay (or the peer) closes it. */
export class CountedSocket extends MemorySocket {
  constructor(private readonly live: Set<CountedSocket>) {
    super();
    live.add(this);
  }

  override close(code: number, reason: string): void {
    super.close(code, reason);
    this.live.delete(this);
  }

  override peerClose(code: number): void {
    this.live.delete(this);
    super.peerClose(code);
  }
}

/**
 * A session whose connector hands out a fresh upstream each time (or fails, as told), with
 * every upstream still open counted in `live` and every log record kept.
 */
export function openSession(
  options: {
    fail?: (attempt: number) => boolean;
    limits?: Partial<RelaySessionLimits>;
    socket?: (live: Set<CountedSocket>, attempt: number) => CountedSocket;
    /** Awaited before an attempt connects: holds a connection half-way. */
    gate?: (attempt: number) => Promise<void> | undefined;
  } = {},
) {
  const client = new MemorySocket();
  const upstreams: CountedSocket[] = [];
  const live = new Set<CountedSocket>();
  const metrics = new RelayMetrics();
  const logs: { level: LogLevel; message: string; fields: LogFields | undefined }[] = [];
  let attempts = 0;
  const relay = startRelaySession({
    client,
    connectUpstream: async () => {
      const attempt = ++attempts;
      await options.gate?.(attempt);
      if (options.fail?.(attempt)) throw new Error('connection refused');
      const upstream = options.socket?.(live, attempt) ?? new CountedSocket(live);
      upstreams.push(upstream);
      return upstream;
    },
    model: 'gpt-realtime',
    limits: { ...limits, ...options.limits },
    metrics,
    logger: { log: (level, message, fields) => logs.push({ level, message, fields }) },
  });
  const play = (upstream: MemorySocket, events: unknown[]) => {
    for (const event of events) {
      upstream.deliver(
        typeof event === 'string' ? event : encodeServerEvent(event as RealtimeServerEvent),
      );
    }
  };
  return {
    relay,
    client,
    upstreams,
    live,
    metrics,
    logs,
    play,
    attempts: () => attempts,
    latest: () => upstreams.at(-1) as CountedSocket,
  };
}

/**
 * Under `vi.useFakeTimers()`: moves the fake clock on in 10 ms steps (running the timers and
 * promise callbacks due) until `condition` holds; throws naming `what` after a fake minute.
 */
export async function untilOnFakeClock(condition: () => boolean, what: string): Promise<void> {
  for (let elapsed = 0; elapsed <= 60_000; elapsed += 10) {
    if (condition()) return;
    await vi.advanceTimersByTimeAsync(10);
  }
  throw new Error(`no ${what} within a minute of fake time`);
}
