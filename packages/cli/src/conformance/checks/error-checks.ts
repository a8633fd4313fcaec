import type { Check } from '../check.ts';
import type { ConformanceSession } from '../conformance-session.ts';
import { addUserText, clientEventId, expect, field, shown } from '../steps.ts';

/**
 * Planted in what each invalid event sends: an error that repeats it has echoed the
 * client's payload, which a server must not (it reaches logs, and may be audio, a
 * transcript or a key).
 */
const MARKER = 'conformance-payload-4f1c9e';

/** One invalid client event and the refusal it must get. */
interface InvalidEvent {
  readonly id: string;
  readonly description: string;
  readonly spec: readonly string[];
  /** The event, with `MARKER` where it carries a payload; a string is sent as a raw frame. */
  readonly event: Record<string, unknown> | string;
  /**
   * The `param` the error must name (or one of them, where the spec's own example and the
   * live API differ); `undefined`: not checked.
   */
  readonly param?: string | null | readonly (string | null)[];
  /** The `code` it must have, where the live API's code is known; else any. */
  readonly code?: string;
  /** State the event needs first (an item to point at). */
  readonly before?: (session: ConformanceSession) => Promise<Record<string, unknown>>;
}

const userText = (text: string) => ({
  type: 'message',
  role: 'user',
  content: [{ type: 'input_text', text }],
});

const sessionUpdate = (session: Record<string, unknown>) => ({
  type: 'session.update',
  session: { type: 'realtime', ...session },
});

