import { afterEach, describe, expect, it } from 'vitest';
import { connectClient, eventually, startFakeUpstream, startRelay, stopAll } from './helpers.ts';

afterEach(stopAll);

describe('client frames', () => {
  it('answers malformed and invalid frames with an error event, forwards the rest, and goes on', async () => {
    const upstream = await startFakeUpstream();
    const relay = await startRelay({ UPSTREAM_URL: upstream.url });
    const client = await connectClient(relay.wsUrl);
    await client.waitFor((event) => event.type === 'session.created');
    client.send('{"type": "response.create", oops');
    client.send({ type: 'conversation.item.create', event_id: 'evt_bad', item: 'private words' });
    client.send('[1,2]');
    client.send({ type: 'future.client_event', event_id: 'evt_new' });
    client.send({ type: 'response.create', event_id: 'evt_ok' });
    await eventually(() => (upstream.received[0]?.length ?? 0) === 2);
    expect(upstream.received[0]?.map((text) => JSON.parse(text).event_id)).toEqual([
      'evt_new',
      'evt_ok',
    ]);
    await eventually(() => client.events.filter((event) => event.type === 'error').length === 3);
    const errors = client.events.filter((event) => event.type === 'error');
    expect(errors.map((event) => event.error)).toMatchObject([
      { type: 'invalid_request_error', code: 'invalid_json', event_id: null },
      { type: 'invalid_request_error', code: 'invalid_event', event_id: 'evt_bad', param: 'item' },
      { type: 'invalid_request_error', code: 'invalid_json' },
    ]);
    expect(client.raw.join('')).not.toContain('private words');
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  });

  it('forwards server frames byte for byte', async () => {
    const odd =
      '{ "type" : "response.output_text.delta" ,"event_id":"s9","delta":"caf\\u00e9","extra":[1, 2]}';
    const upstream = await startFakeUpstream((socket) => socket.send(odd));
    const relay = await startRelay({ UPSTREAM_URL: upstream.url });
    const client = await connectClient(relay.wsUrl);
    await client.waitFor((event) => event.type === 'response.output_text.delta');
    expect(client.raw).toContain(odd);
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(metrics).toContain(
      'rtwire_relay_frames_total{direction="upstream_to_client",type="response.output_text.delta"} 1',
    );
  });

  it('closes only the offending socket with 1009 when a frame is too large', async () => {
    const upstream = await startFakeUpstream();
    const relay = await startRelay({ UPSTREAM_URL: upstream.url, MAX_FRAME_BYTES: '4096' });
    const big = await connectClient(relay.wsUrl);
    const other = await connectClient(relay.wsUrl);
    await big.waitFor((event) => event.type === 'session.created');
    big.send({ type: 'input_audio_buffer.append', audio: 'A'.repeat(8192) });
    expect((await big.closed).code).toBe(1009);
    other.send({ type: 'response.create', event_id: 'still-here' });
    await eventually(() =>
      upstream.received.some((messages) => messages.some((text) => text.includes('still-here'))),
    );
    expect(other.ws.readyState).toBe(other.ws.OPEN);
  });

  it('answers events over the rate limit with an error event', async () => {
    const upstream = await startFakeUpstream();
    const relay = await startRelay({
      UPSTREAM_URL: upstream.url,
      RATE_LIMIT_PER_SECOND: '1',
      RATE_LIMIT_BURST: '3',
    });
    const client = await connectClient(relay.wsUrl);
    for (let index = 0; index < 5; index++)
      client.send({ type: 'response.create', event_id: `r${index}` });
    const error = await client.waitFor((event) => event.type === 'error');
    expect(error).toMatchObject({ error: { code: 'rate_limit_exceeded', event_id: 'r3' } });
    await eventually(() => (upstream.received[0]?.length ?? 0) === 3);
  });
});
