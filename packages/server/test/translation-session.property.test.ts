import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { translationSpecErrors } from '../../../test-support/spec-validator.ts';
import { createSimulatorModel, type TranslationModel } from '../src/index.ts';
import { encodeBase64 } from './harness.ts';
import { openTranslation, setLanguage, until } from './translation-harness.ts';

const TYPES = [
  'session.update',
  'session.input_audio_buffer.append',
  'session.close',
  'input_audio_buffer.append',
  'response.create',
  'conversation.item.create',
  'session.created',
];

/** Audio as a client may send it: PCM of any length (odd ones too), loud or quiet. */
const audioArbitrary = fc.oneof(
  fc.uint8Array({ maxLength: 4801 }).map(encodeBase64),
  fc
    .integer({ min: 0, max: 9600 })
    .map((length) =>
      encodeBase64(new Uint8Array(length).map((_, index) => (index % 40 < 20 ? 0x2e : 0xd1))),
    ),
  fc.string({ maxLength: 12 }),
);

/** A session.update body: mostly the allowed fields, sometimes anything at all. */
const sessionArbitrary = fc.oneof(
  fc.record(
    {
      audio: fc.record(
        {
          output: fc.oneof(
            fc.record({
              language: fc.oneof(fc.constantFrom('es', 'fr', 'pt-BR', ''), fc.string()),
            }),
            fc.constant(null),
          ),
          input: fc.record(
            {
              transcription: fc.oneof(
                fc.constant(null),
                fc.record({ model: fc.string({ maxLength: 8 }) }),
                fc.jsonValue(),
              ),
              noise_reduction: fc.oneof(
                fc.constant(null),
                fc.record({ type: fc.constantFrom('near_field', 'far_field', 'loud') }),
              ),
            },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue(),
);

/** One client frame: a plausible event with arbitrary fields, or any text at all. */
const frameArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc
    .record(
      {
        type: fc.oneof(fc.constantFrom(...TYPES), fc.string({ maxLength: 10 })),
        event_id: fc.oneof(fc.string({ maxLength: 8 }), fc.jsonValue()),
        session: sessionArbitrary,
        audio: audioArbitrary,
        extra: fc.jsonValue(),
      },
      { requiredKeys: ['type'] },
    )
    .map((event) => JSON.stringify(event)),
  fc.json(),
  fc.string({ maxLength: 40 }),
);

describe('a translation session under arbitrary client frames', () => {
  it('never throws, answers each frame with one valid event or nothing, and still closes cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frameArbitrary, { maxLength: 25 }), async (frames) => {
        const harness = openTranslation(createSimulatorModel({ pace: 'fast' }));
        for (const frame of frames) {
          const before = harness.events.length;
          expect(() => harness.session.receive(frame)).not.toThrow();
          const reply = harness.events
            .slice(before)
            .filter((event) => event.type !== 'session.created');
          expect(reply.length).toBeLessThanOrEqual(1);
          for (const event of reply) expect(['error', 'session.updated']).toContain(event.type);
        }
        harness.session.receive('{"type":"session.close"}');
        await until(() => harness.closes.length > 0, 'the session to close');
        expect(harness.closes).toHaveLength(1);
        expect(harness.closes[0]?.code).toBe(1000);
        expect(harness.events.at(-1)?.type).toBe('session.closed');
        expect(harness.events.filter((event) => event.type === 'session.created')).toHaveLength(1);
        for (const event of harness.events) {
          expect(translationSpecErrors(event), event.type).toBeUndefined();
        }
        expect(harness.session.heldBytes).toBe(0);
      }),
      { numRuns: 200 },
    );
  }, 120_000);
});

/** What a model may stamp its output with: anything a number can be, sensible or not. */
const stampArbitrary = fc.oneof(
  fc.integer({ min: -1000, max: 20_000 }),
  fc.double({ min: -1000, max: 20_000 }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e12),
);

/** One append of 1 to 1,000 ms, and what the model writes once it has read it. */
const stepArbitrary = fc.record({
  ms: fc.integer({ min: 1, max: 1000 }),
  writes: fc.array(
    fc.record({ kind: fc.constantFrom('input', 'output', 'audio'), elapsedMs: stampArbitrary }),
    { maxLength: 6 },
  ),
});

const DELTAS: ReadonlySet<string> = new Set([
  'session.input_transcript.delta',
  'session.output_transcript.delta',
  'session.output_audio.delta',
]);

describe('elapsed_ms under a model that stamps anything', () => {
  it('never decreases across the three delta kinds, and never passes the input received', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArbitrary, { minLength: 1, maxLength: 12 }), async (steps) => {
        let read: () => void = () => {};
        const model: TranslationModel = {
          async translate(request, output) {
            let index = 0;
            for await (const _chunk of request.audio) {
              for (const write of steps[index]?.writes ?? []) {
                if (write.kind === 'input') output.inputTranscript('in', write.elapsedMs);
                else if (write.kind === 'output') output.outputTranscript('out', write.elapsedMs);
                else output.audio(new Int16Array(48), write.elapsedMs);
              }
              index++;
              read();
            }
          },
        };
        const harness = openTranslation(model);
        harness.send(setLanguage('es'));
        /** Each delta's `elapsed_ms` with the input received (ms) when it went out. */
        const seen: { elapsed: unknown; received: number }[] = [];
        let receivedMs = 0;
        for (const step of steps) {
          const before = harness.events.length;
          const wasRead = new Promise<void>((resolve) => {
            read = resolve;
          });
          harness.send({
            type: 'session.input_audio_buffer.append',
            audio: encodeBase64(new Uint8Array(step.ms * 48)),
          });
          receivedMs += step.ms;
          // The model writes only once it read this append, before the next one is sent.
          await wasRead;
          for (const event of harness.events.slice(before)) {
            if (DELTAS.has(event.type)) {
              seen.push({
                elapsed: (event as { elapsed_ms?: unknown }).elapsed_ms,
                received: receivedMs,
              });
            }
          }
        }
        let last = 0;
        for (const { elapsed, received } of seen) {
          expect(Number.isInteger(elapsed)).toBe(true);
          expect(elapsed as number).toBeGreaterThanOrEqual(last);
          expect(elapsed as number).toBeLessThanOrEqual(received);
          last = elapsed as number;
        }
        harness.session.close();
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
