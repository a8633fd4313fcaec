import { ClientEvents } from '@rtwire/builders';
import type { RealtimeServerEvent } from '@rtwire/types';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { protocolOrderErrors } from '../../../test-support/protocol-order.ts';
import { specErrors } from '../../../test-support/spec-validator.ts';
import {
  createRealtimeSession,
  createSimulatorRateLimits,
  type RealtimeModel,
  RealtimeModelError,
} from '../src/index.ts';
import { appendAudio } from './harness.ts';

/** One thing a random model does. */
type Op =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'audio'; readonly samples: number }
  | {
      readonly kind: 'call';
      readonly name: string;
      readonly args: readonly string[];
      readonly finish: boolean;
    }
  | { readonly kind: 'wait'; readonly ms: number }
  | { readonly kind: 'usage'; readonly input: number }
  | { readonly kind: 'throw'; readonly exposed: boolean }
  | { readonly kind: 'misuse' };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('text' as const), text: fc.string({ maxLength: 12 }) }),
  fc.record({ kind: fc.constant('audio' as const), samples: fc.integer({ min: 0, max: 2400 }) }),
  fc.record({
    kind: fc.constant('call' as const),
    name: fc.constantFrom('get_weather', 'lookup', 'x'),
    args: fc.array(fc.string({ maxLength: 6 }), { maxLength: 4 }),
    finish: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ kind: fc.constant('usage' as const), input: fc.integer({ min: -5, max: 500 }) }),
  fc.record({ kind: fc.constant('throw' as const), exposed: fc.boolean() }),
  fc.constant({ kind: 'misuse' as const }),
);

/** A model that plays `script`, one response after the other. */
function scriptedModel(scripts: readonly (readonly Op[])[]): RealtimeModel {
  let next = 0;
  return {
    async respond(_request, output) {
      const script = scripts[next++ % scripts.length] ?? [];
      for (const op of script) {
        switch (op.kind) {
          case 'text':
            output.text(op.text);
            break;
          case 'audio':
            output.audio(new Uint8Array(op.samples * 2).fill(7));
            break;
          case 'call': {
            const call = output.functionCall({ name: op.name });
            for (const piece of op.args) call.arguments(piece);
            if (op.finish) call.done();
            break;
          }
          case 'wait':
            await new Promise((resolve) => setTimeout(resolve, op.ms));
            break;
          case 'usage':
            output.usage({ input_tokens: op.input });
            break;
          case 'throw':
            throw op.exposed
              ? new RealtimeModelError('shown', { expose: true })
              : new Error('hidden');
          case 'misuse':
            // What a careless model may pass; the engine must shrug it off.
            (output.text as (value: unknown) => void)(42);
            (output.audio as (value: unknown) => void)('not bytes');
            break;
        }
      }
    },
  };
}

/** What the client does around the responses: a plan of events at fake-clock times. */
const clientArbitrary = fc.array(
  fc.record({
    at: fc.integer({ min: 0, max: 200 }),
    event: fc.constantFrom(
      'response.create',
      'response.cancel',
      'output_audio_buffer.clear',
      'text',
      'speech',
      'silence',
      'input_audio_buffer.commit',
      'input_audio_buffer.clear',
      'close',
    ),
  }),
  { minLength: 1, maxLength: 8 },
);

describe('the engine under random models', () => {
  it('never throws, never sends an invalid or out-of-order event, and leaves no timer after close', async () => {
    vi.useFakeTimers();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(opArbitrary, { maxLength: 10 }), { minLength: 1, maxLength: 3 }),
          clientArbitrary,
          fc.constantFrom<('text' | 'audio')[]>(['text'], ['audio']),
          fc.boolean(),
          async (scripts, plan, modalities, idle) => {
            const events: RealtimeServerEvent[] = [];
            const session = createRealtimeSession({
              model: scriptedModel(scripts),
              send: (frame) => events.push(JSON.parse(frame)),
              frames: 'string',
              rateLimits: createSimulatorRateLimits(),
            });
            await vi.advanceTimersByTimeAsync(0);
            session.receive(
              JSON.stringify(
                ClientEvents.sessionUpdate(undefined, {
                  type: 'realtime',
                  output_modalities: modalities,
                  audio: {
                    input: {
                      turn_detection: {
                        type: 'server_vad',
                        silence_duration_ms: 200,
                        idle_timeout_ms: idle ? 5000 : null,
                      },
                    },
                  },
                  tools: [
                    { type: 'function', name: 'get_weather', parameters: { type: 'object' } },
                  ],
                }),
              ),
            );
            let now = 0;
            for (const step of [...plan].sort((a, b) => a.at - b.at)) {
              await vi.advanceTimersByTimeAsync(step.at - now);
              now = step.at;
              if (step.event === 'close') {
                session.close();
                continue;
              }
              const event =
                step.event === 'text'
                  ? ClientEvents.conversationItemCreate(undefined, undefined, {
                      type: 'message',
                      role: 'user',
                      content: [{ type: 'input_text', text: 'hello' }],
                    })
                  : step.event === 'speech' || step.event === 'silence'
                    ? appendAudio(300, step.event === 'speech')
                    : { type: step.event };
              expect(() => session.receive(JSON.stringify(event))).not.toThrow();
            }
            // Long enough for an idle timeout to fire and its response to run.
            await vi.advanceTimersByTimeAsync(idle ? 7000 : 1000);
            session.close();
            await vi.advanceTimersByTimeAsync(1000);
            expect(vi.getTimerCount()).toBe(0);
            for (const event of events) expect(specErrors(event), event.type).toBeUndefined();
            expect(protocolOrderErrors(events)).toEqual([]);
            // Every response that started ended, unless the session was closed under it.
            const created = events.filter((event) => event.type === 'response.created').length;
            const done = events.filter((event) => event.type === 'response.done').length;
            if (!plan.some((step) => step.event === 'close')) expect(done).toBe(created);
            expect(JSON.stringify(events)).not.toContain('hidden');
          },
        ),
        { numRuns: 150 },
      );
    } finally {
      vi.useRealTimers();
    }
  }, 120_000);

  it('the order check itself catches a misordered stream', () => {
    const events = [
      {
        type: 'response.created',
        event_id: 'e1',
        response: { id: 'r', object: 'realtime.response', output: [] },
      },
      {
        type: 'response.output_text.delta',
        event_id: 'e2',
        response_id: 'r',
        item_id: 'i',
        output_index: 0,
        content_index: 0,
        delta: 'x',
      },
    ] as unknown as RealtimeServerEvent[];
    expect(protocolOrderErrors(events).length).toBeGreaterThan(0);
  });
});