const INVALID_EVENTS: readonly InvalidEvent[] = [
  {
    id: 'error.invalid-json',
    description: 'A frame that is not JSON',
    spec: ['RealtimeServerEventError'],
    event: `{"type":"session.update","session":{"instructions":"${MARKER}"`,
  },
  {
    id: 'error.missing-type',
    description: 'An event without a type',
    spec: ['RealtimeClientEvent', 'RealtimeServerEventError'],
    event: { session: { instructions: MARKER } },
    // The spec's example of this error names no param.
    param: ['type', null],
  },
  {
    id: 'error.unknown-type',
    description: 'An event type the protocol does not have',
    spec: ['RealtimeClientEvent', 'RealtimeServerEventError'],
    event: { type: 'conformance.nonexistent', text: MARKER },
    param: 'type',
  },
  {
    id: 'error.unknown-field',
    description: 'A top-level field the event does not have',
    spec: ['RealtimeClientEventInputAudioBufferClear'],
    event: { type: 'input_audio_buffer.clear', conformance_extra: MARKER },
    param: 'conformance_extra',
    code: 'unknown_parameter',
  },
  {
    id: 'error.session-missing',
    description: 'session.update without a session',
    spec: ['RealtimeClientEventSessionUpdate'],
    event: { type: 'session.update' },
    param: 'session',
  },
  {
    id: 'error.session-type',
    description: 'session.update with a session type that is not realtime',
    spec: ['RealtimeClientEventSessionUpdate', 'RealtimeSessionCreateRequestGA'],
    event: { type: 'session.update', session: { type: 'conformance', instructions: MARKER } },
    param: 'session.type',
  },
  {
    id: 'error.session-unknown-field',
    description: 'session.update with a session field the protocol does not have',
    spec: ['RealtimeSessionCreateRequestGA'],
    event: sessionUpdate({ conformance_extra: MARKER }),
    param: 'session.conformance_extra',
    code: 'unknown_parameter',
  },
  {
    id: 'error.session-beta-field',
    description: 'session.update with a field of the beta protocol (modalities)',
    spec: ['RealtimeSessionCreateRequestGA'],
    event: sessionUpdate({ modalities: ['text'], instructions: MARKER }),
    param: 'session.modalities',
    code: 'unknown_parameter',
  },
  {
    id: 'error.session-wrong-type',
    description: 'session.update with instructions that are not a string',
    spec: ['RealtimeSessionCreateRequestGA'],
    event: sessionUpdate({
      instructions: 42,
      tools: [{ type: 'function', name: 'f', description: MARKER }],
    }),
    param: 'session.instructions',
  },
  {
    id: 'error.session-modalities',
    description: 'session.update with an output modality that does not exist',
    spec: ['RealtimeSessionCreateRequestGA'],
    event: sessionUpdate({ output_modalities: ['smell'], instructions: MARKER }),
    param: 'session.output_modalities',
  },
  {
    id: 'error.audio-format',
    description: 'session.update with an output audio format that does not exist',
    spec: ['RealtimeAudioFormats'],
    event: sessionUpdate({
      audio: { output: { format: { type: 'audio/conformance' } } },
      instructions: MARKER,
    }),
    param: 'session.audio.output.format.type',
  },
  {
    id: 'error.turn-detection-type',
    description: 'session.update with a turn detection type that does not exist',
    spec: ['RealtimeTurnDetection'],
    event: sessionUpdate({
      audio: { input: { turn_detection: { type: 'conformance' } } },
      instructions: MARKER,
    }),
    param: 'session.audio.input.turn_detection.type',
  },
  {
    id: 'error.idle-timeout-range',
    description: 'session.update with idle_timeout_ms below its minimum',
    spec: ['RealtimeTurnDetection'],
    event: sessionUpdate({
      audio: { input: { turn_detection: { type: 'server_vad', idle_timeout_ms: 10 } } },
      instructions: MARKER,
    }),
    param: 'session.audio.input.turn_detection.idle_timeout_ms',
  },
  {
    id: 'error.item-missing',
    description: 'conversation.item.create without an item',
    spec: ['RealtimeClientEventConversationItemCreate'],
    event: { type: 'conversation.item.create', previous_item_id: MARKER },
    param: 'item',
  },
  {
    id: 'error.item-role',
    description: 'A message with a role that does not exist',
    spec: ['RealtimeConversationItem'],
    event: { type: 'conversation.item.create', item: { ...userText(MARKER), role: 'conformance' } },
    param: 'item.role',
  },
  {
    id: 'error.item-content-type',
    description: 'A user message with a content part type that does not exist',
    spec: ['RealtimeConversationItemMessageUser'],
    event: {
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'conformance', text: MARKER }] },
    },
    param: 'item.content[0].type',
  },
  {
    id: 'error.item-unknown-field',
    description: 'An item with a field the protocol does not have',
    spec: ['RealtimeConversationItem'],
    event: {
      type: 'conversation.item.create',
      item: { ...userText(MARKER), conformance_extra: 1 },
    },
    param: 'item.conformance_extra',
    code: 'unknown_parameter',
  },
  {
    id: 'error.function-output-call-id',
    description: 'A function_call_output without its call_id',
    spec: ['RealtimeConversationItemFunctionCallOutput'],
    event: {
      type: 'conversation.item.create',
      item: { type: 'function_call_output', output: MARKER },
    },
    param: 'item.call_id',
  },
  {
    id: 'error.previous-item-unknown',
    description: 'conversation.item.create after an item that does not exist',
    spec: ['RealtimeClientEventConversationItemCreate'],
    event: {
      type: 'conversation.item.create',
      previous_item_id: 'item_conformance_absent',
      item: userText(MARKER),
    },
    param: 'previous_item_id',
  },
  {
    id: 'error.retrieve-unknown',
    description: 'conversation.item.retrieve of an item that does not exist',
    spec: ['RealtimeClientEventConversationItemRetrieve'],
    event: { type: 'conversation.item.retrieve', item_id: 'item_conformance_absent' },
    param: 'item_id',
  },
  {
    id: 'error.delete-unknown',
    description: 'conversation.item.delete of an item that does not exist',
    spec: ['RealtimeClientEventConversationItemDelete'],
    event: { type: 'conversation.item.delete', item_id: 'item_conformance_absent' },
    param: 'item_id',
  },
  {
    id: 'error.truncate-not-audio',
    description: 'conversation.item.truncate of a message that has no audio',
    spec: ['RealtimeClientEventConversationItemTruncate'],
    event: { type: 'conversation.item.truncate' },
    before: async (session) => ({
      item_id: await addUserText(session, MARKER),
      content_index: 0,
      audio_end_ms: 10,
    }),
  },
  {
    id: 'error.append-not-base64',
    description: 'input_audio_buffer.append with audio that is not base64',
    spec: ['RealtimeClientEventInputAudioBufferAppend'],
    event: { type: 'input_audio_buffer.append', audio: `!!${MARKER}!!` },
    param: 'audio',
  },
  {
    id: 'error.append-missing-audio',
    description: 'input_audio_buffer.append without audio',
    spec: ['RealtimeClientEventInputAudioBufferAppend'],
    event: { type: 'input_audio_buffer.append' },
    param: 'audio',
  },
  {
    id: 'error.commit-empty',
    description: 'input_audio_buffer.commit of an empty buffer',
    spec: ['RealtimeClientEventInputAudioBufferCommit'],
    event: { type: 'input_audio_buffer.commit' },
    code: 'input_audio_buffer_commit_empty',
  },
  {
    id: 'error.cancel-none',
    description: 'response.cancel with no response active',
    spec: ['RealtimeClientEventResponseCancel'],
    event: { type: 'response.cancel' },
    code: 'response_cancel_not_active',
  },
  {
    id: 'error.response-modalities',
    description: 'response.create with an output modality that does not exist',
    spec: ['RealtimeResponseCreateParams'],
    event: {
      type: 'response.create',
      response: { output_modalities: ['smell'], instructions: MARKER },
    },
    param: 'response.output_modalities',
  },
  {
    id: 'error.response-beta-field',
    description: 'response.create with a field of the beta protocol (voice)',
    spec: ['RealtimeResponseCreateParams'],
    event: { type: 'response.create', response: { voice: 'alloy', instructions: MARKER } },
    param: 'response.voice',
    code: 'unknown_parameter',
  },
];

