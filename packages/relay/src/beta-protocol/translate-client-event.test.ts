import { clientEventProblem, decodeClientEvent } from '@rtwire/types';
import { describe, expect, it } from 'vitest';
import { betaClientEventToGa } from './translate-client-event.ts';

/** Whether the engine would take `event` as it is (decoded, then checked against the spec). */
function gaProblem(event: Record<string, unknown>) {
  const decoded = decodeClientEvent(JSON.stringify(event));
  if (!decoded.ok) return decoded.error.message;
  return decoded.known ? clientEventProblem(decoded.event) : 'unknown event';
}

describe('betaClientEventToGa', () => {
  it("turns openai-realtime-api@1.0.8's opening session.update into a GA one the spec accepts", () => {
    // RealtimeClient's defaultSessionConfig, as it sends it on connect.
    const beta = {
      event_id: 'evt_1',
      type: 'session.update',
      session: {
        modalities: ['text', 'audio'],
        voice: 'alloy',
        input_audio_format: 'pcm16',
        output_audio_format: 'pcm16',
        input_audio_transcription: { model: 'whisper-1' },
        turn_detection: null,
        tools: [],
        tool_choice: 'auto',
        temperature: 0.8,
        max_response_output_tokens: 4096,
      },
    };
    const ga = betaClientEventToGa(beta);
    expect(ga).toEqual({
      event_id: 'evt_1',
      type: 'session.update',
      session: {
        type: 'realtime',
        output_modalities: ['audio'],
        tools: [],
        tool_choice: 'auto',
        max_output_tokens: 4096,
        audio: {
          input: {
            format: { type: 'audio/pcm', rate: 24000 },
            transcription: { model: 'whisper-1' },
            turn_detection: null,
          },
          output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'alloy' },
        },
      },
    });
    expect(gaProblem(ga)).toBeUndefined();
    expect(gaProblem(beta)).toBeDefined();
  });

  it("moves Mastra's response.voice and the other response.create fields, dropping temperature", () => {
    const ga = betaClientEventToGa({
      type: 'response.create',
      response: {
        voice: 'verse',
        modalities: ['text'],
        output_audio_format: 'g711_alaw',
        max_response_output_tokens: 'inf',
        temperature: 0.6,
        instructions: 'Be brief.',
      },
    });
    expect(ga).toEqual({
      type: 'response.create',
      response: {
        instructions: 'Be brief.',
        output_modalities: ['text'],
        max_output_tokens: 'inf',
        audio: { output: { voice: 'verse', format: { type: 'audio/pcma' } } },
      },
    });
    expect(gaProblem(ga)).toBeUndefined();
  });

  it("renames an assistant message's text and audio parts, in an item and in response.input", () => {
    const assistant = {
      type: 'message',
      role: 'assistant',
      content: [
        { type: 'text', text: 'Hello.' },
        { type: 'audio', transcript: 'Hello.' },
      ],
    };
    const item = betaClientEventToGa({ type: 'conversation.item.create', item: assistant });
    expect(item.item).toEqual({
      ...assistant,
      content: [
        { type: 'output_text', text: 'Hello.' },
        { type: 'output_audio', transcript: 'Hello.' },
      ],
    });
    expect(gaProblem(item)).toBeUndefined();
    const response = betaClientEventToGa({
      type: 'response.create',
      response: { input: [assistant] },
    });
    expect(response).toEqual({ type: 'response.create', response: { input: [item.item] } });
  });

  it("leaves a user's parts, and every event alike in both protocols, as the same object", () => {
    const user = {
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] },
    };
    expect(betaClientEventToGa(user)).toBe(user);
    for (const event of [
      { type: 'response.create', response: { instructions: 'Be brief.', input: [user.item] } },
      { type: 'session.update', session: { type: 'realtime', instructions: 'Be brief.' } },
      { type: 'input_audio_buffer.append', audio: 'AAAA' },
      { type: 'input_audio_buffer.commit' },
      { type: 'conversation.item.truncate', item_id: 'item_1', content_index: 0, audio_end_ms: 5 },
      { type: 'conversation.item.retrieve', item_id: 'item_1' },
      { type: 'conversation.item.delete', item_id: 'item_1' },
      { type: 'response.cancel' },
    ]) {
      expect(betaClientEventToGa(event)).toBe(event);
    }
  });

  it('makes transcription_session.update a session.update of a transcription session', () => {
    const ga = betaClientEventToGa({
      type: 'transcription_session.update',
      session: {
        input_audio_format: 'g711_ulaw',
        input_audio_transcription: { model: 'gpt-4o-transcribe', language: 'en' },
        turn_detection: { type: 'server_vad', silence_duration_ms: 400 },
        input_audio_noise_reduction: { type: 'near_field' },
        modalities: ['text'],
        include: ['item.input_audio_transcription.logprobs'],
      },
    });
    expect(ga).toEqual({
      type: 'session.update',
      session: {
        type: 'transcription',
        include: ['item.input_audio_transcription.logprobs'],
        audio: {
          input: {
            format: { type: 'audio/pcmu' },
            transcription: { model: 'gpt-4o-transcribe', language: 'en' },
            turn_detection: { type: 'server_vad', silence_duration_ms: 400 },
            noise_reduction: { type: 'near_field' },
          },
        },
      },
    });
    expect(gaProblem(ga)).toBeUndefined();
  });
});

describe('betaClientEventToGa on hostile keys', () => {
  it("keeps a client's own __proto__ key a field, never the object's prototype", () => {
    const event = JSON.parse(
      '{"type":"session.update","session":{"voice":"alloy","__proto__":{"polluted":true}}}',
    );
    const ga = betaClientEventToGa(event);
    const session = ga.session as Record<string, unknown>;
    expect(Object.getPrototypeOf(session)).toBe(Object.prototype);
    expect(Object.hasOwn(session, '__proto__')).toBe(true);
    expect((session as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.stringify(ga)).toContain('"__proto__":{"polluted":true}');
  });
});
