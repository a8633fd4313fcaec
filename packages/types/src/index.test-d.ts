import { describe, expectTypeOf, it } from 'vitest';
import {
  type ClientEventOf,
  decodeServerEvent,
  decodeTranslationClientEvent,
  decodeTranslationServerEvent,
  type EventOf,
  isContentScopedEvent,
  isEventType,
  isTranslationServerEvent,
  type NoiseReductionType,
  type RealtimeClientEvent,
  type RealtimeClientEventSessionUpdate,
  type RealtimeServerEvent,
  type RealtimeServerEventResponseTextDelta,
  type RealtimeServerEventSessionCreated,
  type RealtimeTranslationClientEvent,
  type RealtimeTranslationClientEventSessionUpdate,
  type RealtimeTranslationServerEvent,
  type RealtimeTranslationServerEventSessionCreated,
  type RealtimeTranslationServerEventSessionOutputAudioDelta,
  type RealtimeTranslationSession,
  type RealtimeTranslationSessionUpdateRequest,
  type SERVER_EVENT_TYPES,
  type ServerEventType,
  type TRANSLATION_CLIENT_EVENT_TYPES,
  type TRANSLATION_SERVER_EVENT_TYPES,
  type TranslationClientEventOf,
  type TranslationServerEventOf,
  type TranslationServerEventType,
} from './index.ts';

describe('event unions', () => {
  it('narrow by type', () => {
    const event = {} as RealtimeServerEvent;
    if (event.type === 'response.output_text.delta') {
      expectTypeOf(event).toEqualTypeOf<RealtimeServerEventResponseTextDelta>();
      expectTypeOf(event.delta).toEqualTypeOf<string>();
      expectTypeOf(event.obfuscation).toEqualTypeOf<string | null | undefined>();
    }
    if (isEventType(event, 'session.created')) {
      expectTypeOf(event).toEqualTypeOf<RealtimeServerEventSessionCreated>();
    }
  });

  it('EventOf picks one member', () => {
    expectTypeOf<
      EventOf<'response.output_text.delta'>
    >().toEqualTypeOf<RealtimeServerEventResponseTextDelta>();
    expectTypeOf<ClientEventOf<'response.create'>['type']>().toEqualTypeOf<'response.create'>();
    expectTypeOf<RealtimeClientEvent['type']>().toEqualTypeOf<
      typeof import('./index.ts')['CLIENT_EVENT_TYPES'][number]
    >();
    expectTypeOf<ServerEventType>().toEqualTypeOf<(typeof SERVER_EVENT_TYPES)[number]>();
  });

  it('a switch over every server event type can be exhaustive', () => {
    function describeEvent(event: RealtimeServerEvent): string {
      switch (event.type) {
        case 'conversation.created':
        case 'conversation.item.created':
        case 'conversation.item.deleted':
        case 'conversation.item.input_audio_transcription.completed':
        case 'conversation.item.input_audio_transcription.delta':
        case 'conversation.item.input_audio_transcription.failed':
        case 'conversation.item.retrieved':
        case 'conversation.item.truncated':
        case 'error':
        case 'input_audio_buffer.cleared':
        case 'input_audio_buffer.committed':
        case 'input_audio_buffer.dtmf_event_received':
        case 'input_audio_buffer.speech_started':
        case 'input_audio_buffer.speech_stopped':
        case 'rate_limits.updated':
        case 'response.output_audio.delta':
        case 'response.output_audio.done':
        case 'response.output_audio_transcript.delta':
        case 'response.output_audio_transcript.done':
        case 'response.content_part.added':
        case 'response.content_part.done':
        case 'response.created':
        case 'response.done':
        case 'response.function_call_arguments.delta':
        case 'response.function_call_arguments.done':
        case 'response.output_item.added':
        case 'response.output_item.done':
        case 'response.output_text.delta':
        case 'response.output_text.done':
        case 'session.created':
        case 'session.updated':
        case 'output_audio_buffer.started':
        case 'output_audio_buffer.stopped':
        case 'output_audio_buffer.cleared':
        case 'conversation.item.added':
        case 'conversation.item.done':
        case 'input_audio_buffer.timeout_triggered':
        case 'conversation.item.input_audio_transcription.segment':
        case 'mcp_list_tools.in_progress':
        case 'mcp_list_tools.completed':
        case 'mcp_list_tools.failed':
        case 'response.mcp_call_arguments.delta':
        case 'response.mcp_call_arguments.done':
        case 'response.mcp_call.in_progress':
        case 'response.mcp_call.completed':
        case 'response.mcp_call.failed':
          return event.type;
        default: {
          const unhandled: never = event;
          return unhandled;
        }
      }
    }
    expectTypeOf(describeEvent).returns.toEqualTypeOf<string>();
  });

  it('a missing case leaves a member for the never check to catch', () => {
    function partial(event: RealtimeServerEvent) {
      if (event.type === 'error') return;
      // @ts-expect-error: every other member is still possible here
      const unhandled: never = event;
      return unhandled;
    }
    expectTypeOf(partial).toBeFunction();
  });

  it('family guards narrow to the members that carry the fields', () => {
    const event = {} as RealtimeServerEvent;
    if (isContentScopedEvent(event)) {
      expectTypeOf(event.content_index).toEqualTypeOf<number>();
      expectTypeOf(event.response_id).toEqualTypeOf<string>();
    }
  });

  it('decode results narrow to known events', () => {
    const result = decodeServerEvent('{}');
    if (result.ok && result.known) expectTypeOf(result.event).toEqualTypeOf<RealtimeServerEvent>();
    if (result.ok && !result.known) expectTypeOf(result.event.type).toEqualTypeOf<string>();
    if (!result.ok) expectTypeOf(result.error.path).toEqualTypeOf<string>();
  });
});

