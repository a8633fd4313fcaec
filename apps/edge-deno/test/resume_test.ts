import { ResponseWriter, ServerEvents } from '@rtwire/builders';
import { createFakeRealtime, type FakeRealtime } from '../../../test-support/fake-realtime.ts';
import { assert } from './assert.ts';
import { connect, disconnect, serveRelay } from './helpers.ts';

/** A Realtime-like upstream on Deno.serve whose newest connection a test can drop (1012). */
function serveKillableUpstream() {
  const fakes: FakeRealtime[] = [];
  const sockets: WebSocket[] = [];
  const ready = Promise.withResolvers<number>();
  const server = Deno.serve(
    { hostname: '127.0.0.1', port: 0, onListen: ({ port }) => ready.resolve(port) },
    (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.onopen = () => {
        const fake = createFakeRealtime({ ResponseWriter, ServerEvents }, (text) =>
          socket.send(text),
        );
        fakes.push(fake);
        sockets.push(socket);
        socket.onmessage = ({ data }) => fake.receive(data as string);
        socket.onclose = () => fake.stop();
      };
      return response;
    },
  );
  return {
    fakes,
    url: async () => `ws://127.0.0.1:${await ready.promise}/v1/realtime`,
    /** The server restarts under the session, as a deploy would (a resumable close). */
    kill: () => sockets.at(-1)?.close(1012, 'service restart'),
    close: () => server.shutdown(),
  };
}

const userText = (text: string) => ({
  type: 'conversation.item.create',
  item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
});

const until = async (condition: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

Deno.test('resume on Deno: the upstream restarts, the conversation is replayed with its ids, the next turn has it', async () => {
  const upstream = serveKillableUpstream();
  const relay = await serveRelay({ UPSTREAM_URL: await upstream.url() });
  const client = await connect(`${relay.wsUrl}?model=gpt-realtime`);
  await client.waitFor((event) => event.type === 'session.created');
  client.send(userText('my name is Ada'));
  client.send({ type: 'response.create' });
  await client.waitFor((event) => event.type === 'response.done');
  const kept = upstream.fakes[0]?.items.map((item) => item.id);
  upstream.kill();
  const notice = await client.waitFor((event) => event.type === 'error');
  assert(notice.type === 'error');
  assert.deepEqual(notice.error.code, 'upstream_reconnected');
  await until(
    () =>
      (upstream.fakes[1]?.received.filter((event) => event.type === 'conversation.item.create')
        .length ?? 0) === 2,
  );
  const replayed = upstream.fakes[1]?.received
    .filter((event) => event.type === 'conversation.item.create')
    .map((event) => (event.item as { id: string }).id);
  assert.deepEqual(replayed, kept);
  client.send(userText('what is my name?'));
  client.send({ type: 'response.create' });
  await until(() => client.events.filter((event) => event.type === 'response.done').length === 2);
  const done = client.events.filter((event) => event.type === 'response.done').at(-1);
  assert(done?.type === 'response.done');
  const output = (done.response.output ?? []) as { content?: { text?: string }[] }[];
  const text = output
    .flatMap((item) => item.content ?? [])
    .map((part) => part.text ?? '')
    .join('');
  assert.deepEqual(text, 'I have 3 items; you said: what is my name?');
  assert.deepEqual(client.events.filter((event) => event.type === 'session.created').length, 1);
  const added = client.events
    .filter((event) => event.type === 'conversation.item.added')
    .map((event) => event.type === 'conversation.item.added' && event.item.id);
  assert.deepEqual(new Set(added).size, added.length);
  await disconnect(client);
  await relay.close();
  await upstream.close();
});
