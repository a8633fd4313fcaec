import fc from 'fast-check';
import { anyString, anyValue } from './arbitraries.ts';
/**
 * Object literals of the events `@rtwire/builders` builds, in its key order (type, event_id,
 * response_id, item_id, output_index, content_index, payload), written from the spec. The
 * encoder's frames must equal JSON.stringify of these.
 */
export interface Context {
  level: 'content';
  responseId: string;
  itemId: string;
  outputIndex: number;
  contentIndex: number;
}

const response = (c: Context) => ({ response_id: c.responseId });
const item = (c: Context) => ({
  response_id: c.responseId,
  item_id: c.itemId,
  output_index: c.outputIndex,
});
const content = (c: Context) => ({ ...item(c), content_index: c.contentIndex });

export const twins = {
  outputAudioBufferStarted: (c: Context, eventId: string) => ({
    type: 'output_audio_buffer.started',
    event_id: eventId,
    ...response(c),
  }),
  outputAudioBufferStopped: (c: Context, eventId: string) => ({
    type: 'output_audio_buffer.stopped',
    event_id: eventId,
    ...response(c),
  }),
  outputAudioBufferCleared: (c: Context, eventId: string) => ({
    type: 'output_audio_buffer.cleared',
    event_id: eventId,
    ...response(c),
  }),
  outputItemAdded: (c: Context, eventId: string, value: unknown) => ({
    type: 'response.output_item.added',
    event_id: eventId,
    response_id: c.responseId,
    output_index: c.outputIndex,
    item: value,
  }),
  outputItemDone: (c: Context, eventId: string, value: unknown) => ({
    type: 'response.output_item.done',
    event_id: eventId,
    response_id: c.responseId,
    output_index: c.outputIndex,
    item: value,
  }),
  functionCallArgumentsDelta: (c: Context, eventId: string, callId: string, delta: string) => ({
    type: 'response.function_call_arguments.delta',
    event_id: eventId,
    ...item(c),
    call_id: callId,
    delta,
  }),
  functionCallArgumentsDone: (
    c: Context,
    eventId: string,
    callId: string,
    name: string,
    args: string,
  ) => ({
    type: 'response.function_call_arguments.done',
    event_id: eventId,
    ...item(c),
    call_id: callId,
    name,
    arguments: args,
  }),
  mcpCallArgumentsDelta: (
    c: Context,
    eventId: string,
    delta: string,
    obfuscation?: string | null,
  ) => ({
    type: 'response.mcp_call_arguments.delta',
    event_id: eventId,
    ...item(c),
    delta,
    ...(obfuscation === undefined ? {} : { obfuscation }),
  }),
  mcpCallArgumentsDone: (c: Context, eventId: string, args: string) => ({
    type: 'response.mcp_call_arguments.done',
    event_id: eventId,
    ...item(c),
    arguments: args,
  }),
  contentPartAdded: (c: Context, eventId: string, part: unknown) => ({
    type: 'response.content_part.added',
    event_id: eventId,
    ...content(c),
    part,
  }),
  contentPartDone: (c: Context, eventId: string, part: unknown) => ({
    type: 'response.content_part.done',
    event_id: eventId,
    ...content(c),
    part,
  }),
  outputTextDelta: (c: Context, eventId: string, delta: string) => ({
    type: 'response.output_text.delta',
    event_id: eventId,
    ...content(c),
    delta,
  }),
  outputTextDone: (c: Context, eventId: string, text: string) => ({
    type: 'response.output_text.done',
    event_id: eventId,
    ...content(c),
    text,
  }),
  outputAudioDelta: (c: Context, eventId: string, delta: string) => ({
    type: 'response.output_audio.delta',
    event_id: eventId,
    ...content(c),
    delta,
  }),
  outputAudioDone: (c: Context, eventId: string) => ({
    type: 'response.output_audio.done',
    event_id: eventId,
    ...content(c),
  }),
  outputAudioTranscriptDelta: (c: Context, eventId: string, delta: string) => ({
    type: 'response.output_audio_transcript.delta',
    event_id: eventId,
    ...content(c),
    delta,
  }),
  outputAudioTranscriptDone: (c: Context, eventId: string, transcript: string) => ({
    type: 'response.output_audio_transcript.done',
    event_id: eventId,
    ...content(c),
    transcript,
  }),
};

/** Arbitrary arguments (after the context) of each twin's encoder method. */
export const argumentsOf: Record<keyof typeof twins, fc.Arbitrary<unknown[]>> = {
  outputAudioBufferStarted: fc.tuple(anyString),
  outputAudioBufferStopped: fc.tuple(anyString),
  outputAudioBufferCleared: fc.tuple(anyString),
  outputItemAdded: fc.tuple(anyString, anyValue),
  outputItemDone: fc.tuple(anyString, anyValue),
  functionCallArgumentsDelta: fc.tuple(anyString, anyString, anyString),
  functionCallArgumentsDone: fc.tuple(anyString, anyString, anyString, anyString),
  mcpCallArgumentsDelta: fc.oneof(
    fc.tuple(anyString, anyString),
    fc.tuple(anyString, anyString, fc.constantFrom(null, undefined)),
    fc.tuple(anyString, anyString, anyString),
  ),
  mcpCallArgumentsDone: fc.tuple(anyString, anyString),
  contentPartAdded: fc.tuple(anyString, anyValue),
  contentPartDone: fc.tuple(anyString, anyValue),
  outputTextDelta: fc.tuple(anyString, anyString),
  outputTextDone: fc.tuple(anyString, anyString),
  outputAudioDelta: fc.tuple(anyString, anyString),
  outputAudioDone: fc.tuple(anyString),
  outputAudioTranscriptDelta: fc.tuple(anyString, anyString),
  outputAudioTranscriptDone: fc.tuple(anyString, anyString),
};
