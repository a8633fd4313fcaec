import { describe, expectTypeOf, it } from 'vitest';
import {
  type ClientEventOf,
  decodeServerEvent,
  type EventOf,
  isContentScopedEvent,
  isEventType,
  type RealtimeClientEvent,
  type RealtimeServerEvent,
  type RealtimeServerEventResponseTextDelta,
  type RealtimeServerEventSessionCreated,
  type SERVER_EVENT_TYPES,
  type ServerEventType,
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
