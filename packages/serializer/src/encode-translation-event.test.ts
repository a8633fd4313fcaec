import {
  decodeTranslationClientEvent,
  decodeTranslationServerEvent,
  TRANSLATION_CLIENT_EVENT_TYPES,
  TRANSLATION_SERVER_EVENT_TYPES,
} from '@rtwire/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyString } from '../test/arbitraries.ts';
import { translationClientExamples, translationServerExamples } from '../test/spec-examples.ts';
import {
  encodeTranslationClientEvent,
  encodeTranslationClientEventBytes,
  encodeTranslationClientEventInto,
  encodeTranslationServerEvent,
  encodeTranslationServerEventBytes,
  encodeTranslationServerEventInto,
} from './encode-translation-event.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });

const sides = [
  [
    'server',
    translationServerExamples,
    TRANSLATION_SERVER_EVENT_TYPES,
    encodeTranslationServerEvent,
    encodeTranslationServerEventBytes,
    encodeTranslationServerEventInto,
    decodeTranslationServerEvent,
  ],
  [
    'client',
    translationClientExamples,
    TRANSLATION_CLIENT_EVENT_TYPES,
    encodeTranslationClientEvent,
    encodeTranslationClientEventBytes,
    encodeTranslationClientEventInto,
    decodeTranslationClientEvent,
  ],
] as const;

describe('encodeTranslation*Event', () => {
  for (const [side, examples, types, text, bytes, into, decode] of sides) {
    it(`${side}: every spec example, as text, bytes and into a buffer, decodes to itself`, () => {
      expect([...examples.keys()].sort()).toEqual([...types].sort());
      for (const [type, example] of examples) {
        const expected = { ok: true, known: true, event: example };
        expect(decode(text(example as never)), type).toEqual(expected);
        expect(decode(bytes(example as never)), type).toEqual(expected);
        const target = new Uint8Array(2_048);
        const length = into(example as never, target, 3);
        expect(decoder.decode(target.subarray(3, 3 + length)), type).toBe(text(example as never));
      }
    });
  }

  it('long base64 audio and transcripts round-trip (the string fast path), whatever the text', () => {
    fc.assert(
      fc.property(
        fc.base64String({ minLength: 200, maxLength: 20_000 }),
        anyString,
        (audio, delta) => {
          const append = { type: 'session.input_audio_buffer.append', audio } as const;
          expect(JSON.parse(encodeTranslationClientEvent(append))).toEqual(append);
          const transcript = {
            type: 'session.output_transcript.delta',
            event_id: 'e',
            delta,
          } as const;
          expect(
            decodeTranslationServerEvent(encodeTranslationServerEventBytes(transcript)),
          ).toEqual({
            ok: true,
            known: true,
            event: JSON.parse(JSON.stringify(transcript)),
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});
