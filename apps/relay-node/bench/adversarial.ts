/**
 * Adversarial benchmark: re-runs the checks of the hardening review against the Node relay and
 * prints their figures. It never asserts: every phase prints one JSON line, a summary table
 * closes the run, and the exit code is 0 unless the bench itself broke.
 *
 *   pnpm bench:adversarial                         # every phase, about 2.5 minutes
 *   ADV_PHASES=fuzz,drain pnpm bench:adversarial   # some phases (fuzz, soak, slow, idle, drain)
 *
 * Phases:
 *   fuzz   mutated frames (seeded) through decodeClientEvent and decodeServerEvent, in process
 *   soak   sessions exchanging numbered events with an echo upstream: loss, order, round trips
 *   slow   one client reading at ~1% of what a flooding upstream offers: relay RSS, kept/closed
 *   idle   idle sessions on the embedded simulator: relay RSS per session
 *   drain  SIGTERM with open sessions: time to every client's close and to the process exit
 *
 * Knobs: ADV_FUZZ_FRAMES, ADV_FUZZ_SECONDS, ADV_FUZZ_SEED, ADV_SOAK_SESSIONS, ADV_SOAK_SECONDS,
 * ADV_SOAK_INTERVAL_MS, ADV_SLOW_SECONDS, ADV_SLOW_FRAME_KIB, ADV_SLOW_OFFERED_FPS,
 * ADV_SLOW_READ_PERCENT, ADV_IDLE_SESSIONS, ADV_DRAIN_SESSIONS.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  CLIENT_EVENT_TYPES,
  type DecodeResult,
  decodeClientEvent,
  decodeServerEvent,
  SERVER_EVENT_TYPES,
} from '@rtwire/types';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { maskedFrame, Opcode, openRawWebSocket } from '../../../test-support/raw-socket.ts';

const env = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? Number.NaN : Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
};

const PHASES = ['fuzz', 'soak', 'slow', 'idle', 'drain'] as const;
type Phase = (typeof PHASES)[number];
const FUZZ_FRAMES = env('ADV_FUZZ_FRAMES', 1_000_000);
const FUZZ_SECONDS = env('ADV_FUZZ_SECONDS', 50);
const FUZZ_SEED = env('ADV_FUZZ_SEED', 0x5eed1234) >>> 0 || 1;
const SOAK_SESSIONS = env('ADV_SOAK_SESSIONS', 200);
const SOAK_SECONDS = env('ADV_SOAK_SECONDS', 60);
const SOAK_INTERVAL_MS = Math.max(1, env('ADV_SOAK_INTERVAL_MS', 100));
const SLOW_SECONDS = env('ADV_SLOW_SECONDS', 15);
const SLOW_FRAME_BYTES = Math.max(1, env('ADV_SLOW_FRAME_KIB', 64)) * 1024;
const SLOW_OFFERED_FPS = Math.max(1, env('ADV_SLOW_OFFERED_FPS', 160));
const SLOW_READ_PERCENT = env('ADV_SLOW_READ_PERCENT', 1);
const IDLE_SESSIONS = env('ADV_IDLE_SESSIONS', 1000);
const DRAIN_SESSIONS = env('ADV_DRAIN_SESSIONS', 100);

const appDir = fileURLToPath(new URL('..', import.meta.url));
const MARKER = 'ZQXMARK';

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves with `promise`'s value, or with `fallback` once `ms` passed. */
function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<T>((resolve) => {
      timer = setTimeout(() => resolve(fallback), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Resident set size of a process, in bytes (Linux); 0 once it is gone. */
function rssOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(match?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** The `q` quantile of ascending `sorted` values (0 when there are none). */
function quantile(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Samples a process's RSS on an interval: start, peak, last, and a few marks along the way. */
function rssSampler(pid: number, everyMs: number) {
  const start = rssOf(pid);
  let peak = start;
  let last = start;
  const startedAt = performance.now();
  const marks: Array<[number, number]> = [];
  let nextMarkS = 5;
  const timer = setInterval(() => {
    last = rssOf(pid);
    if (last > peak) peak = last;
    const elapsedS = (performance.now() - startedAt) / 1000;
    if (elapsedS >= nextMarkS) {
      marks.push([nextMarkS, mib(last)]);
      nextMarkS += 5;
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      last = rssOf(pid) || last;
      if (last > peak) peak = last;
      return { startMiB: mib(start), peakMiB: mib(peak), endMiB: mib(last), marks };
    },
  };
}

/** xorshift32: a tiny seeded generator, so every fuzz run is the same run. */
class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

/** What the bench started, stopped in reverse order at the end whatever happens. */
const cleanups: Array<() => Promise<void> | void> = [];
async function cleanupAll() {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch {
      // Best effort: the next one still runs.
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The relay process and the upstream

interface Relay {
  readonly child: ChildProcess;
  readonly pid: number;
  /** `ws://host:port/v1/realtime?model=gpt-realtime` */
  readonly wsUrl: string;
  readonly httpUrl: string;
  /** Log lines by `level:msg`, counted (lines are not kept: a flood of them must cost nothing). */
  readonly logCounts: Map<string, number>;
  /** The first warn/error lines, verbatim (bounded). */
  readonly notable: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/** Runs `src/main.ts` through tsx, as test/spawn-relay.ts does, and waits for its URL. */
async function startRelay(overrides: Record<string, string>): Promise<Relay> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: appDir,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...overrides },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logCounts = new Map<string, number>();
  const notable: string[] = [];
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    }),
  );
  let partial = '';
  let head = '';
  let url: string | undefined;
  let resolveUrl: (value: string) => void = () => {};
  const urlKnown = new Promise<string>((resolve) => {
    resolveUrl = resolve;
  });
  const onLine = (line: string) => {
    if (line === '') return;
    if (line.startsWith('{')) {
      try {
        const record = JSON.parse(line) as { level?: unknown; msg?: unknown };
        const key = `${String(record.level)}:${String(record.msg)}`;
        logCounts.set(key, (logCounts.get(key) ?? 0) + 1);
        if ((record.level === 'warn' || record.level === 'error') && notable.length < 20)
          notable.push(line.slice(0, 400));
        return;
      } catch {
        // Not a log record: counted below.
      }
    }
    logCounts.set('other', (logCounts.get('other') ?? 0) + 1);
    if (notable.length < 20 && !line.includes('listening on')) notable.push(line.slice(0, 400));
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const lines = text.split('\n');
    partial = (lines.pop() ?? '').slice(-65536);
    if (url === undefined) {
      head = (head + chunk.toString()).slice(0, 65536);
      const match = /listening on (http:\/\/[^\s]+)/.exec(head);
      if (match?.[1]) {
        url = match[1];
        resolveUrl(url);
      }
    }
    for (const line of lines) onLine(line);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() === '') continue;
      logCounts.set('stderr', (logCounts.get('stderr') ?? 0) + 1);
      if (notable.length < 20) notable.push(`stderr: ${line.slice(0, 400)}`);
    }
  });
  const stop = async () => {
    if (exitInfo !== undefined) return;
    child.kill('SIGTERM');
    const done = await within(
      exited.then(() => true),
      10_000,
      false,
    );
    if (!done) {
      child.kill('SIGKILL');
      await within(exited, 5000, undefined);
    }
  };
  cleanups.push(stop);
  const started = await within(
    Promise.race([urlKnown, exited.then(() => undefined)]),
    20_000,
    undefined,
  );
  if (started === undefined) {
    await stop();
    throw new Error(`relay did not start: ${notable.join(' | ')}`);
  }
  return {
    child,
    pid: child.pid ?? 0,
    httpUrl: started,
    wsUrl: `${started.replace(/^http/, 'ws')}/v1/realtime?model=gpt-realtime`,
    logCounts,
    notable,
    exited,
    stop,
  };
}

/** `rtwire_relay_*` lines of the relay's /metrics worth printing. */
async function relayMetrics(relay: Relay): Promise<Record<string, number>> {
  try {
    const response = await fetch(`${relay.httpUrl}/metrics`, { signal: AbortSignal.timeout(3000) });
    const text = await response.text();
    const picked: Record<string, number> = {};
    for (const line of text.split('\n')) {
      if (line.startsWith('#')) continue;
      const match =
        /^rtwire_relay_(sessions_active|sessions_paused|buffered_bytes|refusals_unanswered_total|errors_total|closes_total)(\{[^}]*\})? (\S+)$/.exec(
          line,
        );
      if (match) picked[`${match[1]}${match[2] ?? ''}`] = Number(match[3]);
    }
    return picked;
  } catch {
    return {};
  }
}

