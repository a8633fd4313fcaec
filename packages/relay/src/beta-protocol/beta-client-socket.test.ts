import { describe, expect, it } from 'vitest';
import { roomyLimits } from '../../test/memory-session.ts';
import { MemorySocket } from '../../test/memory-socket.ts';
import { createSimulatorConnector } from '../engine/simulator-connector.ts';
import { startRelaySession } from '../relay-session.ts';
import { withBetaProtocol } from './beta-client-socket.ts';

/** Polls `condition` with a generous hang guard (machines are busy; nothing here is timed). */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let round = 0; round < 2000; round++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A client socket wrapped for beta, and what the session side receives from it. */
function wrapped(announced: boolean) {
  const client = new MemorySocket();
  const socket = withBetaProtocol(client, { announced });
  const received: { data: string | Uint8Array; binary: boolean }[] = [];
  const closes: number[] = [];
  socket.listen({
    message: (data, binary) => received.push({ data, binary }),
    close: (code) => closes.push(code),
    drain: () => {},
  });
  const parsed = () =>
    received.map(({ data }) =>
      JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data)),
    );
  return { client, socket, received, closes, parsed };
}

const betaSessionUpdate = JSON.stringify({
  type: 'session.update',
  session: { modalities: ['text'], voice: 'alloy' },
});

describe('withBetaProtocol: an announced beta client', () => {
  it('translates its session.update and passes input audio as the very frame that came', () => {
    const { client, received, parsed } = wrapped(true);
    client.deliver(betaSessionUpdate);
    const append = '{"type":"input_audio_buffer.append","audio":"AAAA"}';
    client.deliver(append);
    const bytes = new TextEncoder().encode('{"type":"input_audio_buffer.commit"}');
    client.deliver(bytes);
    expect(parsed()[0]).toEqual({
      type: 'session.update',
      session: {
        type: 'realtime',
        output_modalities: ['text'],
        audio: { output: { voice: 'alloy' } },
      },
    });
    expect(received[1]?.data).toBe(append);
    expect(received[2]?.data).toBe(bytes);
  });

  it('keeps a frame that came as bytes as bytes when it rewrites it', () => {
    const { client, received } = wrapped(true);
    client.deliver(new TextEncoder().encode(betaSessionUpdate));
    expect(received[0]?.data).toBeInstanceOf(Uint8Array);
    expect(received[0]?.binary).toBe(false);
  });

  it('gives a frame that is not JSON to the session as it came, for it to refuse', () => {
    const { client, received } = wrapped(true);
    client.deliver('{"type":"session.update","session":');
    expect(received[0]?.data).toBe('{"type":"session.update","session":');
  });

  it('passes a frame of a translated type with nothing beta in it as the very frame that came', () => {
    const { client, socket, received } = wrapped(true);
    const bytes = (event: unknown) => new TextEncoder().encode(JSON.stringify(event));
    const create = bytes({
      type: 'response.create',
      response: {
        instructions: 'Be brief.',
        input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] }],
      },
    });
    const gaUpdate = bytes({ type: 'session.update', session: { type: 'realtime' } });
    client.deliver(create);
    client.deliver(gaUpdate);
    expect(received.map(({ data }) => data)).toEqual([create, gaUpdate]);
    expect(received[0]?.data).toBe(create);
    expect(received[1]?.data).toBe(gaUpdate);
    const responseCreated = bytes({
      type: 'response.created',
      event_id: 'e1',
      response: { object: 'realtime.response', id: 'resp_1', status: 'in_progress', output: [] },
    });
    socket.send(responseCreated, false);
    expect(client.sent[0]?.data).toBe(responseCreated);
  });

  it('renames server frames, withholds conversation.item.done, and passes the rest untouched', () => {
    const { client, socket } = wrapped(true);
    const delta = new TextEncoder().encode(
      '{"type":"response.output_audio.delta","event_id":"e1","delta":"AAAA"}',
    );
    socket.send(delta, false);
    socket.send('{"type":"conversation.item.done","event_id":"e2","item":{"id":"i"}}', false);
    const untouched = '{"type":"input_audio_buffer.speech_started","event_id":"e3"}';
    socket.send(untouched, false);
    expect(client.events().map((event) => event.type)).toEqual([
      'response.audio.delta',
      'input_audio_buffer.speech_started',
    ]);
    expect(client.sent[0]?.data).toBeInstanceOf(Uint8Array);
    expect(client.sent[1]?.data).toBe(untouched);
  });
});

