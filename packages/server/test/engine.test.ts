import { ClientEvents } from '@rtwire/builders';
import type { RealtimeClientEvent, RealtimeServerEvent, ServerEventOf } from '@rtwire/types';
import { describe, expect, it, vi } from 'vitest';
import { protocolOrderErrors } from '../../../test-support/protocol-order.ts';
import { specErrors } from '../../../test-support/spec-validator.ts';
import {
  createRealtimeSession,
  type RealtimeModel,
  RealtimeModelError,
  type ResponseRequest,
} from '../src/index.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A session on `model` whose frames are bytes, decoded and kept in order. */
function open(model: RealtimeModel) {
  const events: RealtimeServerEvent[] = [];
  const frames: Uint8Array[] = [];
  let counter = 0;
  const session = createRealtimeSession({
    model,
    send: (frame) => {
      frames.push(frame);
      events.push(JSON.parse(utf8.decode(frame)));
    },
    ids: (kind) => `${kind}_${++counter}`,
  });
  const send = (event: RealtimeClientEvent) => session.receive(JSON.stringify(event));
  const only = <T extends RealtimeServerEvent['type']>(type: T) =>
    events.filter((event): event is ServerEventOf<T> => event.type === type);
  const wellFormed = () => {
    for (const event of events) expect(specErrors(event), event.type).toBeUndefined();
    expect(protocolOrderErrors(events)).toEqual([]);
  };
  return { session, events, frames, send, only, wellFormed };
}

const userText = (text: string) =>
  ClientEvents.conversationItemCreate(undefined, undefined, {
    type: 'message',
    role: 'user',
    content: [{ type: 'input_text', text }],
  });

/** PCM16 whose samples count up, so every chunk is recognisable after base64. */
function pcmChunk(samples: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(samples * 2);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < samples; index++)
    view.setInt16(index * 2, (seed * 7 + index) % 30000, true);
  return bytes;
}

const base64ToBytes = (text: string) => Uint8Array.from(atob(text), (char) => char.charCodeAt(0));

async function untilDone(harness: ReturnType<typeof open>, count = 1): Promise<void> {
  for (let spins = 0; spins < 200 && harness.only('response.done').length < count; spins++)
    await tick();
}

