import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RelayServer, startRelayServer } from '@rtwire/cli/relay';
import { createNodeRuntime, type MountRelayOptions, type WebRtcStack } from '@rtwire/node';
import { createRelayFromEnv, loadRelayPolicy, type UpstreamConnector } from '@rtwire/relay';
import { afterEach, beforeEach } from 'vitest';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import {
  type FakeBackend,
  startFakeBackend,
  toolAwareChat,
} from '../../../test-support/fake-openai-backend.ts';

/** Everything started by a test, stopped by {@link stopAll}. */
const running: (() => Promise<void>)[] = [];

export async function stopAll(): Promise<void> {
  for (const stop of running.splice(0).reverse()) await stop();
}

/**
 * A fake OpenAI-compatible model server (test-support/fake-openai-backend.ts, answering chat
 * with `toolAwareChat`) for each test of the file: started before it; after it, what the test
 * started is stopped ({@link stopAll}), then the server. Returns the running test's server.
 */
export function fakeBackendPerTest(): () => FakeBackend {
  let backend: FakeBackend | undefined;
  beforeEach(async () => {
    backend = await startFakeBackend({ chat: toolAwareChat });
  });
  afterEach(async () => {
    await stopAll();
    await backend?.close();
    backend = undefined;
  });
  return () => {
    if (backend === undefined) throw new Error('no fake backend outside a test');
    return backend;
  };
}

/**
 * The relay's environment for cascade mode over an OpenAI-compatible model server (such as
 * {@link fakeBackendPerTest}'s): where it is, the key the relay sends it (`apiKey`), and the
 * chat, transcription and speech models the relay asks it for.
 */
export const cascadeEnv = (
  backend: { readonly baseURL: string },
  apiKey = 'sk-model-server-key',
): Record<string, string> => ({
  MODEL_BASE_URL: backend.baseURL,
  MODEL_API_KEY: apiKey,
  CHAT_MODEL: 'llama3.2',
  TRANSCRIPTION_MODEL: 'whisper-small',
  SPEECH_MODEL: 'kokoro',
});

export interface TestRelay extends RelayServer {
  readonly wsUrl: string;
  /** JSON log lines the relay wrote. */
  readonly logs: string[];
}

/**
 * Starts a relay on 127.0.0.1:0 with `env` on top of test defaults; with `calls`, it serves
 * WebRTC calls on that stack; `hooks` are given to `mountRelay` as they are (`onCallEnd`).
 */
export async function startRelay(
  env: Record<string, string> = {},
  connectUpstream?: UpstreamConnector,
  calls?: WebRtcStack,
  hooks: Pick<MountRelayOptions, 'onCallEnd'> = {},
): Promise<TestRelay> {
  const { RELAY_POLICY, ...rest } = {
    PORT: '0',
    SIM_PACE: 'fast',
    SHUTDOWN_TIMEOUT_MS: '1000',
    LOG_LEVEL: 'debug',
    ...env,
  } as Record<string, string>;
  const logs: string[] = [];
  // Assembled the one way a relay is; the policy is read apart, since some tests give one that
  // leaves credentials unpoliced on purpose, which createRelayFromEnv refuses.
  const relay = createRelayFromEnv(rest, createNodeRuntime({ write: (line) => logs.push(line) }));
  if (!relay.ok) throw new Error(`bad test config: ${JSON.stringify(relay.errors)}`);
  const policy = RELAY_POLICY ? loadRelayPolicy(RELAY_POLICY, env) : undefined;
  const server = await startRelayServer({
    ...relay,
    policy,
    ...(connectUpstream ? { connectUpstream } : {}),
    ...(calls ? { calls } : {}),
    ...hooks,
  });
  running.push(() => server.shutdown());
  return {
    url: server.url,
    port: server.port,
    metrics: server.metrics,
    get activeSessions() {
      return server.activeSessions;
    },
    shutdown: () => server.shutdown(),
    wsUrl: `${server.url.replace(/^http/, 'ws')}/v1/realtime`,
    logs,
  };
}