describe('withBetaProtocol: a client that did not announce itself', () => {
  it('becomes beta on a first session.update without session.type and with a beta field', () => {
    const { client, socket, parsed } = wrapped(false);
    // Before it, server frames go out as GA.
    socket.send('{"type":"response.output_text.delta","event_id":"e0","delta":"x"}', false);
    client.deliver(betaSessionUpdate);
    socket.send('{"type":"response.output_text.delta","event_id":"e1","delta":"x"}', false);
    expect(parsed()[0]?.session).toMatchObject({ type: 'realtime', output_modalities: ['text'] });
    expect(client.events().map((event) => event.type)).toEqual([
      'response.output_text.delta',
      'response.text.delta',
    ]);
  });

  it('stays GA for good on a GA first session.update: nothing is translated after it', () => {
    const { client, socket, received } = wrapped(false);
    const ga =
      '{"type":"session.update","session":{"type":"realtime","output_modalities":["text"]}}';
    client.deliver(ga);
    client.deliver(betaSessionUpdate);
    socket.send('{"type":"response.output_text.delta","event_id":"e1","delta":"x"}', false);
    expect(received.map(({ data }) => data)).toEqual([ga, betaSessionUpdate]);
    expect(client.events()[0]?.type).toBe('response.output_text.delta');
  });

  it('reads the type of a first session.update that the peek cannot see', () => {
    const { client, socket, parsed } = wrapped(false);
    // `type` after a long instructions: past what peekEventType scans.
    client.deliver(
      `{"session":{"instructions":"${'x'.repeat(2048)}","voice":"alloy"},"type":"session.update"}`,
    );
    socket.send('{"type":"response.output_text.delta","event_id":"e1","delta":"x"}', false);
    expect(parsed()[0]?.session).toMatchObject({
      type: 'realtime',
      audio: { output: { voice: 'alloy' } },
    });
    expect(client.events()[0]?.type).toBe('response.text.delta');
  });

  it('leaves frames before the first session.update as they came', () => {
    const { client, received } = wrapped(false);
    const item = JSON.stringify({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'x' }] },
    });
    client.deliver(item);
    expect(received[0]?.data).toBe(item);
  });
});

describe('withBetaProtocol in a relay session on the simulator', () => {
  it('holds a beta text turn: beta session, beta events, the reply text', async () => {
    const client = new MemorySocket();
    const session = startRelaySession({
      client: withBetaProtocol(client, { announced: true }),
      connectUpstream: createSimulatorConnector({ pace: 'fast' }),
      model: 'gpt-realtime',
      limits: roomyLimits,
    });
    await until(() => client.events().some((e) => e.type === 'session.created'), 'session');
    expect(client.events()[0]?.session).toMatchObject({
      modalities: ['text', 'audio'],
      input_audio_format: 'pcm16',
    });
    client.deliver(
      JSON.stringify({
        type: 'session.update',
        session: { modalities: ['text'], temperature: 0.7 },
      }),
    );
    client.deliver(
      JSON.stringify({
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello' }] },
      }),
    );
    client.deliver(JSON.stringify({ type: 'response.create', response: { modalities: ['text'] } }));
    await until(() => client.events().some((e) => e.type === 'response.done'), 'response.done');
    const events = client.events();
    const types = events.map((event) => event.type);
    expect(types).not.toContain('error');
    expect(types).toContain('session.updated');
    expect(types).toContain('conversation.item.created');
    expect(types).not.toContain('conversation.item.added');
    expect(types).not.toContain('conversation.item.done');
    expect(types.filter((type) => /output_(text|audio)/.test(type))).toEqual([]);
    const updated = events.find((event) => event.type === 'session.updated');
    expect(updated?.session).toMatchObject({ modalities: ['text'] });
    const text = events
      .filter((event) => event.type === 'response.text.delta')
      .map((event) => event.delta)
      .join('');
    expect(text.length).toBeGreaterThan(0);
    const done = events.find((event) => event.type === 'response.done');
    expect(done?.response).toMatchObject({
      modalities: ['text'],
      output: [{ role: 'assistant', content: [{ type: 'text', text }] }],
    });
    session.close(1000, 'done');
    await session.done;
  });
});
