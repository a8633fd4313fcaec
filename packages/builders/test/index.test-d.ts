import type {
  ClientEventOf,
  RealtimeServerEvent,
  RealtimeTranslationSession,
  ServerEventOf,
  TranslationClientEventOf,
  TranslationServerEventOf,
} from '@rtwire/types';
import { describe, expectTypeOf, it } from 'vitest';
import {
  ClientEvents,
  type ContentEventBuilder,
  type ItemEventBuilder,
  RealtimeResponseBuilder,
  ResponseEventBuilder,
  ServerEvents,
  TranslationClientEvents,
  TranslationServerEvents,
  translationSession,
} from '../src/index.ts';

declare const session: ServerEventOf<'session.created'>['session'];
declare const item: ServerEventOf<'conversation.item.added'>['item'];
const response = new RealtimeResponseBuilder('r').build();

describe('constructors return their exact union member', () => {
  it('ServerEvents', () => {
    expectTypeOf(ServerEvents.sessionCreated('e', session)).toEqualTypeOf<
      ServerEventOf<'session.created'>
    >();
    expectTypeOf(ServerEvents.conversationItemAdded('e', null, item)).toEqualTypeOf<
      ServerEventOf<'conversation.item.added'>
    >();
    expectTypeOf(ServerEvents.conversationItemTruncated('e', 'i', 0, 10)).toEqualTypeOf<
      ServerEventOf<'conversation.item.truncated'>
    >();
    expectTypeOf(ServerEvents.dtmfEventReceived('1', 0)).toEqualTypeOf<
      ServerEventOf<'input_audio_buffer.dtmf_event_received'>
    >();
    expectTypeOf(ServerEvents.mcpCallFailed('e', 'i', 0)).toEqualTypeOf<
      ServerEventOf<'response.mcp_call.failed'>
    >();
    expectTypeOf(ServerEvents.responseDone('e', response)).toEqualTypeOf<
      ServerEventOf<'response.done'>
    >();
    expectTypeOf(ServerEvents.errorEvent('e', { type: 'x', message: 'm' })).toEqualTypeOf<
      ServerEventOf<'error'>
    >();
    // Not the whole union.
    expectTypeOf(
      ServerEvents.inputAudioBufferCleared('e'),
    ).not.toEqualTypeOf<RealtimeServerEvent>();
  });

  it('context builders', () => {
    const r = new ResponseEventBuilder('r');
    const i = r.forItem('i', 0);
    const c = i.forContent(0);
    expectTypeOf(i).toEqualTypeOf<ItemEventBuilder>();
    expectTypeOf(c).toEqualTypeOf<ContentEventBuilder>();
    expectTypeOf(r.outputAudioBufferCleared('e')).toEqualTypeOf<
      ServerEventOf<'output_audio_buffer.cleared'>
    >();
    expectTypeOf(i.outputItemAdded('e', item)).toEqualTypeOf<
      ServerEventOf<'response.output_item.added'>
    >();
    expectTypeOf(i.functionCallArgumentsDone('e', 'c', 'n', '{}')).toEqualTypeOf<
      ServerEventOf<'response.function_call_arguments.done'>
    >();
    expectTypeOf(c.outputTextDelta('e', 'd')).toEqualTypeOf<
      ServerEventOf<'response.output_text.delta'>
    >();
    expectTypeOf(c.outputAudioDone('e')).toEqualTypeOf<
      ServerEventOf<'response.output_audio.done'>
    >();
    expectTypeOf(c.contentPartAdded('e', { type: 'text', text: '' })).toEqualTypeOf<
      ServerEventOf<'response.content_part.added'>
    >();
    expectTypeOf(c.level).toEqualTypeOf<'content'>();
  });

  it('ClientEvents', () => {
    expectTypeOf(ClientEvents.responseCreate()).toEqualTypeOf<ClientEventOf<'response.create'>>();
    expectTypeOf(ClientEvents.inputAudioBufferAppend('e', 'AA==')).toEqualTypeOf<
      ClientEventOf<'input_audio_buffer.append'>
    >();
  });

  it('rejects wrong payloads at compile time', () => {
    // @ts-expect-error content parts of response events are typed text / audio, not output_text
    new ContentEventBuilderProbe().contentPartAdded('e', { type: 'output_text', text: '' });
    // @ts-expect-error output_index is a number
    new ResponseEventBuilder('r').forItem('i', '0');
  });
});

declare class ContentEventBuilderProbe {
  contentPartAdded: ContentEventBuilder['contentPartAdded'];
}

describe('translation constructors return their exact translation union member', () => {
  const translation = translationSession({ id: 's', expiresAt: 1, outputLanguage: 'es' });

  it('TranslationServerEvents and TranslationClientEvents', () => {
    expectTypeOf(TranslationServerEvents.sessionCreated('e', translation)).toEqualTypeOf<
      TranslationServerEventOf<'session.created'>
    >();
    expectTypeOf(TranslationServerEvents.outputAudioDelta('e', 'AAAA', 200)).toEqualTypeOf<
      TranslationServerEventOf<'session.output_audio.delta'>
    >();
    expectTypeOf(TranslationClientEvents.sessionUpdate(undefined, {})).toEqualTypeOf<
      TranslationClientEventOf<'session.update'>
    >();
    expectTypeOf(translation).toEqualTypeOf<RealtimeTranslationSession>();
  });

  it('a realtime session is no translation session, nor the other way round', () => {
    // @ts-expect-error: a realtime session lacks the translation session's shape
    TranslationServerEvents.sessionCreated('e', session);
    // @ts-expect-error: a translation session is not a realtime one
    ServerEvents.sessionCreated('e', translation);
    // @ts-expect-error: a translation session.update takes no voice
    TranslationClientEvents.sessionUpdate(undefined, { audio: { output: { voice: 'alloy' } } });
  });
});
