// Test-only: request listeners for the loopback fakes that survive a client going away.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/**
 * `handle` as a `node:http` request listener whose failures never become unhandled
 * rejections: a client that goes away mid-request (a cascade cancelling a stage, a relay
 * closing a call) makes reading its body reject with `aborted`, which is normal for a server
 * and is dropped; any other failure is answered with a 500 naming it (or ends the response if
 * its head was sent), so the test that caused it sees it.
 *
 * @example
 * ```ts
 * const server = createServer(
 *   handleSafely(async (request, response) => {
 *     for await (const chunk of request) chunks.push(chunk);
 *     response.end('ok');
 *   }),
 * );
 * ```
 */
export function handleSafely(
  handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
): RequestListener {
  return (request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (request.destroyed || response.destroyed) return;
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      response
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: `fake server: ${message}` } }));
    });
  };
}
