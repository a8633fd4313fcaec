import { describe, expectTypeOf, it } from 'vitest';
import type {
  ContentEventEncoder,
  EventId,
  ItemEventEncoder,
  ResponseEventEncoder,
} from './index.ts';

describe('Into twins', () => {
  it('take the Bytes arguments, then the target and an optional offset, and return a length', () => {
    expectTypeOf<ContentEventEncoder['outputAudioDeltaInto']>().toEqualTypeOf<
      (eventId: EventId, delta: string, target: Uint8Array, offset?: number) => number
    >();
    expectTypeOf<ContentEventEncoder['outputAudioDeltaFromPcmInto']>().toEqualTypeOf<
      (eventId: EventId, pcm: Uint8Array, target: Uint8Array, offset?: number) => number
    >();
    expectTypeOf<ResponseEventEncoder['outputAudioBufferClearedInto']>().parameters.toEqualTypeOf<
      [eventId: EventId, target: Uint8Array, offset?: number]
    >();
  });

  it('turn an optional argument into a positional one before the target', () => {
    expectTypeOf<ItemEventEncoder['mcpCallArgumentsDeltaInto']>().parameters.toEqualTypeOf<
      [
        eventId: EventId,
        delta: string,
        obfuscation: string | null | undefined,
        target: Uint8Array,
        offset?: number,
      ]
    >();
  });

  it('exist for every Bytes method and nothing else', () => {
    type IntoNames<E> = Extract<keyof E, `${string}Into`>;
    type BytesNames<E> = Extract<keyof E, `${string}Bytes`>;
    type Twin<N> = N extends `${infer M}Bytes` ? `${M}Into` : never;
    expectTypeOf<IntoNames<ContentEventEncoder>>().toEqualTypeOf<
      Twin<BytesNames<ContentEventEncoder>> | 'outputAudioDeltaFromPcmInto'
    >();
    expectTypeOf<IntoNames<ItemEventEncoder>>().toEqualTypeOf<Twin<BytesNames<ItemEventEncoder>>>();
  });
});
