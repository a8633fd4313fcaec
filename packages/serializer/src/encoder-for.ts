import { numberToJson } from './encode-number.ts';
import type {
  ContentEncoderContext,
  ContentEventEncoder,
  EncoderContext,
  EncoderOf,
  IntoTwins,
  ItemEncoderContext,
  ItemEventEncoder,
  ResponseEncoderContext,
  ResponseEventEncoder,
} from './encoder-context.ts';
import { quoteJsonString } from './escape-json-string.ts';
import { copyFrameInto } from './frame-into.ts';
import {
  eventIdFrameBytes,
  type Fragment,
  fragment,
  frameBytes,
  pcmFrameBytes,
  quoteArgument,
  sharedFragment,
  startFrame,
} from './frame-writer.ts';
import { isOmitted, toJsonValue } from './json-value.ts';

/**
 * An encoder bound to a builder context: the same terminal methods as the builder (same
 * arguments), returning the encoded frame instead of the event object. The JSON prefix of the
 * fixed context is computed here, once; each call writes only what varies. Every method `m`
 * has a twin `mBytes` returning UTF-8 bytes (never reused later, safe to queue by reference)
 * and a twin `mInto(...args, target, offset)` writing them into the caller's buffer (see
 * {@link IntoTwins}).
 *
 * Parsed, every frame deep-equals `JSON.stringify` of the event the builder twin returns.
 *
 * @example
 * ```ts
 * const content = new ResponseEventBuilder('resp_1').forItem('item_1', 0).forContent(0);
 * const encoder = encoderFor(content);
 * // Node `ws`: bytes as a text frame (Realtime frames are always text).
 * ws.send(encoder.outputTextDeltaBytes('event_7', 'Hel'), { binary: false });
 * ws.send(encoder.outputAudioDeltaFromPcm('event_8', pcm16Chunk), { binary: false });
 *
 * // A web-standard WebSocket sends a Uint8Array as binary: give it the string.
 * webSocket.send(encoder.outputTextDelta('event_9', 'Hel'));
 *
 * // Where send copies before it returns (uWebSockets.js): one reused buffer.
 * const length = encoder.outputAudioDeltaFromPcmInto('event_10', pcm16Chunk, scratch, 0);
 * uwsSocket.send(scratch.subarray(0, length), false);
 * ```
 */
export function encoderFor<C extends EncoderContext>(context: C): EncoderOf<C> {
  switch (context.level) {
    case 'response':
      return responseEncoder(context) as EncoderOf<C>;
    case 'item':
      return itemEncoder(context) as EncoderOf<C>;
    case 'content':
      return contentEncoder(context) as EncoderOf<C>;
    default: {
      const unknown: never = context;
      throw new TypeError(
        `encoderFor: context.level must be 'response', 'item' or 'content', got ${JSON.stringify(
          String((unknown as { level?: unknown }).level),
        )}`,
      );
    }
  }
}

function stringField(value: unknown, name: string): string {
  if (typeof value !== 'string')
    throw new TypeError(`encoderFor: context.${name} must be a string`);
  return quoteJsonString(value);
}

function numberField(value: unknown, name: string): string {
  if (typeof value !== 'number')
    throw new TypeError(`encoderFor: context.${name} must be a number`);
  return numberToJson(value);
}

const heads = new Map<string, Fragment>();
/** `{"type":"…","event_id":`, one per event type (keyed by the type literal, whose hash is kept). */
function head(type: string): Fragment {
  let found = heads.get(type);
  if (found === undefined) {
    found = sharedFragment(`{"type":"${type}","event_id":`);
    heads.set(type, found);
  }
  return found;
}

function responseScope(context: { readonly responseId: string }): string {
  return `,"response_id":${stringField(context.responseId, 'responseId')}`;
}

function itemScope(context: ItemEncoderContext | ContentEncoderContext): string {
  const item = stringField(context.itemId, 'itemId');
  const index = numberField(context.outputIndex, 'outputIndex');
  return `${responseScope(context)},"item_id":${item},"output_index":${index}`;
}

