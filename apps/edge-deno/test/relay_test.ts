import { assert } from './assert.ts';
import { connect, disconnect, serveRelay } from './helpers.ts';

const userText = (text: string) => ({
  type: 'conversation.item.create',
  item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
});

Deno.test('a session opens with a valid session.created and completes a text response', async () => {
  const relay = await serveRelay();
  const client = await connect(`${relay.wsUrl}?model=gpt-realtime`);
  const created = await client.waitFor((event) => event.type === 'session.created');
  assert.deepEqual(created.type === 'session.created' && created.session.type, 'realtime');
  client.send(userText('hello edge'));
  client.send({ type: 'response.create', response: { output_modalities: ['text'] } });
  const done = await client.waitFor((event) => event.type === 'response.output_text.done');
  assert.deepEqual(done.type === 'response.output_text.done' && done.text, 'You said: hello edge');
  await client.waitFor((event) => event.type === 'response.done');
  await disconnect(client);
  await relay.close();
});

Deno.test('invalid client frames get an error event and the session goes on', async () => {
  const relay = await serveRelay();
  const client = await connect(relay.wsUrl);
  await client.waitFor((event) => event.type === 'session.created');
  client.socket.send('{"type":"conversation.item.delete","event_id":"evt_bad","secret":"SECRET"}');
  const error = await client.waitFor((event) => event.type === 'error');
  assert(error.type === 'error');
  assert.deepEqual(error.error.type, 'invalid_request_error');
  assert.deepEqual(error.error.event_id, 'evt_bad');
  assert(!JSON.stringify(error).includes('SECRET'));
  client.send(userText('still here'));
  await client.waitFor((event) => event.type === 'conversation.item.done');
  await disconnect(client);
  await relay.close();
});

Deno.test('auth: 401 without a token, 403 for a foreign origin, subprotocol token accepted', async () => {
  const relay = await serveRelay({
    RELAY_TOKENS: 'tok_edge',
    ALLOWED_ORIGINS: 'https://app.example',
  });
  const upgrade = (headers: Record<string, string>) =>
    relay.fetch(
      new Request(`${relay.url}/v1/realtime`, { headers: { upgrade: 'websocket', ...headers } }),
    );
  assert.deepEqual((await upgrade({})).status, 401);
  assert.deepEqual((await upgrade({ authorization: 'Bearer nope' })).status, 401);
  assert.deepEqual(
    (await upgrade({ authorization: 'Bearer tok_edge', origin: 'https://evil.example' })).status,
    403,
  );
  const client = await connect(relay.wsUrl, ['realtime', 'openai-insecure-api-key.tok_edge']);
  assert.deepEqual(client.socket.protocol, 'realtime');
  await client.waitFor((event) => event.type === 'session.created');
  await disconnect(client);
  assert(!relay.logs.join('').includes('tok_edge'), 'the token never reaches a log line');
  await relay.close();
});

Deno.test('an upstream gets the key as a Bearer header and the model, never the client token', async () => {
  let handshake: { authorization: string | null; model: string | null } | undefined;
  const upstream = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen() {} }, (request) => {
    handshake = {
      authorization: request.headers.get('authorization'),
      model: new URL(request.url).searchParams.get('model'),
    };
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onopen = () =>
      socket.send(
        JSON.stringify({
          type: 'session.created',
          event_id: 'evt_up',
          session: { type: 'realtime', object: 'realtime.session', id: 'sess_up' },
        }),
      );
    return response;
  });
  const relay = await serveRelay({
    UPSTREAM_URL: `ws://127.0.0.1:${upstream.addr.port}/v1/realtime`,
    OPENAI_API_KEY: 'sk-upstream-secret',
    RELAY_TOKENS: 'tok_client',
  });
  const client = await connect(`${relay.wsUrl}?model=gpt-realtime-mini`, [
    'realtime',
    'openai-insecure-api-key.tok_client',
  ]);
  const created = await client.waitFor((event) => event.type === 'session.created');
  assert.deepEqual('event_id' in created && created.event_id, 'evt_up');
  assert.deepEqual(handshake, {
    authorization: 'Bearer sk-upstream-secret',
    model: 'gpt-realtime-mini',
  });
  assert(!JSON.stringify(client.events).includes('sk-upstream'));
  assert(!relay.logs.join('').includes('sk-upstream-secret'));
  await disconnect(client);
  await relay.close();
  await upstream.shutdown();
});

Deno.test('an unreachable upstream: the client gets an error event, then a close', async () => {
  const relay = await serveRelay({ UPSTREAM_URL: 'ws://127.0.0.1:9/v1/realtime' });
  const client = await connect(relay.wsUrl);
  const error = await client.waitFor((event) => event.type === 'error');
  assert(error.type === 'error');
  assert.match(error.error.code ?? '', /upstream/);
  const closed = await client.closed;
  assert.notEqual(closed.code, 1000);
  await relay.close();
});

Deno.test('heartbeat: a client that answers nothing is dropped (Deno idleTimeout), a live one stays', async () => {
  const relay = await serveRelay({ HEARTBEAT_INTERVAL_MS: '500' });
  const live = await connect(relay.wsUrl);
  await live.waitFor((event) => event.type === 'session.created');
  // A raw TCP peer: completes the handshake, then reads and answers nothing.
  const port = Number(new URL(relay.url).port);
  const dead = await Deno.connect({ hostname: '127.0.0.1', port });
  const key = btoa('0123456789abcdef');
  await dead.write(
    new TextEncoder().encode(
      `GET /v1/realtime HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    ),
  );
  const deadline = Date.now() + 5_000;
  while (relay.host.activeSessions < 2 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(relay.host.activeSessions, 2);
  const opened = Date.now();
  while (relay.host.activeSessions > 1 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 10));
  const reapedAfter = Date.now() - opened;
  assert.deepEqual(relay.host.activeSessions, 1);
  // idleTimeout is twice the interval: a ping at 500 ms, gone at 1 s.
  assert(reapedAfter < 1_000 + 1_500, `reaped after ${reapedAfter} ms`);
  assert.deepEqual(live.socket.readyState, WebSocket.OPEN);
  dead.close();
  await disconnect(live);
  await relay.close();
});

Deno.test('a client offering only the credential subprotocol is refused with 400', async () => {
  const relay = await serveRelay({ RELAY_TOKENS: 'tok_edge' });
  const response = await relay.fetch(
    new Request(`${relay.url}/v1/realtime`, {
      headers: {
        upgrade: 'websocket',
        'sec-websocket-protocol': 'openai-insecure-api-key.tok_edge',
      },
    }),
  );
  assert.deepEqual(response.status, 400);
  assert((await response.text()).includes("Offer the 'realtime' subprotocol"));
  await relay.close();
});
