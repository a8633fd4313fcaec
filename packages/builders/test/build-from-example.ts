// Test-only: rebuilds an official example event through the public builders, field by field.
// biome-ignore-all lint/suspicious/noExplicitAny: examples are untyped JSON by nature
import type { RealtimeServerEvent, ServerEventType } from '@rtwire/types';
import { ResponseEventBuilder, ServerEvents } from '../src/index.ts';

type Example = Record<string, any>;

const item = (x: Example) =>
  new ResponseEventBuilder(x.response_id).forItem(x.item_id, x.output_index);
const content = (x: Example) => item(x).forContent(x.content_index);

/**
 * For every server event type, how to build it from the fields of an example. The table is
 * keyed by the type union, so a type added to the spec and not here fails to compile.
 */
export const buildFromExample: { [T in ServerEventType]: (x: Example) => RealtimeServerEvent } = {
  'session.created': (x) => ServerEvents.sessionCreated(x.event_id, x.session),
  'session.updated': (x) => ServerEvents.sessionUpdated(x.event_id, x.session),
  'conversation.created': (x) => ServerEvents.conversationCreated(x.event_id, x.conversation),
  'conversation.item.created': (x) =>
    ServerEvents.conversationItemCreated(x.event_id, x.previous_item_id, x.item),
  'conversation.item.added': (x) =>
    ServerEvents.conversationItemAdded(x.event_id, x.previous_item_id, x.item),
  'conversation.item.done': (x) =>
    ServerEvents.conversationItemDone(x.event_id, x.previous_item_id, x.item),
  'conversation.item.deleted': (x) => ServerEvents.conversationItemDeleted(x.event_id, x.item_id),
  'conversation.item.retrieved': (x) => ServerEvents.conversationItemRetrieved(x.event_id, x.item),
  'conversation.item.truncated': (x) =>
    ServerEvents.conversationItemTruncated(x.event_id, x.item_id, x.content_index, x.audio_end_ms),
  'conversation.item.input_audio_transcription.completed': (x) =>
    x.logprobs === undefined
      ? ServerEvents.inputAudioTranscriptionCompleted(
          x.event_id,
          x.item_id,
          x.content_index,
          x.transcript,
          x.usage,
        )
      : ServerEvents.inputAudioTranscriptionCompletedWithLogprobs(
          x.event_id,
          x.item_id,
          x.content_index,
          x.transcript,
          x.usage,
          x.logprobs,
        ),
  'conversation.item.input_audio_transcription.delta': (x) =>
    ServerEvents.inputAudioTranscriptionDelta(
      x.event_id,
      x.item_id,
      x.content_index,
      x.delta,
      x.logprobs,
      x.obfuscation,
    ),
  'conversation.item.input_audio_transcription.failed': (x) =>
    ServerEvents.inputAudioTranscriptionFailed(x.event_id, x.item_id, x.content_index, x.error),
  'conversation.item.input_audio_transcription.segment': (x) =>
    ServerEvents.inputAudioTranscriptionSegment(
      x.event_id,
      x.item_id,
      x.content_index,
      x.text,
      x.id,
      x.speaker,
      x.start,
      x.end,
    ),
  'input_audio_buffer.cleared': (x) => ServerEvents.inputAudioBufferCleared(x.event_id),
  'input_audio_buffer.committed': (x) =>
    ServerEvents.inputAudioBufferCommitted(x.event_id, x.item_id, x.previous_item_id),
  'input_audio_buffer.speech_started': (x) =>
    ServerEvents.inputAudioBufferSpeechStarted(x.event_id, x.audio_start_ms, x.item_id),
  'input_audio_buffer.speech_stopped': (x) =>
    ServerEvents.inputAudioBufferSpeechStopped(x.event_id, x.audio_end_ms, x.item_id),
  'input_audio_buffer.timeout_triggered': (x) =>
    ServerEvents.inputAudioBufferTimeoutTriggered(
      x.event_id,
      x.audio_start_ms,
      x.audio_end_ms,
      x.item_id,
    ),
  'input_audio_buffer.dtmf_event_received': (x) =>
    ServerEvents.dtmfEventReceived(x.event, x.received_at),
  'mcp_list_tools.in_progress': (x) => ServerEvents.mcpListToolsInProgress(x.event_id, x.item_id),
  'mcp_list_tools.completed': (x) => ServerEvents.mcpListToolsCompleted(x.event_id, x.item_id),
  'mcp_list_tools.failed': (x) => ServerEvents.mcpListToolsFailed(x.event_id, x.item_id),
  'response.mcp_call.in_progress': (x) =>
    ServerEvents.mcpCallInProgress(x.event_id, x.item_id, x.output_index),
  'response.mcp_call.completed': (x) =>
    ServerEvents.mcpCallCompleted(x.event_id, x.item_id, x.output_index),
  'response.mcp_call.failed': (x) =>
    ServerEvents.mcpCallFailed(x.event_id, x.item_id, x.output_index),
  'rate_limits.updated': (x) => ServerEvents.rateLimitsUpdated(x.event_id, x.rate_limits),
  'response.created': (x) => ServerEvents.responseCreated(x.event_id, x.response),
  'response.done': (x) => ServerEvents.responseDone(x.event_id, x.response),
  error: (x) => ServerEvents.errorEvent(x.event_id, x.error),
  'output_audio_buffer.started': (x) =>
    new ResponseEventBuilder(x.response_id).outputAudioBufferStarted(x.event_id),
  'output_audio_buffer.stopped': (x) =>
    new ResponseEventBuilder(x.response_id).outputAudioBufferStopped(x.event_id),
  'output_audio_buffer.cleared': (x) =>
    new ResponseEventBuilder(x.response_id).outputAudioBufferCleared(x.event_id),
  'response.output_item.added': (x) =>
    new ResponseEventBuilder(x.response_id)
      .forItem(x.item.id, x.output_index)
      .outputItemAdded(x.event_id, x.item),
  'response.output_item.done': (x) =>
    new ResponseEventBuilder(x.response_id)
      .forItem(x.item.id, x.output_index)
      .outputItemDone(x.event_id, x.item),
  'response.function_call_arguments.delta': (x) =>
    item(x).functionCallArgumentsDelta(x.event_id, x.call_id, x.delta),
  'response.function_call_arguments.done': (x) =>
    item(x).functionCallArgumentsDone(x.event_id, x.call_id, x.name, x.arguments),
  'response.mcp_call_arguments.delta': (x) =>
    item(x).mcpCallArgumentsDelta(x.event_id, x.delta, x.obfuscation),
  'response.mcp_call_arguments.done': (x) => item(x).mcpCallArgumentsDone(x.event_id, x.arguments),
  'response.content_part.added': (x) => content(x).contentPartAdded(x.event_id, x.part),
  'response.content_part.done': (x) => content(x).contentPartDone(x.event_id, x.part),
  'response.output_text.delta': (x) => content(x).outputTextDelta(x.event_id, x.delta),
  'response.output_text.done': (x) => content(x).outputTextDone(x.event_id, x.text),
  'response.output_audio.delta': (x) => content(x).outputAudioDelta(x.event_id, x.delta),
  'response.output_audio.done': (x) => content(x).outputAudioDone(x.event_id),
  'response.output_audio_transcript.delta': (x) =>
    content(x).outputAudioTranscriptDelta(x.event_id, x.delta),
  'response.output_audio_transcript.done': (x) =>
    content(x).outputAudioTranscriptDone(x.event_id, x.transcript),
};