const logSummary = (relay: Relay) => Object.fromEntries(relay.logCounts);

const SESSION_CREATED =
  '{"type":"session.created","event_id":"evt_0","session":{"type":"realtime"}}';

interface EchoUpstream {
  readonly url: string;
  readonly stats: {
    connections: number;
    echoed: number;
    closeCodes: Record<string, number>;
    floodOffered: number;
    floodSent: number;
    floodHeldBack: number;
    open: number;
  };
  stopFloods(): void;
  close(): Promise<void>;
}

/**
 * The upstream: `session.created` on connect; every `conversation.item.create` echoed back as an
 * `response.output_text.delta` whose delta is the item's text; `x.flood` starts a stream of
 * ~`SLOW_FRAME_BYTES` audio deltas at `SLOW_OFFERED_FPS`, offered whether or not the relay reads
 * (a frame that would grow this side's send buffer past 4 MiB is counted as held back instead).
 */
async function startEchoUpstream(): Promise<EchoUpstream> {
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    perMessageDeflate: false,
    maxPayload: 64 * 1024 * 1024,
  });
  await new Promise((resolve) => server.once('listening', resolve));
  const stats = {
    connections: 0,
    echoed: 0,
    closeCodes: {} as Record<string, number>,
    floodOffered: 0,
    floodSent: 0,
    floodHeldBack: 0,
    open: 0,
  };
  const floods = new Set<ReturnType<typeof setInterval>>();
  const floodPrefix =
    '{"type":"response.output_audio.delta","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"';
  const floodAudio = 'A'.repeat(Math.max(4, SLOW_FRAME_BYTES - floodPrefix.length - 40));
  let eventSeq = 0;
  server.on('connection', (socket) => {
    stats.connections++;
    stats.open++;
    socket.on('error', () => {});
    socket.on('close', (code) => {
      stats.open--;
      stats.closeCodes[code] = (stats.closeCodes[code] ?? 0) + 1;
    });
    socket.send(SESSION_CREATED);
    socket.on('message', (data: RawData) => {
      const text = data.toString();
      if (text.includes('"x.flood"')) {
        const startedAt = performance.now();
        let offered = 0;
        const timer = setInterval(() => {
          if (socket.readyState !== WebSocket.OPEN) {
            clearInterval(timer);
            floods.delete(timer);
            return;
          }
          const due = Math.floor(((performance.now() - startedAt) / 1000) * SLOW_OFFERED_FPS);
          // Bounded: at most one second's worth per tick, even after a stall.
          for (let n = 0; offered < due && n < SLOW_OFFERED_FPS; n++) {
            offered++;
            stats.floodOffered++;
            if (socket.bufferedAmount > 4 * 1024 * 1024) {
              stats.floodHeldBack++;
              continue;
            }
            stats.floodSent++;
            socket.send(`${floodPrefix}${floodAudio}","event_id":"evt_f${offered}"}`);
          }
        }, 10);
        floods.add(timer);
        return;
      }
      let parsed: { type?: unknown; item?: { content?: Array<{ text?: unknown }> } };
      try {
        parsed = JSON.parse(text);
      } catch {
        return;
      }
      if (parsed.type !== 'conversation.item.create') return;
      const delta = parsed.item?.content?.[0]?.text;
      if (typeof delta !== 'string') return;
      stats.echoed++;
      socket.send(
        JSON.stringify({
          type: 'response.output_text.delta',
          event_id: `evt_${++eventSeq}`,
          response_id: 'r',
          item_id: 'i',
          output_index: 0,
          content_index: 0,
          delta,
        }),
      );
    });
  });
  const { port } = server.address() as AddressInfo;
  const stopFloods = () => {
    for (const timer of floods) clearInterval(timer);
    floods.clear();
  };
  const close = () =>
    new Promise<void>((resolve) => {
      stopFloods();
      for (const client of server.clients) client.terminate();
      server.close(() => resolve());
    });
  cleanups.push(close);
  return { url: `ws://127.0.0.1:${port}/v1/realtime`, stats, stopFloods, close };
}

/** Opens a client and waits for `session.created` (from the upstream, through the relay). */
async function openClient(
  url: string,
  timeoutMs = 10_000,
): Promise<{ ws: WebSocket; closed: Promise<{ code: number; at: number }> }> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; at: number }>((resolve) =>
    ws.once('close', (code) => resolve({ code, at: performance.now() })),
  );
  const ready = new Promise<boolean>((resolve) => {
    const onMessage = (data: RawData) => {
      if ((data as Buffer).includes('"session.created"')) {
        ws.off('message', onMessage);
        resolve(true);
      }
    };
    ws.on('message', onMessage);
    void closed.then(() => resolve(false));
  });
  const ok = await within(ready, timeoutMs, false);
  if (!ok) {
    ws.terminate();
    throw new Error('client did not get session.created');
  }
  return { ws, closed };
}

async function closeClients(clients: Array<{ ws: WebSocket; closed: Promise<unknown> }>) {
  for (const client of clients) if (client.ws.readyState === WebSocket.OPEN) client.ws.close();
  await within(Promise.all(clients.map((client) => client.closed)), 5000, undefined);
  for (const client of clients)
    if (client.ws.readyState !== WebSocket.CLOSED) client.ws.terminate();
}

// ---------------------------------------------------------------------------------------------
// Phase 1: fuzzed frames through both decoders

type Decoder = (
  input: unknown,
  options?: { legacyNames?: 'keep' | 'normalize' },
) => DecodeResult<{ type: string }>;
const decoders: ReadonlyArray<readonly [string, Decoder, ReadonlySet<string>]> = [
  ['client', decodeClientEvent as Decoder, new Set<string>(CLIENT_EVENT_TYPES)],
  ['server', decodeServerEvent as Decoder, new Set<string>(SERVER_EVENT_TYPES)],
];

