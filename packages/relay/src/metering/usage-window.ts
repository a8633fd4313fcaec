import type { UsageWindow } from '../policy/relay-policy.ts';
import type { Meter } from './usage-store.ts';

/**
 * Where the window of `kind` that holds `nowMs` starts and ends (UTC; a month is a calendar
 * month), and its key: the same on every relay, so instances that share a store count into
 * the same window.
 *
 * @example
 * ```ts
 * usageWindow('minute', Date.UTC(2026, 11, 6, 7, 41, 30)); // { key: 'minute:2026-12-06T07:41', … }
 * ```
 */
export function usageWindow(
  kind: UsageWindow,
  nowMs: number,
): { readonly key: string; readonly startMs: number; readonly endMs: number } {
  // Every reservation and settlement asks for the same few windows: the last one of each kind
  // answers until its end, instead of a date computed and formatted per call.
  const last = lastWindows.get(kind);
  if (last !== undefined && nowMs >= last.startMs && nowMs < last.endMs) return last;
  const window = computeWindow(kind, nowMs);
  lastWindows.set(kind, window);
  return window;
}

/** A window of usage: its key, where it starts and ends (ms). */
type Window = { readonly key: string; readonly startMs: number; readonly endMs: number };

const lastWindows = new Map<UsageWindow, Window>();

function computeWindow(kind: UsageWindow, nowMs: number): Window {
  const now = new Date(nowMs);
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const day = now.getUTCDate();
  const hour = now.getUTCHours();
  const minute = now.getUTCMinutes();
  let startMs: number;
  let endMs: number;
  switch (kind) {
    case 'minute':
      startMs = Date.UTC(year, month, day, hour, minute);
      endMs = startMs + 60_000;
      break;
    case 'hour':
      startMs = Date.UTC(year, month, day, hour);
      endMs = startMs + 3_600_000;
      break;
    case 'day':
      startMs = Date.UTC(year, month, day);
      endMs = Date.UTC(year, month, day + 1);
      break;
    case 'month':
      startMs = Date.UTC(year, month);
      endMs = Date.UTC(year, month + 1);
      break;
  }
  const stamp = new Date(startMs).toISOString();
  const shown =
    kind === 'month'
      ? stamp.slice(0, 7)
      : kind === 'day'
        ? stamp.slice(0, 10)
        : stamp.slice(0, kind === 'hour' ? 13 : 16);
  return { key: `${kind}:${shown}`, startMs, endMs };
}

/**
 * The windows `caps` count in at `nowMs`, each kind once, in the order the caps first name them.
 *
 * @example
 * ```ts
 * capWindows([{ meter: 'tokens', window: 'minute', limit: 10 }], Date.now()); // [{ key: 'minute:…', … }]
 * ```
 */
export function capWindows(
  caps: readonly { readonly window: UsageWindow }[],
  nowMs: number,
): { readonly key: string; readonly startMs: number; readonly endMs: number }[] {
  const kinds = new Set<UsageWindow>(caps.map((cap) => cap.window));
  return [...kinds].map((kind) => usageWindow(kind, nowMs));
}

/**
 * Whole seconds from `nowMs` to `endMs`, at least 1: a `Retry-After`.
 *
 * @example
 * ```ts
 * secondsUntil(61_500, 0); // 62
 * ```
 */
export function secondsUntil(endMs: number, nowMs: number): number {
  return Math.max(1, Math.ceil((endMs - nowMs) / 1000));
}

/**
 * The meters `caps` read in windows of `kind`, each once: the counters a reservation or a
 * settlement in such a window changes (a meter no cap reads there would be written for
 * nothing: a command per write, on Redis).
 *
 * @example
 * ```ts
 * cappedMeters([{ meter: 'tokens', window: 'day', limit: 1e6 }], 'day'); // ['tokens']
 * ```
 */
export function cappedMeters(
  caps: readonly { readonly meter: Meter; readonly window: UsageWindow }[],
  kind: string,
): Meter[] {
  const meters: Meter[] = [];
  for (const cap of caps) {
    if (cap.window === kind && !meters.includes(cap.meter)) meters.push(cap.meter);
  }
  return meters;
}

/**
 * The kind of a window from its key.
 *
 * @example
 * ```ts
 * windowKind('day:2026-12-07'); // 'day'
 * ```
 */
export function windowKind(key: string): string {
  const colon = key.indexOf(':');
  return colon < 0 ? key : key.slice(0, colon);
}