export interface FakeUpstream {
  readonly url: string;
  /** Handshake requests received, in order. */
  readonly handshakes: IncomingMessage[];
  /** Server-side sockets, in order of connection. */
  readonly sockets: WebSocket[];
  /** Text of every message received, per connection. */
  readonly received: string[][];
  nextConnection(): Promise<WebSocket>;
}

/**
 * A local Realtime-like upstream: sends `session.created` on connect, records handshakes and
 * messages, and lets the test drive it through `onConnection`.
 */
export async function startFakeUpstream(
  onConnection: (socket: WebSocket, index: number) => void = () => {},
): Promise<FakeUpstream> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const handshakes: IncomingMessage[] = [];
  const sockets: WebSocket[] = [];
  const received: string[][] = [];
  const waiters: ((socket: WebSocket) => void)[] = [];
  server.on('connection', (socket, request) => {
    const index = sockets.length;
    handshakes.push(request);
    sockets.push(socket);
    received.push([]);
    socket.on('message', (data: RawData) => received[index]?.push(data.toString()));
    socket.on('error', () => {});
    socket.send(
      JSON.stringify({
        type: 'session.created',
        event_id: `up_${index}`,
        session: { type: 'realtime' },
      }),
    );
    onConnection(socket, index);
    waiters.shift()?.(socket);
  });
  running.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of server.clients) socket.terminate();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/v1/realtime`,
    handshakes,
    sockets,
    received,
    nextConnection: () => new Promise((resolve) => waiters.push(resolve)),
  };
}

/** A client socket that records every event it receives. */
export interface TestClient {
  readonly ws: WebSocket;
  readonly events: { type: string; [key: string]: unknown }[];
  readonly raw: string[];
  /** Resolves with the first event (already received or future) matching `predicate`. */
  waitFor(
    predicate: (event: { type: string; [key: string]: unknown }) => boolean,
    timeoutMs?: number,
  ): Promise<{ type: string; [key: string]: unknown }>;
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  send(event: unknown): void;
}

export function connectClient(
  url: string,
  options: { headers?: Record<string, string>; protocols?: string[] } = {},
): Promise<TestClient> {
  const ws = new WebSocket(url, options.protocols ?? [], {
    headers: options.headers ?? {},
    perMessageDeflate: false,
  });
  const events: { type: string }[] = [];
  const raw: string[] = [];
  const listeners = new Set<() => void>();
  ws.on('message', (data: RawData) => {
    const text = data.toString();
    raw.push(text);
    events.push(JSON.parse(text));
    for (const listener of listeners) listener();
  });
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  running.push(async () => {
    ws.terminate();
  });
  const client: TestClient = {
    ws,
    events: events as TestClient['events'],
    raw,
    closed,
    send: (event) => ws.send(typeof event === 'string' ? event : JSON.stringify(event)),
    waitFor(predicate, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = client.events.find(predicate);
          if (found === undefined) return false;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(
            new Error(
              `no matching event within ${timeoutMs} ms; got ${client.events.map((e) => e.type).join(', ')}`,
            ),
          );
        }, timeoutMs);
        if (!check()) listeners.add(check);
      });
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_request, response) =>
      reject(new Error(`HTTP ${response.statusCode}`)),
    );
    ws.once('error', reject);
  });
}

/** The HTTP status an upgrade attempt is answered with (101 when it succeeds). */
export function upgradeStatus(
  url: string,
  options: { headers?: Record<string, string>; protocols?: string[] } = {},
): Promise<{ status: number; protocol?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {} });
    ws.once('open', () => {
      resolve({ status: 101, protocol: ws.protocol });
      ws.terminate();
    });
    ws.once('unexpected-response', (request, response) => {
      resolve({ status: response.statusCode ?? 0 });
      response.resume();
      request.destroy();
    });
    ws.once('error', reject);
  });
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it holds or `timeoutMs` passes. */
export async function eventually(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(10);
  }
}