type JsonObject = Record<string, unknown>;

/** Sets `value` at a JSON pointer inside `root`, creating nothing on the way. */
function setAtPointer(root: JsonObject, pointer: string, value: unknown): boolean {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  let target: unknown = root;
  for (let index = 0; index < segments.length - 1; index++) {
    if (typeof target !== 'object' || target === null) return false;
    target = (target as Record<string, unknown>)[segments[index] as string];
  }
  if (typeof target !== 'object' || target === null) return false;
  (target as Record<string, unknown>)[segments[segments.length - 1] as string] = value;
  return true;
}

const KIND_VALUES: ReadonlyArray<readonly [string, () => unknown]> = [
  ['a string', () => 's'],
  ['an integer', () => 0],
  ['a number', () => 0.5],
  ['a boolean', () => false],
  ['an object', () => ({})],
  ['an array', () => []],
  ['null', () => null],
];

/**
 * A minimal valid event of `type`, grown from `{ type, event_id }` by following the decoder's
 * own errors ("required field /x is missing (expected a string)"). Not valid when the error
 * texts change shape; then the partial event is still a useful seed.
 */
function minimalEvent(type: string, decode: Decoder): { event: JsonObject; valid: boolean } {
  const event: JsonObject = { type, event_id: 'evt_seed' };
  for (let round = 0; round < 64; round++) {
    const result = decode(JSON.stringify(event));
    if (result.ok) return { event, valid: result.known };
    const { error } = result;
    if (error.code !== 'missing_field' && error.code !== 'invalid_field') break;
    const expected =
      /expected ([^)]*)\)$/.exec(error.message)?.[1] ??
      /must be (.*), got/.exec(error.message)?.[1] ??
      'a string';
    const make = KIND_VALUES.find(([name]) => expected.startsWith(name))?.[1] ?? (() => 's');
    if (!setAtPointer(event, error.path, make())) break;
  }
  return { event, valid: false };
}

/** Real events beyond the minimal ones: nested content, audio, sessions (markers planted). */
const RICH_CLIENT: readonly JsonObject[] = [
  {
    type: 'conversation.item.create',
    event_id: `evt_${MARKER}_1`,
    item: {
      type: 'message',
      role: 'user',
      content: [{ type: 'input_text', text: `hello ${MARKER}` }],
    },
  },
  { type: 'input_audio_buffer.append', event_id: 'evt_2', audio: 'AAAAAAAA' },
  {
    type: 'session.update',
    event_id: 'evt_3',
    session: {
      type: 'realtime',
      instructions: `${MARKER} be brief`,
      tools: [{ type: 'function', name: MARKER, parameters: { type: 'object' } }],
      audio: { input: { format: { type: 'audio/pcm', rate: 24000 } } },
    },
  },
  { type: 'response.create', event_id: 'evt_4', response: { instructions: MARKER } },
  {
    type: 'conversation.item.truncate',
    event_id: 'evt_5',
    item_id: MARKER,
    content_index: 0,
    audio_end_ms: 10,
  },
  { type: 'x.seq', event_id: 'evt_6', seq: 1, [MARKER]: MARKER },
];

function fixtureServerEvents(): JsonObject[] {
  try {
    const path = fileURLToPath(
      new URL('../../../packages/types/test/fixtures/ga-traffic.jsonl', import.meta.url),
    );
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .slice(0, 200)
      .map((line) => JSON.parse(line) as JsonObject);
  } catch {
    return [];
  }
}

/** Seeds are JSON data: a round trip through text is the cheapest deep copy of them. */
function deepClone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** Every (object) node of a parsed value, with its container, for structural mutations. */
function collectSlots(
  root: unknown,
  limit = 200,
): Array<[Record<string, unknown> | unknown[], string | number]> {
  const slots: Array<[Record<string, unknown> | unknown[], string | number]> = [];
  const stack: unknown[] = [root];
  for (let visited = 0; stack.length > 0 && visited < limit; visited++) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length && slots.length < limit; index++) {
        slots.push([node, index]);
        stack.push(node[index]);
      }
    } else if (typeof node === 'object' && node !== null) {
      for (const key of Object.keys(node)) {
        if (slots.length >= limit) break;
        slots.push([node as Record<string, unknown>, key]);
        stack.push((node as Record<string, unknown>)[key]);
      }
    }
  }
  return slots;
}

const HOSTILE_VALUES: readonly unknown[] = [
  MARKER,
  `${MARKER}${'x'.repeat(300)}`,
  1e308,
  -1e308,
  2 ** 53 + 1,
  -0,
  1.5,
  -1,
  true,
  false,
  null,
  [],
  {},
  [MARKER],
  { [MARKER]: MARKER },
  '',
  '\u0000',
  '\ud800',
  '\ufeff',
  { type: MARKER },
];

const INJECTIONS: readonly string[] = [
  `"__proto__":{"polluted":"${MARKER}"},`,
  `"constructor":{"prototype":{"polluted":"${MARKER}"}},`,
  `"__proto__":{"type":"response.create","toString":"${MARKER}"},`,
  `"type":"${MARKER}",`,
  '"type":42,',
  '"type":null,',
  `"event_id":{"x":"${MARKER}"},`,
  '"event_id":1e999,',
  `"event_id":"${MARKER}${'y'.repeat(400)}",`,
  `"${MARKER}":"${MARKER}",`,
  '"item":[],',
  '"item":"\\ud800",',
  '"n":123456789012345678901234567890123456789,',
  '"n":-1e999,',
  '"n":1e-999,',
  '"n":-0,',
  '"content_index":1.0e3,',
  '"audio_end_ms":-9007199254740993,',
  `"s":"\\u0000${MARKER}\\udfff",`,
];

const LAST_INJECTIONS: readonly string[] = [
  ',"type":"response.create"}',
  ',"type":"error"}',
  `,"type":"${MARKER}"}`,
  ',"event_id":7}',
  ',"type":{}}',
];

const TAILS: readonly string[] = [' ', '\n', '\u0000', ' {}', '}', ']', ',', `${MARKER}`, '\ufeff'];

/** Byte sequences that are not UTF-8: stray continuation, overlong, surrogates, past U+10FFFF. */
const BAD_UTF8: readonly number[][] = [
  [0x80],
  [0xbf],
  [0xc0, 0x80],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0x80],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5, 0x80, 0x80, 0x80],
  [0xff],
  [0xfe],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
];

const encoder = new TextEncoder();
const lenient = new TextDecoder('utf-8');
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Deep and big frames, built once: depth is what matters, not how many different ones there
 * are. `deep` nests up to 10,000 levels; `huge` nests 100,000 or carries a 1 MiB string.
 */
