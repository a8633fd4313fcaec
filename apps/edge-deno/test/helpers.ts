import type { RelayHost } from '@rtwire/relay';
import { createDenoRelay } from '@rtwire/relay/deno';
import { engineUpstream } from '@rtwire/relay/engine';
import { decodeServerEvent, type RealtimeServerEvent } from '@rtwire/types';

/** A relay served on a free loopback port. */
export interface ServedRelay {
  readonly fetch: (request: Request) => Promise<Response>;
  readonly host: RelayHost;
  readonly url: string;
  readonly wsUrl: string;
  readonly logs: string[];
  close(): Promise<void>;
}

/** Serves the edge relay with Deno.serve on 127.0.0.1:0, logs captured. */
export function serveRelay(env: Record<string, string> = {}): Promise<ServedRelay> {
  const logs: string[] = [];
  const relay = createDenoRelay(
    { SIM_PACE: 'fast', ...env },
    { engine: engineUpstream, write: (line) => logs.push(line) },
  );
  if (!relay.ok) throw new Error(relay.errors.map((error) => error.variable).join(', '));
  return new Promise((resolve) => {
    const server = Deno.serve(
      {
        hostname: '127.0.0.1',
        port: 0,
        onListen: ({ port }) =>
          resolve({
            fetch: relay.fetch,
            host: relay.host,
            logs,
            url: `http://127.0.0.1:${port}`,
            wsUrl: `ws://127.0.0.1:${port}/v1/realtime`,
            async close() {
              relay.host.drain();
              await relay.host.idle(1_000);
              await server.shutdown();
            },
          }),
      },
      relay.fetch,
    );
  });
}

/** A WebSocket client that decodes and keeps every server event. */
export interface TestClient {
  readonly socket: WebSocket;
  readonly events: RealtimeServerEvent[];
  /** Every frame as it came. */
  readonly raw: string[];
  readonly closed: Promise<CloseEvent>;
  send(event: unknown): void;
  waitFor(
    match: (event: RealtimeServerEvent) => boolean,
    ms?: number,
  ): Promise<RealtimeServerEvent>;
}

export async function connect(url: string, protocols?: string[]): Promise<TestClient> {
  const socket = new WebSocket(url, protocols);
  const events: RealtimeServerEvent[] = [];
  const raw: string[] = [];
  const waiters: (() => void)[] = [];
  socket.onmessage = ({ data }) => {
    raw.push(data as string);
    const result = decodeServerEvent(data as string);
    if (!result.ok || !result.known)
      throw new Error(
        `undecodable server frame: ${result.ok ? 'unknown type' : result.error.code}`,
      );
    events.push(result.event);
    for (const wake of waiters.splice(0)) wake();
  };
  const closed = new Promise<CloseEvent>((resolve) => {
    socket.onclose = resolve;
  });
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error('client could not connect'));
  });
  return {
    socket,
    events,
    raw,
    closed,
    send: (event) => socket.send(JSON.stringify(event)),
    waitFor(match, ms = 5_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for an event')), ms);
        const check = () => {
          const found = events.find(match);
          if (found !== undefined) {
            clearTimeout(timer);
            resolve(found);
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}

/** Closes a client and waits for the close to finish. */
export async function disconnect(client: TestClient): Promise<void> {
  if (client.socket.readyState !== WebSocket.CLOSED) client.socket.close(1000, 'test over');
  await client.closed;
}
