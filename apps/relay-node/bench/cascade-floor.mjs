// The loopback floor of bench/cascade.ts: the same two hops as the relay in cascade mode (the
// model server's HTTP stream in, a WebSocket out) through a process that forwards each chunk
// of the chat stream as it comes, as a text frame, parsing nothing.
import { WebSocketServer } from 'ws';

const backend = process.env.BACKEND_URL;
const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
server.on('listening', () => process.stdout.write(`ws://127.0.0.1:${server.address().port}\n`));
server.on('connection', (ws) => {
  ws.on('message', async () => {
    const response = await fetch(`${backend}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'bench',
        stream: true,
        messages: [{ role: 'user', content: 'go' }],
      }),
    });
    for await (const chunk of response.body) ws.send(chunk, { binary: false });
  });
});