function buildHeavyFrames(): { deep: string[]; huge: string[] } {
  const deep: string[] = [];
  const huge: string[] = [];
  for (const depth of [64, 1000, 10_000, 100_000]) {
    const frames = depth > 10_000 ? huge : deep;
    frames.push(
      `{"type":"response.create","event_id":"d","response":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    );
    frames.push(
      `{"type":"session.update","event_id":"d","session":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`,
    );
    frames.push(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    frames.push(`{"type":"x.deep","a":${'{"b":'.repeat(depth)}"${MARKER}"${'}'.repeat(depth)}}`);
  }
  huge.push(
    `{"type":"conversation.item.create","event_id":"big","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"${'z'.repeat(1 << 20)}${MARKER}"}]}}`,
  );
  huge.push(
    `{"type":"response.output_text.delta","event_id":"big","delta":"${MARKER}${'q'.repeat(1 << 20)}"}`,
  );
  return { deep, huge };
}

type Frame = string | Uint8Array;

function structuralMutation(rng: Rng, sample: JsonObject, types: readonly string[]): string {
  const event = deepClone(sample);
  const rounds = 1 + rng.int(3);
  for (let round = 0; round < rounds; round++) {
    const slots = collectSlots(event);
    const choice = rng.int(8);
    if (choice === 0 && slots.length > 0) {
      const [container, key] = rng.pick(slots);
      if (Array.isArray(container)) container.splice(Number(key), 1);
      else delete container[key as string];
    } else if (choice <= 2 && slots.length > 0) {
      const [container, key] = rng.pick(slots);
      (container as Record<string | number, unknown>)[key] = deepClone(rng.pick(HOSTILE_VALUES));
    } else if (choice === 3) {
      event.type = rng.pick(types);
    } else if (choice === 4) {
      event.type = rng.pick([
        MARKER,
        `${rng.pick(types)}.${MARKER}`,
        rng.pick(types).toUpperCase(),
        '',
        ' response.create',
      ]);
    } else if (choice === 5 && slots.length > 0) {
      const [container, key] = rng.pick(slots);
      (container as Record<string | number, unknown>)[key] = {
        [MARKER]: [MARKER, { [MARKER]: 1 }],
      };
    } else if (choice === 6) {
      event[`${MARKER}_${rng.int(1000)}`] = rng.pick(HOSTILE_VALUES);
    } else {
      event.event_id = rng.pick([MARKER, 12, null, `${MARKER}${'e'.repeat(rng.int(600))}`, ['a']]);
    }
  }
  return JSON.stringify(event);
}

function textMutation(rng: Rng, text: string): string {
  switch (rng.int(6)) {
    case 0:
    case 1: {
      // Injected keys right after the opening brace (duplicates: the last one wins in JSON.parse).
      const at = text.indexOf('{') + 1;
      return `${text.slice(0, at)}${rng.pick(INJECTIONS)}${text.slice(at)}`;
    }
    case 2:
      return text.endsWith('}') ? `${text.slice(0, -1)}${rng.pick(LAST_INJECTIONS)}` : text;
    case 3:
      return `\ufeff${text}`;
    case 4:
      return `${text}${rng.pick(TAILS)}`;
    default: {
      // A string value's quote broken or an escape cut in half.
      const at = rng.int(text.length);
      return `${text.slice(0, at)}${rng.pick(['\\', '"', '\\u12', '\\ud800', '\u2028', '\u0000', MARKER])}${text.slice(at)}`;
    }
  }
}

function byteMutation(rng: Rng, bytes: Uint8Array): Uint8Array {
  let out = bytes;
  const rounds = 1 + rng.int(3);
  for (let round = 0; round < rounds; round++) {
    const choice = rng.int(6);
    if (choice === 0 && out.length > 0) {
      out = out.slice();
      for (let flips = 1 + rng.int(4); flips > 0; flips--) {
        const at = rng.int(out.length);
        out[at] = (out[at] as number) ^ (1 << rng.int(8));
      }
    } else if (choice === 1) {
      const at = rng.int(out.length + 1);
      const insert = rng.chance(0.5)
        ? rng.pick(BAD_UTF8)
        : Array.from({ length: 1 + rng.int(8) }, () => rng.int(256));
      const next = new Uint8Array(out.length + insert.length);
      next.set(out.subarray(0, at));
      next.set(insert, at);
      next.set(out.subarray(at), at + insert.length);
      out = next;
    } else if (choice === 2 && out.length > 0) {
      const at = rng.int(out.length);
      const length = 1 + rng.int(Math.min(16, out.length - at));
      const next = new Uint8Array(out.length - length);
      next.set(out.subarray(0, at));
      next.set(out.subarray(at + length), at);
      out = next;
    } else if (choice === 3) {
      out = out.slice(0, rng.int(out.length + 1));
    } else if (choice === 4) {
      const next = new Uint8Array(out.length + 3);
      next.set([0xef, 0xbb, 0xbf]);
      next.set(out, 3);
      out = next;
    } else {
      // A string's closing quote swapped for a lone lead byte.
      const at = out.lastIndexOf(0x22);
      if (at >= 0) {
        out = out.slice();
        out[at] = 0xc3;
      }
    }
  }
  return out;
}

/** A view into a bigger buffer with junk around it: a decoder must honour byteOffset. */
function offsetView(rng: Rng, bytes: Uint8Array): Uint8Array {
  const before = 1 + rng.int(7);
  const backing = new Uint8Array(before + bytes.length + 5).fill(0x7b);
  backing.set(bytes, before);
  return backing.subarray(before, before + bytes.length);
}

function junkFrame(rng: Rng): Frame {
  switch (rng.int(5)) {
    case 0:
      return rng.pick([
        '',
        ' ',
        'null',
        '0',
        '"x"',
        '[]',
        '[{}]',
        'true',
        '{}',
        '{"type":1}',
        `"${MARKER}"`,
        '1e999',
        '{"type":"',
      ]);
    case 1:
      return Uint8Array.from({ length: rng.int(64) }, () => rng.int(256));
    case 2:
      return `{"type":"${MARKER}","event_id":"${MARKER}"}`;
    case 3:
      return `{"event_id":"${MARKER}","item":{"type":"message"}}`;
    default:
      return Uint8Array.from(rng.pick(BAD_UTF8));
  }
}

interface FuzzSeeds {
  client: JsonObject[];
  server: JsonObject[];
  validClient: number;
  validServer: number;
}

function buildSeeds(): FuzzSeeds {
  const client: JsonObject[] = [];
  const server: JsonObject[] = [];
  let validClient = 0;
  let validServer = 0;
  for (const type of CLIENT_EVENT_TYPES) {
    const { event, valid } = minimalEvent(type, decodeClientEvent as Decoder);
    if (valid) validClient++;
    client.push(event);
  }
  for (const type of SERVER_EVENT_TYPES) {
    const { event, valid } = minimalEvent(type, decodeServerEvent as Decoder);
    if (valid) validServer++;
    server.push(event);
  }
  client.push(...RICH_CLIENT);
  server.push(...fixtureServerEvents());
  return { client, server, validClient, validServer };
}

interface Outcomes {
  [outcome: string]: number;
}

async function fuzzPhase() {
  const rng = new Rng(FUZZ_SEED);
  const seeds = buildSeeds();
  const all = [...seeds.client, ...seeds.server];
  const allTypes = [...CLIENT_EVENT_TYPES, ...SERVER_EVENT_TYPES, 'x.seq', 'response.text.delta'];
  const { deep, huge } = buildHeavyFrames();
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort().join(',');
  const arrayBefore = Object.getOwnPropertyNames(Array.prototype).sort().join(',');

  const outcomes: Record<string, Outcomes> = { client: {}, server: {} };
  let throws = 0;
  const throwSamples: string[] = [];
  let echoes = 0;
  const echoSamples: string[] = [];
  let eventIdCarriesMarker = 0;
  let eventIdTooLong = 0;
  let knownOutsideList = 0;
  let maxMessageLength = 0;
  let crossChecks = 0;
  let crossMismatches = 0;
  const crossSamples: string[] = [];
  let frames = 0;
  // Heavy frames (100k-deep nesting, 1 MiB strings) are timed apart: they cost what JSON.parse
  // costs on them, and a handful would swamp the per-frame rate of the rest.
  const decodeNs = { ordinary: 0n, heavy: 0n };
  const maxDecodeUs = { ordinary: 0, heavy: 0 };
  let heavyFrames = 0;
  let bytesFrames = 0;
  const deadline = performance.now() + FUZZ_SECONDS * 1000;
  const batchSize = 10_000;

  const classify = (result: DecodeResult<{ type: string }>) =>
    result.ok ? (result.known ? 'known' : 'unknown') : `error:${result.error.code}`;

  let heavy = false;
  const generate = (): Frame => {
    const roll = rng.int(1000);
    heavy = roll < 2;
    if (heavy) return rng.int(40) === 0 ? rng.pick(huge) : rng.pick(deep);
    if (roll < 40) return junkFrame(rng);
    const sample = rng.pick(all);
    if (roll < 120) return JSON.stringify(sample);
    if (roll < 450) {
      const text = structuralMutation(rng, sample, allTypes);
      return rng.chance(0.3) ? textMutation(rng, text) : text;
    }
    if (roll < 650) return textMutation(rng, JSON.stringify(sample));
    const bytes = byteMutation(
      rng,
      encoder.encode(
        rng.chance(0.5) ? JSON.stringify(sample) : structuralMutation(rng, sample, allTypes),
      ),
    );
    // Some byte mutations are delivered as text, as a lenient reader would have decoded them.
    return rng.chance(0.2) ? lenient.decode(bytes) : bytes;
  };

  const hasMarker = (value: string | undefined) => value?.toUpperCase().includes(MARKER) === true;

  const batch: Frame[] = new Array(batchSize);
  const batchHeavy = new Uint8Array(batchSize);
  while (frames < FUZZ_FRAMES && performance.now() < deadline) {
    const count = Math.min(batchSize, FUZZ_FRAMES - frames);
    for (let index = 0; index < count; index++) {
      let frame = generate();
      if (typeof frame === 'string' && rng.chance(0.3)) frame = encoder.encode(frame);
      if (frame instanceof Uint8Array && rng.chance(0.3)) frame = offsetView(rng, frame);
      batch[index] = frame;
      batchHeavy[index] = heavy ? 1 : 0;
    }
    for (let index = 0; index < count; index++) {
      const frame = batch[index] as Frame;
      if (typeof frame !== 'string') bytesFrames++;
      const normalize = (index & 15) === 0;
      const kind = batchHeavy[index] ? 'heavy' : 'ordinary';
      if (kind === 'heavy') heavyFrames++;
      for (const [side, decode, known] of decoders) {
        let result: DecodeResult<{ type: string }>;
        const started = process.hrtime.bigint();
        try {
          result = normalize ? decode(frame, { legacyNames: 'normalize' }) : decode(frame);
        } catch (error) {
          throws++;
          if (throwSamples.length < 5)
            throwSamples.push(
              `${side}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`.slice(
                0,
                200,
              ),
            );
          continue;
        } finally {
          const elapsed = process.hrtime.bigint() - started;
          decodeNs[kind] += elapsed;
          const us = Number(elapsed) / 1000;
          if (us > maxDecodeUs[kind]) maxDecodeUs[kind] = us;
        }
        const outcome = classify(result);
        const sideOutcomes = outcomes[side] as Outcomes;
        sideOutcomes[outcome] = (sideOutcomes[outcome] ?? 0) + 1;
        if (result.ok) {
          if (result.known && !known.has(result.event.type)) knownOutsideList++;
          continue;
        }
        const { error } = result;
        if (error.message.length > maxMessageLength) maxMessageLength = error.message.length;
        if (hasMarker(error.message) || hasMarker(error.path) || hasMarker(error.eventType)) {
          echoes++;
          if (echoSamples.length < 5)
            echoSamples.push(`${side} ${error.code} ${error.path}: ${error.message}`.slice(0, 300));
        }
        if (error.eventId !== undefined) {
          if (hasMarker(error.eventId)) eventIdCarriesMarker++;
          if (typeof error.eventId !== 'string' || error.eventId.length > 256) eventIdTooLong++;
        }
      }
      // One in eight frames: the same text as a string and as bytes must get the same answer.
      if ((index & 7) === 1 && typeof frame === 'string' && !LONE_SURROGATE.test(frame)) {
        crossChecks++;
        const bytes = encoder.encode(frame);
        for (const [side, decode] of decoders) {
          try {
            const a = classify(decode(frame));
            const b = classify(decode(bytes));
            if (a !== b) {
              crossMismatches++;
              if (crossSamples.length < 5)
                crossSamples.push(`${side}: string ${a} vs bytes ${b}: ${frame.slice(0, 120)}`);
            }
          } catch {
            throws++;
          }
        }
      }
    }
    frames += count;
    // Let timers run between batches (nothing else is going on, but stay a good citizen).
    await new Promise((resolve) => setImmediate(resolve));
  }
  const probe = {} as Record<string, unknown>;
  const pollution = {
    objectPolluted: probe.polluted !== undefined || Object.hasOwn(Object.prototype, 'polluted'),
    objectPrototypeChanged:
      Object.getOwnPropertyNames(Object.prototype).sort().join(',') !== prototypeBefore,
    arrayPrototypeChanged:
      Object.getOwnPropertyNames(Array.prototype).sort().join(',') !== arrayBefore,
    prototypeOfPlainObject: Object.getPrototypeOf({}) === Object.prototype,
  };
  const ordinarySeconds = Number(decodeNs.ordinary) / 1e9;
  const heavySeconds = Number(decodeNs.heavy) / 1e9;
  const ordinaryFrames = frames - heavyFrames;
  return {
    phase: 'fuzz',
    seed: FUZZ_SEED,
    frames,
    bytesFrames,
    stringFrames: frames - bytesFrames,
    seedsValid: `client ${seeds.validClient}/${CLIENT_EVENT_TYPES.length}, server ${seeds.validServer}/${SERVER_EVENT_TYPES.length}`,
    heavyFrames,
    framesPerSecondBothDecoders: Math.round(frames / (ordinarySeconds + heavySeconds)),
    ordinaryFramesPerSecondBothDecoders: Math.round(ordinaryFrames / ordinarySeconds),
    ordinaryDecodesPerSecond: Math.round((ordinaryFrames * decoders.length) / ordinarySeconds),
    heavyFrameMeanMs: round((heavySeconds * 1000) / Math.max(1, heavyFrames), 3),
    maxDecodeMs: {
      ordinary: round(maxDecodeUs.ordinary / 1000, 3),
      heavy: round(maxDecodeUs.heavy / 1000, 3),
    },
    throws,
    throwSamples,
    echoes,
    echoSamples,
    eventIdCarriesMarker,
    eventIdOverLimit: eventIdTooLong,
    knownOutsideList,
    maxErrorMessageChars: maxMessageLength,
    stringVsBytes: { checked: crossChecks, mismatches: crossMismatches, samples: crossSamples },
    outcomes,
    pollution,
    hitTimeBound: frames < FUZZ_FRAMES,
  };
}

// ---------------------------------------------------------------------------------------------
// Phase 2: sessions soak

async function soakPhase() {
  const upstream = await startEchoUpstream();
  const relay = await startRelay({
    UPSTREAM_URL: upstream.url,
    MAX_SESSIONS: String(Math.max(1000, SOAK_SESSIONS + 50)),
  });
  const rssIdle = rssOf(relay.pid);
  const perSession = Math.ceil((SOAK_SECONDS * 1000) / SOAK_INTERVAL_MS) + 2;
  interface SoakClient {
    ws: WebSocket;
    closed: Promise<{ code: number; at: number }>;
    sentAt: Float64Array;
    seen: Uint8Array;
    sent: number;
    received: number;
    duplicates: number;
    reordered: number;
    foreign: number;
    errors: number;
    highest: number;
    timer?: ReturnType<typeof setInterval>;
    start?: ReturnType<typeof setTimeout>;
    closedEarly?: number;
  }
  const clients: SoakClient[] = [];
  let connectFailures = 0;
  const rtts: number[] = [];
  for (let index = 0; index < SOAK_SESSIONS; index += 50) {
    const opened = await Promise.allSettled(
      Array.from({ length: Math.min(50, SOAK_SESSIONS - index) }, () => openClient(relay.wsUrl)),
    );
    for (const result of opened) {
      if (result.status === 'rejected') {
        connectFailures++;
        continue;
      }
      clients.push({
        ...result.value,
        sentAt: new Float64Array(perSession),
        seen: new Uint8Array(perSession),
        sent: 0,
        received: 0,
        duplicates: 0,
        reordered: 0,
        foreign: 0,
        errors: 0,
        highest: -1,
      });
    }
  }
  const rssConnected = rssOf(relay.pid);
  const sampler = rssSampler(relay.pid, 250);
  let running = true;
  clients.forEach((client, index) => {
    const prefix = `s${index}:`;
    client.ws.on('message', (data: RawData) => {
      const text = (data as Buffer).toString();
      if (!text.includes('"response.output_text.delta"')) {
        if (text.includes('"type":"error"')) client.errors++;
        return;
      }
      const delta = (JSON.parse(text) as { delta?: unknown }).delta;
      if (typeof delta !== 'string' || !delta.startsWith(prefix)) {
        client.foreign++;
        return;
      }
      const seq = Number(delta.slice(prefix.length));
      if (!Number.isInteger(seq) || seq < 0 || seq >= perSession) {
        client.foreign++;
        return;
      }
      if (client.seen[seq]) {
        client.duplicates++;
        return;
      }
      client.seen[seq] = 1;
      client.received++;
      if (seq < client.highest) client.reordered++;
      else client.highest = seq;
      rtts.push(performance.now() - (client.sentAt[seq] as number));
    });
    void client.closed.then(({ code }) => {
      if (running) client.closedEarly = code;
    });
    const send = () => {
      if (!running || client.ws.readyState !== WebSocket.OPEN || client.sent >= perSession) return;
      const seq = client.sent++;
      client.sentAt[seq] = performance.now();
      client.ws.send(
        `{"type":"conversation.item.create","event_id":"c${index}_${seq}","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"${prefix}${seq}"}]}}`,
      );
    };
    // Spread over the interval, as independent callers would be.
    client.start = setTimeout(
      () => {
        send();
        client.timer = setInterval(send, SOAK_INTERVAL_MS);
      },
      (index * SOAK_INTERVAL_MS) / Math.max(1, clients.length),
    );
  });
  await sleep(SOAK_SECONDS * 1000);
  running = false;
  for (const client of clients) {
    clearTimeout(client.start);
    clearInterval(client.timer);
  }
  const sent = () => clients.reduce((sum, client) => sum + client.sent, 0);
  const received = () => clients.reduce((sum, client) => sum + client.received, 0);
  // Grace for replies in flight, bounded.
  const graceUntil = performance.now() + 5000;
  while (received() < sent() && performance.now() < graceUntil) await sleep(50);
  const rss = sampler.stop();
  const metrics = await relayMetrics(relay);
  const closedEarly: Record<string, number> = {};
  for (const client of clients)
    if (client.closedEarly !== undefined)
      closedEarly[client.closedEarly] = (closedEarly[client.closedEarly] ?? 0) + 1;
  await closeClients(clients);
  await sleep(1000);
  const rssAfterClose = rssOf(relay.pid);
  rtts.sort((a, b) => a - b);
  const result = {
    phase: 'soak',
    sessions: clients.length,
    connectFailures,
    seconds: SOAK_SECONDS,
    intervalMs: SOAK_INTERVAL_MS,
    sent: sent(),
    received: received(),
    lost: sent() - received(),
    reordered: clients.reduce((sum, client) => sum + client.reordered, 0),
    duplicated: clients.reduce((sum, client) => sum + client.duplicates, 0),
    foreign: clients.reduce((sum, client) => sum + client.foreign, 0),
    errorEvents: clients.reduce((sum, client) => sum + client.errors, 0),
    upstreamEchoed: upstream.stats.echoed,
    closedDuringSoak: closedEarly,
    rttMs: {
      p50: round(quantile(rtts, 0.5), 3),
      p99: round(quantile(rtts, 0.99), 3),
      p999: round(quantile(rtts, 0.999), 3),
      max: round(rtts[rtts.length - 1] ?? 0, 3),
    },
    relayRssMiB: {
      idle: mib(rssIdle),
      start: mib(rssConnected),
      peak: rss.peakMiB,
      end: rss.endMiB,
      afterClose: mib(rssAfterClose),
      every5s: rss.marks,
    },
    relayMetrics: metrics,
    relayLogs: logSummary(relay),
    relayNotable: relay.notable.slice(0, 5),
  };
  await relay.stop();
  await upstream.close();
  return result;
}

// ---------------------------------------------------------------------------------------------
// Phase 3: slow reader

/** Follows server-to-client frames byte by byte (unmasked), answering pings, noting a close. */
class FrameReader {
  frames = 0;
  dataFrames = 0;
  dataBytes = 0;
  pings = 0;
  closeCode: number | undefined;
  desync = false;
  private head: number[] = [];
  private remaining = 0;
  private opcode = 0;
  private control: Buffer[] = [];
  constructor(private readonly onControl: (opcode: number, payload: Buffer) => void) {}

  feed(chunk: Buffer): void {
    let offset = 0;
    // Every pass consumes at least one byte.
    while (offset < chunk.length && !this.desync) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - offset);
        if (this.opcode >= 8) this.control.push(chunk.subarray(offset, offset + take));
        else this.dataBytes += take;
        this.remaining -= take;
        offset += take;
        if (this.remaining === 0) this.finish();
        continue;
      }
      this.head.push(chunk[offset++] as number);
      const first = this.head[0] as number;
      if (this.head.length === 1) {
        if ((first & 0x70) !== 0 || ![0, 1, 2, 8, 9, 10].includes(first & 0x0f)) this.desync = true;
        continue;
      }
      const second = this.head[1] as number;
      if (second & 0x80) {
        this.desync = true;
        continue;
      }
      const short = second & 0x7f;
      const need = 2 + (short === 126 ? 2 : short === 127 ? 8 : 0);
      if (this.head.length < need) continue;
      let length = short;
      if (short === 126) length = ((this.head[2] as number) << 8) | (this.head[3] as number);
      else if (short === 127)
        length = Number(Buffer.from(this.head.slice(2, 10)).readBigUInt64BE());
      this.opcode = first & 0x0f;
      this.head = [];
      this.remaining = length;
      if (length === 0) this.finish();
    }
  }

  private finish() {
    this.frames++;
    if (this.opcode >= 8) {
      const payload = Buffer.concat(this.control);
      this.control = [];
      if (this.opcode === 9) this.pings++;
      if (this.opcode === 8) this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      this.onControl(this.opcode, payload);
    } else this.dataFrames++;
  }
}

