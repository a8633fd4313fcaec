import { describe, expect, it } from 'vitest';
import { officialExamples } from '../test/spec.ts';
import { clientEventProblem } from './client-event-problem.ts';
import { decodeTranslationClientEvent } from './decode-translation-event.ts';
import { translationClientEventProblem } from './translation-client-event-problem.ts';

const SECRET = 'sk-SECRETPAYLOAD';
const update = (session: unknown) => ({ type: 'session.update', session });
// Events here are JSON as a client sends it, not typed ones.
const problemOf = (event: object) =>
  translationClientEventProblem(event as { readonly type: string });

describe('translationClientEventProblem', () => {
  it('finds no problem in the official examples, as built and decoded', () => {
    const examples = officialExamples('RealtimeTranslationClientEvent');
    expect(examples).toHaveLength(3);
    for (const { example } of examples) {
      expect(problemOf(example)).toBeUndefined();
      const decoded = decodeTranslationClientEvent(JSON.stringify(example));
      expect(decoded).toMatchObject({ ok: true, known: true });
      if (decoded.ok) expect(problemOf(decoded.event)).toBeUndefined();
    }
  });

  // What a realtime session takes and a translation session does not: `type` and `model` are
  // set when the session is created; voice, formats and turn detection are not the engine's.
  const realtimeOnly: Array<[string, unknown, string]> = [
    ['the session type', { type: 'translation' }, 'session.type'],
    ['the model', { model: 'gpt-realtime-translate' }, 'session.model'],
    ['instructions', { instructions: SECRET }, 'session.instructions'],
    [
      'a voice',
      { audio: { output: { language: 'es', voice: 'alloy' } } },
      'session.audio.output.voice',
    ],
    [
      'an input format',
      { audio: { input: { format: { type: 'audio/pcm' } } } },
      'session.audio.input.format',
    ],
    [
      'turn detection',
      { audio: { input: { turn_detection: null } } },
      'session.audio.input.turn_detection',
    ],
    [
      'a transcription language',
      { audio: { input: { transcription: { model: 'gpt-realtime-whisper', language: 'en' } } } },
      'session.audio.input.transcription.language',
    ],
  ];
  for (const [label, session, param] of realtimeOnly) {
    it(`refuses ${label} as unknown_parameter '${param}', echoing no value`, () => {
      const problem = problemOf(update(session));
      expect(problem).toEqual({
        code: 'unknown_parameter',
        param,
        message: `Unknown parameter: '${param}'.`,
      });
    });
  }

  it('names wrong values, missing fields and bounds as clientEventProblem does', () => {
    expect(problemOf(update({ audio: { input: { noise_reduction: { type: 'x' } } } }))).toEqual({
      code: 'invalid_value',
      param: 'session.audio.input.noise_reduction.type',
      message:
        "Invalid value for 'session.audio.input.noise_reduction.type'. Supported values are: 'near_field' and 'far_field'.",
    });
    expect(problemOf(update({ audio: { input: { transcription: {} } } }))).toMatchObject({
      code: 'missing_required_parameter',
      param: 'session.audio.input.transcription.model',
    });
    expect(problemOf(update({ audio: { output: { language: 7 } } }))).toEqual({
      code: 'invalid_type',
      param: 'session.audio.output.language',
      message:
        "Invalid type for 'session.audio.output.language': expected a string, but got an integer.",
    });
    expect(problemOf({ type: 'session.update' })).toMatchObject({
      code: 'missing_required_parameter',
      param: 'session',
    });
    expect(problemOf({ type: 'session.input_audio_buffer.append', audio: 5 })).toMatchObject({
      code: 'invalid_type',
      param: 'audio',
    });
    expect(problemOf({ type: 'session.close', event_id: 'e'.repeat(513) })).toMatchObject({
      code: 'string_above_max_length',
      param: 'event_id',
    });
  });

  it('takes null for an optional field, as the live API sends it, and an empty update', () => {
    const nulls = {
      audio: { input: { noise_reduction: null, transcription: null }, output: null },
    };
    expect(problemOf(update(nulls))).toBeUndefined();
    expect(problemOf(update({}))).toBeUndefined();
    expect(problemOf({ type: 'session.close', event_id: null })).toBeUndefined();
  });

  it('judges a session.update by the translation schema, and the realtime check by its own', () => {
    const translation = update({ audio: { output: { language: 'fr' } } });
    expect(problemOf(translation)).toBeUndefined();
    // The same type string is a realtime event of another shape: there `session.type` is needed.
    expect(clientEventProblem(translation)).toBeDefined();
    const realtime = update({ type: 'realtime', instructions: 'x' });
    expect(clientEventProblem(realtime)).toBeUndefined();
    expect(problemOf(realtime)).toMatchObject({ param: 'session.type' });
  });

  it('leaves types it does not know to the decoder', () => {
    expect(problemOf({ type: 'response.create' })).toBeUndefined();
  });

  it('never echoes a key that does not look like a field name, and never throws', () => {
    const odd = problemOf(update({ audio: { [`${SECRET} x`]: 1 } }));
    expect(odd).toEqual({
      code: 'unknown_parameter',
      param: 'session.audio',
      message: "Unknown parameter in 'session.audio'.",
    });
    const hostile = {
      type: 'session.update',
      get session(): unknown {
        throw new Error(SECRET);
      },
    };
    const problem = problemOf(hostile);
    expect(problem).toMatchObject({ code: 'invalid_value', param: null });
    expect(JSON.stringify(problem)).not.toContain(SECRET);
  });
});