describe('createRealtimeSession with a custom model', () => {
  it('opens with session.created and streams a text response the model writes', async () => {
    const seen: ResponseRequest[] = [];
    const harness = open({
      async respond(request, output) {
        seen.push(request);
        for (const token of ['Hel', 'lo', ', ', 'world']) output.text(token);
        output.usage({ input_tokens: 12, output_tokens: 40 });
      },
    });
    await tick();
    expect(harness.events[0]?.type).toBe('session.created');
    harness.send(
      ClientEvents.sessionUpdate(undefined, {
        type: 'realtime',
        output_modalities: ['text'],
        instructions: 'Be brief.',
      }),
    );
    harness.send(userText('hi'));
    harness.send(
      ClientEvents.responseCreate(undefined, {
        metadata: { topic: 'greeting' },
        max_output_tokens: 50,
      }),
    );
    await untilDone(harness);
    harness.wellFormed();
    expect(harness.only('response.output_text.done')[0]?.text).toBe('Hello, world');
    const done = harness.only('response.done')[0];
    expect(done?.response.status).toBe('completed');
    expect(done?.response.usage).toMatchObject({
      input_tokens: 12,
      output_tokens: 40,
      total_tokens: 52,
    });
    expect(seen[0]).toMatchObject({
      instructions: 'Be brief.',
      modality: 'text',
      maxOutputTokens: 50,
      metadata: { topic: 'greeting' },
      outOfBand: false,
    });
    expect(seen[0]?.items.map((item) => item.type)).toEqual(['message']);
    // Every frame is text: valid UTF-8 JSON.
    for (const frame of harness.frames) expect(() => JSON.parse(utf8.decode(frame))).not.toThrow();
  });

  it('streams audio from PCM chunks with the transcript, and the audio arrives as written', async () => {
    const chunks = [pcmChunk(2400, 1), pcmChunk(2400, 2), pcmChunk(1000, 3)];
    const harness = open({
      async respond(_request, output) {
        output.text('one ');
        for (const chunk of chunks) {
          output.audio(chunk);
          await tick();
        }
        output.text('two');
      },
    });
    await tick();
    harness.send(userText('speak'));
    harness.send(ClientEvents.responseCreate());
    await untilDone(harness);
    harness.wellFormed();
    const audio = harness
      .only('response.output_audio.delta')
      .map((event) => base64ToBytes(event.delta));
    expect(audio).toEqual(chunks);
    expect(harness.only('response.output_audio_transcript.done')[0]?.transcript).toBe('one two');
    // 5,800 samples at 24 kHz: the item's audio can be truncated up to 241 ms.
    const itemId = harness.only('response.output_item.done')[0]?.item.id as string;
    harness.send(ClientEvents.conversationItemTruncate(undefined, itemId, 0, 242));
    harness.send(ClientEvents.conversationItemTruncate(undefined, itemId, 0, 241));
    expect(harness.only('error').at(-1)?.error.param).toBe('audio_end_ms');
    expect(harness.only('conversation.item.truncated')[0]?.audio_end_ms).toBe(241);
  });

  it('holds a function-call round trip: the call, the client’s output, the answer', async () => {
    const requests: ResponseRequest[] = [];
    const harness = open({
      async respond(request, output) {
        requests.push(request);
        const last = request.items.at(-1);
        if (last?.type === 'function_call_output') {
          output.text(`It is ${JSON.parse(last.output).temp} degrees.`);
          return;
        }
        const call = output.functionCall({ name: 'get_weather' });
        call.arguments('{"city":');
        call.arguments('"Oslo"}');
        call.done();
      },
    });
    await tick();
    harness.send(
      ClientEvents.sessionUpdate(undefined, {
        type: 'realtime',
        output_modalities: ['text'],
        tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object' } }],
        tool_choice: 'required',
      }),
    );
    harness.send(userText('weather?'));
    harness.send(ClientEvents.responseCreate());
    await untilDone(harness);
    const call = harness.only('response.function_call_arguments.done')[0];
    expect(call).toMatchObject({ name: 'get_weather', arguments: '{"city":"Oslo"}' });
    expect(requests[0]).toMatchObject({ toolChoice: 'required', tools: [{ name: 'get_weather' }] });
    harness.send(
      ClientEvents.conversationItemCreate(undefined, undefined, {
        type: 'function_call_output',
        call_id: call?.call_id as string,
        output: '{"temp":3}',
      }),
    );
    harness.send(ClientEvents.responseCreate());
    await untilDone(harness, 2);
    harness.wellFormed();
    expect(harness.only('response.output_text.done')[0]?.text).toBe('It is 3 degrees.');
    expect(requests[1]?.items.map((item) => item.type)).toEqual([
      'message',
      'function_call',
      'function_call_output',
    ]);
  });

  it('ends a response whose model throws as failed, hides the message, and goes on', async () => {
    let calls = 0;
    const harness = open({
      async respond(_request, output) {
        calls++;
        if (calls === 1) {
          output.text('partial');
          throw new Error('upstream said: key sk-secret-123 is invalid');
        }
        if (calls === 2)
          throw new RealtimeModelError('Try again shortly.', {
            code: 'model_overloaded',
            expose: true,
          });
        if (calls === 3) throw new RealtimeModelError('internal detail', { code: 'model_busy' });
        output.text('fine now');
      },
    });
    await tick();
    harness.send(
      ClientEvents.sessionUpdate(undefined, { type: 'realtime', output_modalities: ['text'] }),
    );
    for (let round = 1; round <= 4; round++) {
      harness.send(ClientEvents.responseCreate());
      await untilDone(harness, round);
    }
    harness.wellFormed();
    const statuses = harness.only('response.done').map((event) => event.response.status);
    expect(statuses).toEqual(['failed', 'failed', 'failed', 'completed']);
    const details = harness
      .only('response.done')
      .map((event) => event.response.status_details?.error?.code);
    expect(details.slice(0, 3)).toEqual(['model_error', 'model_overloaded', 'model_busy']);
    const messages = harness.only('error').map((event) => event.error.message);
    expect(messages).toEqual([
      'The model failed to produce a response.',
      'Try again shortly.',
      'The model failed to produce a response.',
    ]);
    expect(JSON.stringify(harness.events)).not.toContain('sk-secret');
    expect(JSON.stringify(harness.events)).not.toContain('internal detail');
  });

  it('cancels: the signal aborts, the response ends cancelled, and nothing of it follows', async () => {
    let aborted = false;
    const harness = open({
      async respond(_request, output, signal) {
        signal.addEventListener('abort', () => {
          aborted = true;
        });
        for (let index = 0; index < 1000; index++) {
          output.text(`${index} `);
          await tick();
        }
      },
    });
    await tick();
    harness.send(
      ClientEvents.sessionUpdate(undefined, { type: 'realtime', output_modalities: ['text'] }),
    );
    harness.send(ClientEvents.responseCreate());
    for (let index = 0; index < 5; index++) await tick();
    harness.send(ClientEvents.responseCancel());
    const after = harness.events.length;
    for (let index = 0; index < 20; index++) await tick();
    expect(aborted).toBe(true);
    expect(harness.events.length).toBe(after);
    harness.wellFormed();
    const done = harness.only('response.done')[0];
    expect(done?.response.status_details).toMatchObject({
      type: 'cancelled',
      reason: 'client_cancelled',
    });
    expect((done?.response.output?.[0] as { status?: string } | undefined)?.status).toBe(
      'incomplete',
    );
    harness.send(ClientEvents.responseCancel());
    expect(harness.only('error').at(-1)?.error.code).toBe('response_cancel_not_active');
  });

  it('keeps an out-of-band response out of the conversation and gives the model its input', async () => {
    const requests: ResponseRequest[] = [];
    const harness = open({
      respond(request, output) {
        requests.push(request);
        output.text('summary');
      },
    });
    await tick();
    harness.send(
      ClientEvents.sessionUpdate(undefined, { type: 'realtime', output_modalities: ['text'] }),
    );
    harness.send(userText('in the conversation'));
    harness.send(
      ClientEvents.responseCreate(undefined, {
        conversation: 'none',
        input: [
          { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'only this' }] },
        ],
        instructions: 'Summarise.',
      }),
    );
    await untilDone(harness);
    harness.wellFormed();
    expect(requests[0]).toMatchObject({ outOfBand: true, instructions: 'Summarise.' });
    expect(requests[0]?.items).toHaveLength(1);
    expect(harness.only('response.done')[0]?.response.conversation_id).toBeNull();
    expect(harness.only('conversation.item.added')).toHaveLength(1);
  });

  it('transcribes committed audio with the model, and says so when the model cannot', async () => {
    const transcribing = open({
      respond() {},
      async *transcribe(request) {
        yield 'heard ';
        yield `${request.durationMs} ms`;
      },
    });
    const deaf = open({ respond() {} });
    for (const harness of [transcribing, deaf]) {
      await tick();
      harness.send(
        ClientEvents.sessionUpdate(undefined, {
          type: 'realtime',
          audio: { input: { transcription: { model: 'whisper-1' }, turn_detection: null } },
        }),
      );
      harness.send(ClientEvents.inputAudioBufferAppend(undefined, btoa('\u0000'.repeat(48 * 200))));
      harness.send(ClientEvents.inputAudioBufferCommit());
      for (let index = 0; index < 5; index++) await tick();
      harness.wellFormed();
    }
    expect(
      transcribing
        .only('conversation.item.input_audio_transcription.delta')
        .map((event) => event.delta),
    ).toEqual(['heard ', '200 ms']);
    expect(
      transcribing.only('conversation.item.input_audio_transcription.completed')[0]?.transcript,
    ).toBe('heard 200 ms');
    expect(deaf.only('conversation.item.input_audio_transcription.failed')).toHaveLength(1);
  });

  it('leaves no timer running after close, and sends nothing afterwards', async () => {
    vi.useFakeTimers();
    try {
      const harness = open({
        async respond(_request, output, signal) {
          while (!signal.aborted) {
            output.text('.');
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        },
      });
      await vi.advanceTimersByTimeAsync(1);
      harness.send(ClientEvents.responseCreate());
      await vi.advanceTimersByTimeAsync(120);
      harness.session.close();
      const sent = harness.events.length;
      await vi.advanceTimersByTimeAsync(1000);
      expect(vi.getTimerCount()).toBe(0);
      expect(harness.events.length).toBe(sent);
    } finally {
      vi.useRealTimers();
    }
  });
});