async function slowPhase() {
  const upstream = await startEchoUpstream();
  const relay = await startRelay({ UPSTREAM_URL: upstream.url });
  const raw = await openRawWebSocket(relay.wsUrl);
  const socket: Socket = raw.socket;
  let tcpClosedAt: number | undefined;
  void raw.closed.then(() => {
    tcpClosedAt = performance.now();
  });
  const reader = new FrameReader((opcode, payload) => {
    if (socket.destroyed) return;
    if (opcode === Opcode.ping) socket.write(maskedFrame(Opcode.pong, payload));
    else if (opcode === Opcode.close)
      socket.write(maskedFrame(Opcode.close, payload.subarray(0, 2)));
  });
  // Let the upstream connect and its session.created arrive before the flood.
  await sleep(500);
  const sampler = rssSampler(relay.pid, 50);
  const startedAt = performance.now();
  socket.write(maskedFrame(Opcode.text, '{"type":"x.flood","event_id":"flood"}'));
  const offeredBytesPerSecond = SLOW_OFFERED_FPS * SLOW_FRAME_BYTES;
  const readBytesPerTick = (offeredBytesPerSecond * SLOW_READ_PERCENT) / 100 / 10;
  let budget = 0;
  let readBytes = 0;
  const ticks = Math.ceil(SLOW_SECONDS * 10);
  for (let tick = 0; tick < ticks && tcpClosedAt === undefined; tick++) {
    await sleep(100);
    budget += readBytesPerTick;
    // Bounded: each pass takes a chunk out of the socket's buffer or stops.
    for (let pass = 0; pass < 1000 && budget >= 1; pass++) {
      const chunk = socket.read() as Buffer | null;
      if (chunk === null) break;
      const take = Math.min(chunk.length, Math.floor(budget));
      if (take < chunk.length) socket.unshift(chunk.subarray(take));
      reader.feed(chunk.subarray(0, take));
      budget -= take;
      readBytes += take;
    }
    // Unused budget does not pile up past one tick's worth: the reader is slow, not bursty.
    budget = Math.min(budget, readBytesPerTick);
    if (reader.closeCode !== undefined) break;
  }
  const elapsedS = (performance.now() - startedAt) / 1000;
  const rss = sampler.stop();
  const metrics = await relayMetrics(relay);
  const upstreamOpen = upstream.stats.open;
  const kept = tcpClosedAt === undefined && reader.closeCode === undefined && upstreamOpen > 0;
  const closeSeenWhileSlow = reader.closeCode;
  // Then read what is left at full speed (bounded), to see whether a close was queued.
  upstream.stopFloods();
  const drainUntil = performance.now() + 2000;
  let drainedBytes = 0;
  while (
    performance.now() < drainUntil &&
    tcpClosedAt === undefined &&
    reader.closeCode === undefined
  ) {
    const chunk = socket.read() as Buffer | null;
    if (chunk === null) {
      await sleep(5);
      continue;
    }
    drainedBytes += chunk.length;
    reader.feed(chunk);
  }
  socket.destroy();
  await sleep(1000);
  const rssAfter = rssOf(relay.pid);
  const result = {
    phase: 'slow',
    seconds: round(elapsedS, 1),
    frameKiB: SLOW_FRAME_BYTES / 1024,
    offeredMiBps: round(offeredBytesPerSecond / 1024 / 1024, 2),
    readPercent: SLOW_READ_PERCENT,
    clientReadKiB: round(readBytes / 1024, 1),
    clientReadKiBps: round(readBytes / 1024 / elapsedS, 1),
    framesRead: reader.dataFrames,
    pingsAnswered: reader.pings,
    upstream: {
      offeredFrames: upstream.stats.floodOffered,
      sentToRelay: upstream.stats.floodSent,
      heldBackRelayNotReading: upstream.stats.floodHeldBack,
      closeCodes: upstream.stats.closeCodes,
    },
    relayRssMiB: {
      start: rss.startMiB,
      peak: rss.peakMiB,
      end: rss.endMiB,
      afterDisconnect: mib(rssAfter),
      every5s: rss.marks,
    },
    session: kept
      ? 'kept'
      : `closed (${closeSeenWhileSlow !== undefined ? `close frame ${closeSeenWhileSlow}` : tcpClosedAt !== undefined ? 'tcp closed' : 'upstream gone'})`,
    closeFrameFoundWhenDrained: reader.closeCode ?? null,
    drainedAfterKiB: round(drainedBytes / 1024, 1),
    frameStreamDesync: reader.desync,
    relayMetrics: metrics,
    relayLogs: logSummary(relay),
    relayNotable: relay.notable.slice(0, 5),
  };
  await relay.stop();
  await upstream.close();
  return result;
}

