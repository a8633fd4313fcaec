// Test-only: a proxy in front of a conforming server that breaks the protocol in one
// deliberate way, so a test can show which checks a fault makes fail.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RawData, WebSocket, WebSocketServer } from 'ws';

/** A server event as JSON. */
export type Json = Record<string, unknown> & { type: string };

/** What a fault remembers of one connection. */
export interface FaultState {
  /** The client's last text frames, newest last. */
  readonly clientFrames: string[];
  /** Free for a fault's own bookkeeping. */
  readonly notes: Map<string, unknown>;
}

/** One deliberate fault: how it rewrites each direction. */
export interface Fault {
  readonly name: string;
  /** Rewrites a server event: the events to send instead (none drops it). */
  readonly toClient?: (event: Json, state: FaultState) => Json[];
  /** Rewrites a client frame: the frame to pass on, or undefined to drop it. */
  readonly toServer?: (frame: string, state: FaultState) => string | undefined;
}

/** A running proxy. */
export interface FaultProxy {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `fault` on a free loopback port, passing everything else to `upstream` unchanged. */
export async function startFaultProxy(upstream: string, fault: Fault): Promise<FaultProxy> {
  const server: Server = createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (client) => {
    const state: FaultState = { clientFrames: [], notes: new Map() };
    const server = new WebSocket(upstream);
    const pending: string[] = [];
    const toServer = (frame: string) => {
      state.clientFrames.push(frame);
      if (state.clientFrames.length > 4) state.clientFrames.shift();
      const passed = fault.toServer ? fault.toServer(frame, state) : frame;
      if (passed === undefined) return;
      if (server.readyState === WebSocket.OPEN) server.send(passed);
      else pending.push(passed);
    };
    client.on('message', (data: RawData) => toServer(String(data)));
    server.on('open', () => {
      for (const frame of pending.splice(0)) server.send(frame);
    });
    server.on('message', (data: RawData) => {
      const event = JSON.parse(String(data)) as Json;
      const events = fault.toClient ? fault.toClient(event, state) : [event];
      for (const out of events) client.send(JSON.stringify(out));
    });
    const end = () => {
      client.terminate();
      server.terminate();
    };
    client.on('close', end);
    server.on('close', end);
    client.on('error', end);
    server.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/v1/realtime`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of wss.clients) socket.terminate();
        server.close(() => resolve());
      }),
  };
}
