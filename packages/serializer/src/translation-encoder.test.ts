import { TranslationServerEvents, translationSession } from '@rtwire/builders';
import {
  decodeTranslationServerEvent,
  TRANSLATION_SERVER_EVENT_TYPES,
  type TranslationServerEventType,
} from '@rtwire/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import spec from '../../../spec/realtime-schemas.json' with { type: 'json' };
import { anyString } from '../test/arbitraries.ts';
import { latin1, referenceBase64, referenceBytes } from '../test/node-buffer.ts';
import { EventIdSequence } from './event-id-sequence.ts';
import { translationEncoder } from './translation-encoder.ts';

// Every frame of translationEncoder against the real @rtwire/builders: the same text as
// JSON.stringify of the builder's event, and what decodeTranslationServerEvent reads back.
type AnyMethod = (...args: unknown[]) => unknown;
type Method = keyof typeof TranslationServerEvents;

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = translationEncoder as unknown as Record<string, AnyMethod>;
const builders = TranslationServerEvents as unknown as Record<Method, AnyMethod>;

const elapsedMs = fc.option(fc.nat({ max: 86_400_000 }), { nil: undefined, freq: 3 });
const nullableElapsedMs = fc.oneof(elapsedMs, fc.constant(null));
const session = fc
  .record({
    id: anyString,
    expiresAt: fc.nat(),
    outputLanguage: anyString,
    model: fc.option(anyString, { nil: undefined }),
    transcription: fc.option(fc.record({ model: anyString })),
    noiseReduction: fc.option(fc.record({ type: fc.constantFrom('near_field', 'far_field') })),
  })
  .map((options) => translationSession(options as Parameters<typeof translationSession>[0]));
const errorDetails = fc.record(
  {
    type: anyString,
    message: anyString,
    code: fc.option(anyString),
    param: fc.option(anyString),
    event_id: fc.option(anyString),
  },
  { requiredKeys: ['type', 'message'] },
);

/** The arguments after the event id of each builder (and encoder method). */
const argumentsOf: Record<Method, fc.Arbitrary<unknown[]>> = {
  sessionCreated: fc.tuple(session),
  sessionUpdated: fc.tuple(session),
  sessionClosed: fc.constant([]),
  inputTranscriptDelta: fc.tuple(anyString, nullableElapsedMs),
  outputTranscriptDelta: fc.tuple(anyString, nullableElapsedMs),
  outputAudioDelta: fc.tuple(fc.base64String({ maxLength: 4000 }), nullableElapsedMs),
  errorEvent: fc.tuple(errorDetails),
};

/** The decoded event, as JSON.parse gives it (no `undefined` fields). */
const asJson = (event: unknown) => JSON.parse(JSON.stringify(event));

describe('translationEncoder', () => {
  it('has a method for every builder of TranslationServerEvents, the 7 translation events', () => {
    expect(Object.keys(argumentsOf).sort()).toEqual(Object.keys(TranslationServerEvents).sort());
    const built = new Set(Object.keys(argumentsOf).map((method) => method));
    for (const method of built) {
      expect(typeof encoder[method], method).toBe('function');
      expect(typeof encoder[`${method}Bytes`], method).toBe('function');
      expect(typeof encoder[`${method}Into`], method).toBe('function');
    }
    expect(TRANSLATION_SERVER_EVENT_TYPES).toHaveLength(built.size);
  });

  for (const method of Object.keys(argumentsOf) as Method[]) {
    it(`${method}: text and bytes are JSON.stringify of the builder's event, and decode to it`, () => {
      fc.assert(
        fc.property(anyString, argumentsOf[method], (eventId, args) => {
          const event = builders[method](eventId, ...args) as { type: TranslationServerEventType };
          const expected = JSON.stringify(event);
          expect(encoder[method]!(eventId, ...args)).toBe(expected);
          const bytes = encoder[`${method}Bytes`]!(eventId, ...args) as Uint8Array;
          expect(decoder.decode(bytes)).toBe(expected);
          expect(decodeTranslationServerEvent(bytes)).toEqual({
            ok: true,
            known: true,
            event: asJson(event),
          });
        }),
        { numRuns: 80 },
      );
    });
  }

  it('writes every field the spec gives each event, when every optional one is given', () => {
    const schemas = (spec as unknown as { schemas: Record<string, { properties: object }> })
      .schemas;
    const fieldsOf = (name: string) => Object.keys(schemas[name]!.properties).sort();
    const frames: Record<string, string> = {
      RealtimeTranslationServerEventSessionOutputAudioDelta: translationEncoder.outputAudioDelta(
        'e',
        'AAAA',
        1,
      ),
      RealtimeTranslationServerEventSessionInputTranscriptDelta:
        translationEncoder.inputTranscriptDelta('e', 'x', 1),
      RealtimeTranslationServerEventSessionOutputTranscriptDelta:
        translationEncoder.outputTranscriptDelta('e', 'x', 1),
      RealtimeTranslationServerEventSessionClosed: translationEncoder.sessionClosed('e'),
    };
    for (const [name, frame] of Object.entries(frames)) {
      expect(Object.keys(JSON.parse(frame)).sort(), name).toEqual(fieldsOf(name));
    }
  });

  it('takes an EventIdSequence as any encoder does', () => {
    const ids = new EventIdSequence('event_');
    const first = JSON.parse(translationEncoder.sessionClosed(ids));
    const second = JSON.parse(
      decoder.decode(translationEncoder.outputAudioDeltaFromPcm(ids, new Uint8Array(2))),
    );
    expect(first.event_id).not.toBe(second.event_id);
  });
});