// ---------------------------------------------------------------------------------------------
// Phase 4: idle RSS per session

async function idlePhase() {
  const relay = await startRelay({
    UPSTREAM_URL: '',
    MAX_SESSIONS: String(IDLE_SESSIONS + 100),
  });
  const warm = await Promise.all(Array.from({ length: 20 }, () => openClient(relay.wsUrl)));
  await closeClients(warm);
  await sleep(1000);
  const before = rssOf(relay.pid);
  const idle: Awaited<ReturnType<typeof openClient>>[] = [];
  let failures = 0;
  for (let index = 0; index < IDLE_SESSIONS; index += 50) {
    const opened = await Promise.allSettled(
      Array.from({ length: Math.min(50, IDLE_SESSIONS - index) }, () => openClient(relay.wsUrl)),
    );
    for (const result of opened) {
      if (result.status === 'fulfilled') idle.push(result.value);
      else failures++;
    }
  }
  await sleep(2000);
  const after = rssOf(relay.pid);
  const metrics = await relayMetrics(relay);
  await closeClients(idle);
  await sleep(500);
  const afterClose = await relayMetrics(relay);
  const result = {
    phase: 'idle',
    sessions: idle.length,
    connectFailures: failures,
    relayRssMiB: { before: mib(before), withSessions: mib(after) },
    kibPerSession: round((after - before) / 1024 / Math.max(1, idle.length), 1),
    sessionsActiveMetric: metrics.sessions_active,
    sessionsActiveAfterClose: afterClose.sessions_active,
    relayRssAfterCloseMiB: mib(rssOf(relay.pid)),
    relayLogs: logSummary(relay),
    relayNotable: relay.notable.slice(0, 5),
  };
  await relay.stop();
  return result;
}