describe('translation event unions', () => {
  it('narrow by type, to the translation members', () => {
    const event = {} as RealtimeTranslationServerEvent;
    if (event.type === 'session.output_audio.delta') {
      expectTypeOf(event).toEqualTypeOf<RealtimeTranslationServerEventSessionOutputAudioDelta>();
      expectTypeOf(event.elapsed_ms).toEqualTypeOf<number | null | undefined>();
      // As the spec and openai-node type it: an optional field is absent, never null.
      expectTypeOf(event.format).toEqualTypeOf<'pcm16' | undefined>();
    }
    if (event.type === 'session.created') {
      expectTypeOf(event.session).toEqualTypeOf<RealtimeTranslationSession>();
      expectTypeOf(event.session.type).toEqualTypeOf<'translation'>();
    }
  });

  it('keep the session shape the spec gives', () => {
    type Audio = RealtimeTranslationSession['audio'];
    type Input = NonNullable<Audio['input']>;
    expectTypeOf<NonNullable<Audio['output']>['language']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<
      NonNullable<Input['noise_reduction']>['type']
    >().toEqualTypeOf<NoiseReductionType>();
    expectTypeOf<NonNullable<Input['transcription']>['model']>().toEqualTypeOf<string>();
    expectTypeOf<
      RealtimeTranslationClientEventSessionUpdate['session']
    >().toEqualTypeOf<RealtimeTranslationSessionUpdateRequest>();
    // A translation session.update sets no session type, model or voice.
    expectTypeOf<RealtimeTranslationSessionUpdateRequest>().not.toHaveProperty('type');
    expectTypeOf<RealtimeTranslationSessionUpdateRequest>().not.toHaveProperty('model');
  });

  it('are not the realtime unions: same type strings, other events', () => {
    expectTypeOf<
      TranslationClientEventOf<'session.update'>
    >().toEqualTypeOf<RealtimeTranslationClientEventSessionUpdate>();
    expectTypeOf<
      TranslationClientEventOf<'session.update'>
    >().not.toEqualTypeOf<RealtimeClientEventSessionUpdate>();
    expectTypeOf<
      TranslationServerEventOf<'session.created'>
    >().toEqualTypeOf<RealtimeTranslationServerEventSessionCreated>();
    expectTypeOf<TranslationServerEventType>().toEqualTypeOf<
      (typeof TRANSLATION_SERVER_EVENT_TYPES)[number]
    >();
    expectTypeOf<RealtimeTranslationClientEvent['type']>().toEqualTypeOf<
      (typeof TRANSLATION_CLIENT_EVENT_TYPES)[number]
    >();
    // @ts-expect-error: a realtime-only type has no translation event
    expectTypeOf<TranslationClientEventOf<'response.create'>>();
  });

  it('a switch over every translation server event type can be exhaustive', () => {
    function describeEvent(event: RealtimeTranslationServerEvent): string {
      switch (event.type) {
        case 'error':
        case 'session.created':
        case 'session.updated':
        case 'session.closed':
        case 'session.input_transcript.delta':
        case 'session.output_transcript.delta':
        case 'session.output_audio.delta':
          return event.type;
        default: {
          const unhandled: never = event;
          return unhandled;
        }
      }
    }
    expectTypeOf(describeEvent).returns.toEqualTypeOf<string>();
  });

  it('decode results and guards narrow to the translation unions', () => {
    const server = decodeTranslationServerEvent('{}');
    if (server.ok && server.known) {
      expectTypeOf(server.event).toEqualTypeOf<RealtimeTranslationServerEvent>();
    }
    const client = decodeTranslationClientEvent('{}', { maxNesting: 64 });
    if (client.ok && client.known) {
      expectTypeOf(client.event).toEqualTypeOf<RealtimeTranslationClientEvent>();
    }
    // @ts-expect-error: translation sessions have no beta-era names to normalize
    decodeTranslationClientEvent('{}', { legacyNames: 'normalize' });
    const value: unknown = {};
    if (isTranslationServerEvent(value)) {
      expectTypeOf(value).toEqualTypeOf<RealtimeTranslationServerEvent>();
    }
  });
});