function contentScope(context: ContentEncoderContext): string {
  return `${itemScope(context)},"content_index":${numberField(context.contentIndex, 'contentIndex')}`;
}

/** A method whose only variable field is the event id. */
function eventIdOnly(type: string, rest: string) {
  const first = head(type);
  const tail = fragment(`${rest}}`);
  return {
    text: (eventId: string): string => first.text + quoteArgument(eventId, 'eventId') + tail.text,
    bytes: (eventId: string): Uint8Array => eventIdFrameBytes(first, eventId, tail),
    into: (eventId: string, target: Uint8Array, offset = 0): number =>
      copyFrameInto(eventIdFrameBytes(first, eventId, tail), target, offset),
  };
}

/** A method with the event id and one string payload field, last in the event. */
function withString(type: string, scope: string, key: string) {
  const first = head(type);
  const middle = fragment(`${scope},"${key}":`);
  return {
    text: (eventId: string, value: string): string =>
      `${first.text}${quoteArgument(eventId, 'eventId')}${middle.text}${quoteArgument(value, key)}}`,
    bytes: (eventId: string, value: string): Uint8Array =>
      frameBytes(first, eventId, middle, value),
    into: (eventId: string, value: string, target: Uint8Array, offset = 0): number =>
      copyFrameInto(frameBytes(first, eventId, middle, value), target, offset),
  };
}

/** A method with the event id and one JSON value (an item, a part), last in the event. */
function withValue<T>(type: string, scope: string, key: string) {
  const first = head(type);
  const middle = fragment(scope);
  const member = sharedFragment(`,"${key}":`);
  const close = sharedFragment('}');
  function bytes(eventId: string, value: T): Uint8Array {
    const frame = startFrame(first).string(eventId, 'eventId').fragment(middle);
    const resolved = toJsonValue(value, key);
    if (!isOmitted(resolved)) frame.fragment(member).value(resolved, key);
    return frame.fragment(close).end();
  }
  return {
    text: (eventId: string, value: T): string => {
      const json = valueJson(value, key);
      const rest = json === undefined ? '}' : `${member.text}${json}}`;
      return `${first.text}${quoteArgument(eventId, 'eventId')}${middle.text}${rest}`;
    },
    bytes,
    into: (eventId: string, value: T, target: Uint8Array, offset = 0): number =>
      copyFrameInto(bytes(eventId, value), target, offset),
  };
}

function valueJson(value: unknown, key: string): string | undefined {
  const resolved = toJsonValue(value, key);
  return isOmitted(resolved) ? undefined : JSON.stringify(resolved);
}

function responseEncoder(context: ResponseEncoderContext): ResponseEventEncoder {
  const scope = responseScope(context);
  const started = eventIdOnly('output_audio_buffer.started', scope);
  const stopped = eventIdOnly('output_audio_buffer.stopped', scope);
  const cleared = eventIdOnly('output_audio_buffer.cleared', scope);
  return {
    outputAudioBufferStarted: started.text,
    outputAudioBufferStartedBytes: started.bytes,
    outputAudioBufferStartedInto: started.into,
    outputAudioBufferStopped: stopped.text,
    outputAudioBufferStoppedBytes: stopped.bytes,
    outputAudioBufferStoppedInto: stopped.into,
    outputAudioBufferCleared: cleared.text,
    outputAudioBufferClearedBytes: cleared.bytes,
    outputAudioBufferClearedInto: cleared.into,
  };
}