// ---------------------------------------------------------------------------------------------
// Phase 5: SIGTERM drain

async function drainPhase() {
  const upstream = await startEchoUpstream();
  const relay = await startRelay({ UPSTREAM_URL: upstream.url });
  const opened = await Promise.allSettled(
    Array.from({ length: DRAIN_SESSIONS }, () => openClient(relay.wsUrl)),
  );
  const clients = opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  // Traffic in flight while the signal lands: each session sends every 100 ms.
  let seq = 0;
  const timers = clients.map((client, index) =>
    setInterval(() => {
      if (client.ws.readyState !== WebSocket.OPEN) return;
      client.ws.send(
        `{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"d${index}:${seq++}"}]}}`,
      );
    }, 100),
  );
  await sleep(1000);
  const signalledAt = performance.now();
  relay.child.kill('SIGTERM');
  const exitSeen = relay.exited.then((exit) => ({ ...exit, at: performance.now() }));
  const closes: Array<{ code: number; at: number }> = [];
  for (const client of clients) void client.closed.then((close) => closes.push(close));
  const allClosed = await within(
    Promise.all(clients.map((client) => client.closed)).then(() => true),
    15_000,
    false,
  );
  const exit = await within(exitSeen, 15_000, undefined);
  for (const timer of timers) clearInterval(timer);
  const codes: Record<string, number> = {};
  let lastClose = signalledAt;
  let firstClose = Number.POSITIVE_INFINITY;
  for (const close of closes) {
    codes[close.code] = (codes[close.code] ?? 0) + 1;
    lastClose = Math.max(lastClose, close.at);
    firstClose = Math.min(firstClose, close.at);
  }
  await sleep(200);
  const result = {
    phase: 'drain',
    sessions: clients.length,
    connectFailures: DRAIN_SESSIONS - clients.length,
    clientsClosed: closes.length,
    firstCloseMs: closes.length > 0 ? round(firstClose - signalledAt, 1) : null,
    allClosedMs: allClosed ? round(lastClose - signalledAt, 1) : null,
    exitMs: exit ? round(exit.at - signalledAt, 1) : null,
    exitCode: exit?.code ?? null,
    exitSignal: exit?.signal ?? null,
    clientCloseCodes: codes,
    upstreamCloseCodes: upstream.stats.closeCodes,
    upstreamStillOpen: upstream.stats.open,
    relayLogs: logSummary(relay),
    relayNotable: relay.notable.slice(0, 5),
  };
  for (const client of clients) client.ws.terminate();
  await relay.stop();
  await upstream.close();
  return result;
}

