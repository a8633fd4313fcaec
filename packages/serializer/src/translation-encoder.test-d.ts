import type {
  RealtimeTranslationServerEvent,
  RealtimeTranslationSession,
  UnknownEvent,
} from '@rtwire/types';
import { describe, expectTypeOf, it } from 'vitest';
import type { EventId, TranslationEventEncoder } from './index.ts';
import { encodeTranslationServerEvent, translationEncoder } from './index.ts';

describe('translationEncoder', () => {
  it('has Into twins that take the Bytes arguments, an optional one made positional', () => {
    expectTypeOf<TranslationEventEncoder['outputAudioDeltaFromPcmInto']>().parameters.toEqualTypeOf<
      [
        eventId: EventId,
        pcm: Uint8Array | Int16Array,
        elapsedMs: number | null | undefined,
        target: Uint8Array,
        offset?: number,
      ]
    >();
    expectTypeOf<TranslationEventEncoder['sessionClosedInto']>().parameters.toEqualTypeOf<
      [eventId: EventId, target: Uint8Array, offset?: number]
    >();
    expectTypeOf(translationEncoder.sessionCreated)
      .parameter(1)
      .toEqualTypeOf<RealtimeTranslationSession>();
  });

  it('encodeTranslationServerEvent takes the translation union (or an unknown event)', () => {
    expectTypeOf(encodeTranslationServerEvent)
      .parameter(0)
      .toEqualTypeOf<RealtimeTranslationServerEvent | UnknownEvent>();
  });
});