describe('translationEncoder.outputAudioDeltaFromPcm', () => {
  // Up to past the SIMD staging area (48,960 bytes); 200 ms of 24 kHz PCM16 is 9,600 bytes.
  const sampleCounts = fc.oneof(
    fc.nat(32),
    fc.constant(4_800),
    fc.integer({ min: 0, max: 30_000 }),
  );

  it('decodes to the builder event of the PCM base64, and the base64 to the PCM given (Uint8Array)', () => {
    fc.assert(
      fc.property(
        anyString,
        sampleCounts,
        fc.nat(),
        nullableElapsedMs,
        (eventId, samples, seed, ms) => {
          const pcm = new Uint8Array(samples * 2);
          for (let index = 0; index < pcm.length; index++) pcm[index] = (index * 7919 + seed) & 255;
          const frame = translationEncoder.outputAudioDeltaFromPcm(eventId, pcm, ms);
          const expected = TranslationServerEvents.outputAudioDelta(
            eventId,
            referenceBase64(pcm),
            ms,
          );
          expect(decoder.decode(frame)).toBe(JSON.stringify(expected));
          const decoded = decodeTranslationServerEvent(frame);
          expect(decoded).toEqual({ ok: true, known: true, event: asJson(expected) });
          if (decoded.ok && decoded.known && decoded.event.type === 'session.output_audio.delta') {
            // As latin1 text: one string compare, where a byte-wise deep equal takes seconds.
            expect(latin1(referenceBytes(decoded.event.delta))).toBe(latin1(pcm));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads an Int16Array in place, as little-endian PCM16, a view of a larger buffer only in part', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -32_768, max: 32_767 }), { maxLength: 6_000 }),
        elapsedMs,
        (values, ms) => {
          const backing = new Int16Array(values.length + 6);
          const samples = backing.subarray(3, 3 + values.length);
          samples.set(values);
          const frame = translationEncoder.outputAudioDeltaFromPcm('event_1', samples, ms);
          const decoded = decodeTranslationServerEvent(frame);
          expect(decoded).toMatchObject({ ok: true, known: true });
          if (!decoded.ok || !decoded.known || decoded.event.type !== 'session.output_audio.delta')
            return;
          expect(decoded.event.elapsed_ms).toBe(ms);
          const bytes = referenceBytes(decoded.event.delta);
          const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          const read = Array.from({ length: bytes.length / 2 }, (_, index) =>
            view.getInt16(index * 2, true),
          );
          expect(read).toEqual(values);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('has an Into twin that writes the same bytes at an offset, and refuses a short target', () => {
    const pcm = new Int16Array(4_800).map((_, index) => index * 13);
    const expected = translationEncoder.outputAudioDeltaFromPcm('event_1', pcm, 200).slice();
    const target = new Uint8Array(expected.length + 7);
    expect(translationEncoder.outputAudioDeltaFromPcmInto('event_1', pcm, 200, target, 7)).toBe(
      expected.length,
    );
    expect(target.subarray(7)).toEqual(expected);
    expect(() =>
      translationEncoder.outputAudioDeltaFromPcmInto('event_1', pcm, 200, target, 8),
    ).toThrow(RangeError);
    const text = new Uint8Array(200);
    const length = translationEncoder.sessionClosedInto('event_2', text, 0);
    expect(decoder.decode(text.subarray(0, length))).toBe(
      translationEncoder.sessionClosed('event_2'),
    );
  });

  it('names a wrong argument, never its value', () => {
    const untyped = translationEncoder.outputAudioDeltaFromPcm as (...args: unknown[]) => unknown;
    expect(() => untyped('e', 'AAAA')).toThrow(
      new TypeError(
        'translationEncoder.outputAudioDeltaFromPcm: pcm must be a Uint8Array or an Int16Array',
      ),
    );
    expect(() => untyped('e', new Float32Array(2))).toThrow(TypeError);
    expect(() => untyped('e', new Uint8Array(2), 'sk-secret')).toThrow(
      new TypeError(
        'translationEncoder.outputAudioDeltaFromPcm: elapsedMs must be a number when given',
      ),
    );
    expect(() => untyped(5, new Uint8Array(2))).toThrow(/eventId must be a string/);
  });
});