// ---------------------------------------------------------------------------------------------

function table(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '))
    .join('\n');
}

async function main() {
  const requested = (process.env.ADV_PHASES ?? PHASES.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const phases = PHASES.filter(
    (phase, index) => requested.includes(phase) || requested.includes(String(index + 1)),
  );
  const unknown = requested.filter(
    (name) => !(PHASES as readonly string[]).includes(name) && !/^[1-5]$/.test(name),
  );
  if (unknown.length > 0) console.log(JSON.stringify({ ignoredPhases: unknown }));
  const summary: string[][] = [['phase', 'figures', 'seconds']];
  const runners: Record<Phase, () => Promise<Record<string, unknown>>> = {
    fuzz: fuzzPhase,
    soak: soakPhase,
    slow: slowPhase,
    idle: idlePhase,
    drain: drainPhase,
  };
  const started = performance.now();
  for (const phase of phases) {
    const phaseStarted = performance.now();
    let result: Record<string, unknown>;
    try {
      result = await runners[phase]();
    } catch (error) {
      result = { phase, benchError: error instanceof Error ? error.message : String(error) };
    } finally {
      await cleanupAll();
    }
    const seconds = round((performance.now() - phaseStarted) / 1000, 1);
    console.log(JSON.stringify({ ...result, phaseSeconds: seconds }));
    summary.push([phase, summarize(phase, result), String(seconds)]);
  }
  console.log('');
  console.log(table(summary));
  console.log(`total ${round((performance.now() - started) / 1000, 1)} s`);
}

function summarize(phase: Phase, r: Record<string, unknown>): string {
  if ('benchError' in r) return `bench error: ${String(r.benchError)}`;
  const get = (path: string): unknown =>
    path
      .split('.')
      .reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], r);
  switch (phase) {
    case 'fuzz':
      return `${get('frames')} frames, ${get('framesPerSecondBothDecoders')} frames/s (${get('ordinaryFramesPerSecondBothDecoders')} without the ${get('heavyFrames')} heavy ones; both decoders each), throws ${get('throws')}, echoes ${get('echoes')}, string/bytes mismatches ${get('stringVsBytes.mismatches')}, polluted ${get('pollution.objectPolluted') || get('pollution.objectPrototypeChanged') || get('pollution.arrayPrototypeChanged')}`;
    case 'soak':
      return `${get('sessions')} sessions: sent ${get('sent')}, received ${get('received')}, lost ${get('lost')}, reordered ${get('reordered')}, duplicated ${get('duplicated')}; rtt p50 ${get('rttMs.p50')} ms p99 ${get('rttMs.p99')} ms; RSS ${get('relayRssMiB.start')}/${get('relayRssMiB.peak')}/${get('relayRssMiB.end')} MiB (start/peak/end)`;
    case 'slow':
      return `session ${get('session')}; read ${get('clientReadKiBps')} KiB/s of ${get('offeredMiBps')} MiB/s offered; RSS ${get('relayRssMiB.start')}/${get('relayRssMiB.peak')}/${get('relayRssMiB.end')} MiB (start/peak/end)`;
    case 'idle':
      return `${get('sessions')} idle sessions: ${get('kibPerSession')} KiB/session`;
    case 'drain':
      return `${get('sessions')} sessions: ${get('clientsClosed')} closed, the last ${get('allClosedMs') === null ? 'not within 15 s' : `after ${get('allClosedMs')} ms`} (codes ${JSON.stringify(get('clientCloseCodes'))}), exit in ${get('exitMs')} ms with code ${get('exitCode')}`;
  }
}

process.once('SIGINT', () => {
  void cleanupAll().then(() => process.exit(130));
});

try {
  await main();
} finally {
  await cleanupAll();
}
