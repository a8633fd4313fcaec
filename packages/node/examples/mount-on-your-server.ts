import { createServer } from 'node:http';
import { mountRelay } from '@rtwire/node';

/** Your own HTTP server, with the Realtime relay mounted on it. */
export function startApp(port = 8787) {
  const server = createServer((request, response) => {
    // The relay answers its own routes (/healthz, /metrics)...
    if (relay.handleRequest(request, response)) return;
    // ...and every other request is your app's.
    response.writeHead(200, { 'content-type': 'text/plain' }).end('my app\n');
  });
  // WebSocket upgrades to /v1/realtime become relay sessions (on the embedded simulator
  // until you mount what loadRelayFromEnv(process.env) returns).
  const relay = mountRelay(server);
  server.listen(port, '127.0.0.1');
  return { server, relay };
}