function itemEncoder(context: ItemEncoderContext): ItemEventEncoder {
  const responseOnly = responseScope(context);
  const outputIndex = `,"output_index":${numberField(context.outputIndex, 'outputIndex')}`;
  const scope = itemScope(context);
  const added = withValue<unknown>(
    'response.output_item.added',
    responseOnly + outputIndex,
    'item',
  );
  const done = withValue<unknown>('response.output_item.done', responseOnly + outputIndex, 'item');
  const argumentsDelta = withCallId('response.function_call_arguments.delta', scope);
  const argumentsDone = functionCallArgumentsDone(scope);
  const mcpDelta = mcpCallArgumentsDelta(scope);
  const mcpDone = withString('response.mcp_call_arguments.done', scope, 'arguments');
  return {
    outputItemAdded: added.text,
    outputItemAddedBytes: added.bytes,
    outputItemAddedInto: added.into,
    outputItemDone: done.text,
    outputItemDoneBytes: done.bytes,
    outputItemDoneInto: done.into,
    functionCallArgumentsDelta: argumentsDelta.text,
    functionCallArgumentsDeltaBytes: argumentsDelta.bytes,
    functionCallArgumentsDeltaInto: argumentsDelta.into,
    functionCallArgumentsDone: argumentsDone.text,
    functionCallArgumentsDoneBytes: argumentsDone.bytes,
    functionCallArgumentsDoneInto: argumentsDone.into,
    mcpCallArgumentsDelta: mcpDelta.text,
    mcpCallArgumentsDeltaBytes: mcpDelta.bytes,
    mcpCallArgumentsDeltaInto: mcpDelta.into,
    mcpCallArgumentsDone: mcpDone.text,
    mcpCallArgumentsDoneBytes: mcpDone.bytes,
    mcpCallArgumentsDoneInto: mcpDone.into,
  };
}

function withCallId(type: string, scope: string) {
  const first = head(type);
  const callIdKey = fragment(`${scope},"call_id":`);
  const deltaKey = sharedFragment(',"delta":');
  const close = sharedFragment('}');
  const bytes = (eventId: string, callId: string, delta: string): Uint8Array =>
    startFrame(first)
      .string(eventId, 'eventId')
      .fragment(callIdKey)
      .string(callId, 'callId')
      .fragment(deltaKey)
      .string(delta, 'delta')
      .fragment(close)
      .end();
  return {
    text: (eventId: string, callId: string, delta: string): string =>
      `${first.text}${quoteArgument(eventId, 'eventId')}${callIdKey.text}${quoteArgument(
        callId,
        'callId',
      )}${deltaKey.text}${quoteArgument(delta, 'delta')}}`,
    bytes,
    into: (eventId: string, callId: string, delta: string, target: Uint8Array, offset = 0) =>
      copyFrameInto(bytes(eventId, callId, delta), target, offset),
  };
}

function functionCallArgumentsDone(scope: string) {
  const first = head('response.function_call_arguments.done');
  const callIdKey = fragment(`${scope},"call_id":`);
  const nameKey = sharedFragment(',"name":');
  const argumentsKey = sharedFragment(',"arguments":');
  const close = sharedFragment('}');
  const bytes = (eventId: string, callId: string, name: string, args: string): Uint8Array =>
    startFrame(first)
      .string(eventId, 'eventId')
      .fragment(callIdKey)
      .string(callId, 'callId')
      .fragment(nameKey)
      .string(name, 'name')
      .fragment(argumentsKey)
      .string(args, 'arguments')
      .fragment(close)
      .end();
  return {
    text: (eventId: string, callId: string, name: string, args: string): string =>
      `${first.text}${quoteArgument(eventId, 'eventId')}${callIdKey.text}${quoteArgument(
        callId,
        'callId',
      )}${nameKey.text}${quoteArgument(name, 'name')}${argumentsKey.text}${quoteArgument(
        args,
        'arguments',
      )}}`,
    bytes,
    into: (
      eventId: string,
      callId: string,
      name: string,
      args: string,
      target: Uint8Array,
      offset = 0,
    ): number => copyFrameInto(bytes(eventId, callId, name, args), target, offset),
  };
}