/**
 * The `error` each invalid client event must get: `type` `invalid_request_error`, the code
 * where the live API's is known, the `param` naming the field, the client's `event_id`
 * echoed, and nothing of what the client sent repeated.
 *
 * @example
 * ```ts
 * console.log(errorChecks.length); // at least twenty
 * ```
 */
export const errorChecks: readonly Check[] = INVALID_EVENTS.map(
  (invalid): Check => ({
    id: invalid.id,
    description: `${invalid.description} is refused with a well-formed error`,
    spec: [...invalid.spec, 'RealtimeServerEventError'],
    async run(context) {
      const session = await context.open();
      const extra = (await invalid.before?.(session)) ?? {};
      const eventId = typeof invalid.event === 'string' ? undefined : clientEventId();
      const mark = session.send(
        typeof invalid.event === 'string'
          ? invalid.event
          : { ...invalid.event, ...extra, event_id: eventId },
      );
      const error = await session.waitFor(mark, 'error', 'an error event');
      const detail = field(error, 'error');
      expect(
        field(detail, 'type') === 'invalid_request_error',
        'type "invalid_request_error"',
        shown(field(detail, 'type')),
        error,
      );
      const code = field(detail, 'code');
      if (invalid.code !== undefined) {
        expect(code === invalid.code, `code ${shown(invalid.code)}`, shown(code), error);
      } else {
        // The spec allows a null code; anything else must be a code.
        expect(
          code === null || (typeof code === 'string' && code.length > 0),
          'a code or null',
          shown(code),
          error,
        );
      }
      if (invalid.param !== undefined) {
        const param = field(detail, 'param');
        const allowed = Array.isArray(invalid.param) ? invalid.param : [invalid.param];
        const matches = allowed.some((expected) =>
          expected === null
            ? param == null
            : param === expected || (typeof param === 'string' && param.startsWith(`${expected}[`)),
        );
        expect(
          matches,
          `param ${allowed.map((expected) => shown(expected)).join(' or ')}`,
          shown(param),
          error,
        );
      }
      if (eventId !== undefined) {
        const echoed = field(detail, 'event_id');
        expect(echoed === eventId, `event_id ${shown(eventId)} echoed`, shown(echoed), error);
      }
      expect(
        !JSON.stringify(error).includes(MARKER),
        'nothing the client sent repeated in the error',
        'the error repeats the payload',
        error,
      );
    },
  }),
);
