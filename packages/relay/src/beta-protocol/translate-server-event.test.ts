import { describe, expect, it } from 'vitest';
import { betaServerEventToGa, gaServerEventToBeta } from './translate-server-event.ts';

const scope = { response_id: 'resp_1', item_id: 'item_2', output_index: 0, content_index: 0 };

describe('gaServerEventToBeta', () => {
  it('gives the beta names of the streamed deltas and their ends, fields untouched', () => {
    const names: [string, string][] = [
      ['response.output_text.delta', 'response.text.delta'],
      ['response.output_text.done', 'response.text.done'],
      ['response.output_audio.delta', 'response.audio.delta'],
      ['response.output_audio.done', 'response.audio.done'],
      ['response.output_audio_transcript.delta', 'response.audio_transcript.delta'],
      ['response.output_audio_transcript.done', 'response.audio_transcript.done'],
    ];
    for (const [ga, beta] of names) {
      const event = { type: ga, event_id: 'event_1', ...scope, delta: 'AAAA' };
      expect(gaServerEventToBeta(event)).toEqual({ ...event, type: beta });
    }
  });

  it('announces an item as conversation.item.created, with beta part types, and withholds .done', () => {
    const item = {
      id: 'item_2',
      object: 'realtime.item',
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_audio', transcript: 'Hi.' }],
    };
    const added = { type: 'conversation.item.added', event_id: 'e2', previous_item_id: null, item };
    expect(gaServerEventToBeta(added)).toEqual({
      ...added,
      type: 'conversation.item.created',
      item: { ...item, content: [{ type: 'audio', transcript: 'Hi.' }] },
    });
    expect(
      gaServerEventToBeta({ type: 'conversation.item.done', event_id: 'e3', item }),
    ).toBeUndefined();
  });

  it("shows the engine's session as a beta session", () => {
    // What the simulator sends (session.created), less its instructions and tools.
    const session = {
      type: 'realtime',
      object: 'realtime.session',
      id: 'sess_1',
      model: 'gpt-realtime',
      output_modalities: ['audio'],
      max_output_tokens: 'inf',
      audio: {
        input: {
          format: { type: 'audio/pcm', rate: 24000 },
          transcription: null,
          noise_reduction: null,
          turn_detection: { type: 'server_vad', threshold: 0.5 },
        },
        output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin', speed: 1 },
      },
    };
    expect(gaServerEventToBeta({ type: 'session.created', event_id: 'e1', session })).toEqual({
      type: 'session.created',
      event_id: 'e1',
      session: {
        type: 'realtime',
        object: 'realtime.session',
        id: 'sess_1',
        model: 'gpt-realtime',
        modalities: ['text', 'audio'],
        max_response_output_tokens: 'inf',
        input_audio_format: 'pcm16',
        input_audio_transcription: null,
        input_audio_noise_reduction: null,
        turn_detection: { type: 'server_vad', threshold: 0.5 },
        output_audio_format: 'pcm16',
        voice: 'marin',
        speed: 1,
      },
    });
  });

  it("calls a transcription session's update transcription_session.updated", () => {
    const event = {
      type: 'session.updated',
      event_id: 'e1',
      session: { type: 'transcription', audio: { input: { format: { type: 'audio/pcmu' } } } },
    };
    const beta = gaServerEventToBeta(event);
    expect(beta).toEqual({
      type: 'transcription_session.updated',
      event_id: 'e1',
      session: { type: 'transcription', input_audio_format: 'g711_ulaw' },
    });
    expect(betaServerEventToGa(beta!)).toEqual(event);
  });

  it('shows a response with beta fields and items', () => {
    const response = {
      object: 'realtime.response',
      id: 'resp_1',
      status: 'completed',
      output_modalities: ['text'],
      max_output_tokens: 'inf',
      audio: { output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin' } },
      output: [
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi.' }] },
      ],
    };
    expect(gaServerEventToBeta({ type: 'response.done', event_id: 'e9', response })).toEqual({
      type: 'response.done',
      event_id: 'e9',
      response: {
        object: 'realtime.response',
        id: 'resp_1',
        status: 'completed',
        modalities: ['text'],
        max_output_tokens: 'inf',
        output_audio_format: 'pcm16',
        voice: 'marin',
        output: [{ type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Hi.' }] }],
      },
    });
  });

  it('passes everything else as the same object', () => {
    for (const event of [
      { type: 'input_audio_buffer.committed', event_id: 'e', item_id: 'i', previous_item_id: null },
      { type: 'rate_limits.updated', event_id: 'e', rate_limits: [] },
      { type: 'error', event_id: 'e', error: { type: 'invalid_request_error', message: 'x' } },
      { type: 'response.content_part.added', event_id: 'e', ...scope, part: { type: 'audio' } },
      {
        type: 'response.created',
        event_id: 'e',
        response: { id: 'resp_1', status: 'in_progress', output: [{ type: 'function_call' }] },
      },
      { type: 'session.created', event_id: 'e', session: { type: 'realtime', id: 'sess_1' } },
      { type: 'future.event', event_id: 'e' },
    ]) {
      expect(gaServerEventToBeta(event)).toBe(event);
    }
  });
});
