import type { UpstreamConnector } from '@rtwire/relay';
import { createInProcessSocket } from '@rtwire/relay/engine';
import { afterEach, expect, it } from 'vitest';
import { connectClient, eventually, startRelay, stopAll } from './helpers.ts';

afterEach(stopAll);

/** An in-process engine shaped like the simulator: greets, then answers each response.create with a burst. */
const connectEngine: UpstreamConnector = async () =>
  createInProcessSocket((callbacks) => {
    queueMicrotask(() => callbacks.send('{"type":"session.created","event_id":"e0","session":{}}'));
    return {
      receive(frame) {
        const text = typeof frame === 'string' ? frame : new TextDecoder().decode(frame);
        if (!text.includes('"response.create"')) return;
        for (let index = 0; index < 2000; index++) {
          callbacks.send(
            JSON.stringify({
              type: 'response.output_audio.delta',
              event_id: `d${index}`,
              delta: 'A'.repeat(16 * 1024),
            }),
          );
        }
        callbacks.send('{"type":"response.done","event_id":"done","response":{}}');
      },
      close() {},
    };
  });

it('relays an in-process upstream through the server, pausing it for a slow client', async () => {
  const relay = await startRelay({ HIGH_WATER_BYTES: String(64 * 1024) }, connectEngine);
  const client = await connectClient(relay.wsUrl);
  await client.waitFor((event) => event.type === 'session.created');
  client.ws.pause();
  client.send({ type: 'response.create' });
  await eventually(() => relay.metrics.sessionsPaused === 1);
  client.ws.resume();
  await client.waitFor((event) => event.type === 'response.done', 10_000);
  expect(
    client.events.filter((event) => event.type === 'response.output_audio.delta'),
  ).toHaveLength(2000);
  expect(relay.metrics.sessionsPaused).toBe(0);
});
