// Test-only (Node): the tool endpoint of the policy scenarios on 127.0.0.1, for the Node relay's
// tests and the worker's (which run in Node and reach workerd's fetch over loopback).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toolServerReply } from './policy-scenarios.ts';

/** A running tool endpoint and the calls it got. */
export interface ToolServer {
  readonly url: string;
  readonly requests: {
    headers: Record<string, string | string[] | undefined>;
    body: Record<string, unknown>;
  }[];
  close(): Promise<void>;
}

/** Serves `toolServerReply` on a free loopback port, recording each call. */
export async function startToolServer(): Promise<ToolServer> {
  const requests: ToolServer['requests'] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      requests.push({ headers: request.headers, body });
      const reply = toolServerReply(body);
      const timer = setTimeout(
        () =>
          response.writeHead(reply.status, { 'content-type': reply.contentType }).end(reply.text),
        reply.delayMs,
      );
      response.on('close', () => clearTimeout(timer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/tools/lookup_order`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