function mcpCallArgumentsDelta(scope: string) {
  const plain = withString('response.mcp_call_arguments.delta', scope, 'delta');
  const first = head('response.mcp_call_arguments.delta');
  const deltaKey = fragment(`${scope},"delta":`);
  const obfuscationKey = sharedFragment(',"obfuscation":');
  const nullClose = sharedFragment(',"obfuscation":null}');
  const close = sharedFragment('}');
  function bytes(eventId: string, delta: string, obfuscation?: string | null): Uint8Array {
    if (obfuscation === undefined) return plain.bytes(eventId, delta);
    const frame = startFrame(first)
      .string(eventId, 'eventId')
      .fragment(deltaKey)
      .string(delta, 'delta');
    if (obfuscation === null) return frame.fragment(nullClose).end();
    return frame.fragment(obfuscationKey).string(obfuscation, 'obfuscation').fragment(close).end();
  }
  return {
    text: (eventId: string, delta: string, obfuscation?: string | null): string => {
      if (obfuscation === undefined) return plain.text(eventId, delta);
      const tail =
        obfuscation === null
          ? nullClose.text
          : `${obfuscationKey.text}${quoteArgument(obfuscation, 'obfuscation')}}`;
      return `${first.text}${quoteArgument(eventId, 'eventId')}${deltaKey.text}${quoteArgument(
        delta,
        'delta',
      )}${tail}`;
    },
    bytes,
    into: (
      eventId: string,
      delta: string,
      obfuscation: string | null | undefined,
      target: Uint8Array,
      offset = 0,
    ): number => copyFrameInto(bytes(eventId, delta, obfuscation), target, offset),
  };
}

function contentEncoder(context: ContentEncoderContext): ContentEventEncoder {
  const scope = contentScope(context);
  const partAdded = withValue<unknown>('response.content_part.added', scope, 'part');
  const partDone = withValue<unknown>('response.content_part.done', scope, 'part');
  const textDelta = withString('response.output_text.delta', scope, 'delta');
  const textDone = withString('response.output_text.done', scope, 'text');
  const audioDelta = withString('response.output_audio.delta', scope, 'delta');
  const audioDone = eventIdOnly('response.output_audio.done', scope);
  const transcriptDelta = withString('response.output_audio_transcript.delta', scope, 'delta');
  const transcriptDone = withString('response.output_audio_transcript.done', scope, 'transcript');
  const pcmHead = head('response.output_audio.delta');
  const pcmMiddle = fragment(`${scope},"delta":"`);
  return {
    contentPartAdded: partAdded.text,
    contentPartAddedBytes: partAdded.bytes,
    contentPartAddedInto: partAdded.into,
    contentPartDone: partDone.text,
    contentPartDoneBytes: partDone.bytes,
    contentPartDoneInto: partDone.into,
    outputTextDelta: textDelta.text,
    outputTextDeltaBytes: textDelta.bytes,
    outputTextDeltaInto: textDelta.into,
    outputTextDone: textDone.text,
    outputTextDoneBytes: textDone.bytes,
    outputTextDoneInto: textDone.into,
    outputAudioDelta: audioDelta.text,
    outputAudioDeltaBytes: audioDelta.bytes,
    outputAudioDeltaInto: audioDelta.into,
    outputAudioDeltaFromPcm: (eventId, pcm) => pcmFrameBytes(pcmHead, eventId, pcmMiddle, pcm),
    outputAudioDeltaFromPcmInto: (eventId, pcm, target, offset = 0) =>
      copyFrameInto(pcmFrameBytes(pcmHead, eventId, pcmMiddle, pcm), target, offset),
    outputAudioDone: audioDone.text,
    outputAudioDoneBytes: audioDone.bytes,
    outputAudioDoneInto: audioDone.into,
    outputAudioTranscriptDelta: transcriptDelta.text,
    outputAudioTranscriptDeltaBytes: transcriptDelta.bytes,
    outputAudioTranscriptDeltaInto: transcriptDelta.into,
    outputAudioTranscriptDone: transcriptDone.text,
    outputAudioTranscriptDoneBytes: transcriptDone.bytes,
    outputAudioTranscriptDoneInto: transcriptDone.into,
  };
}
