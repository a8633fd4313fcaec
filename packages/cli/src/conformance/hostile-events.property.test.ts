// The suite reads what any server sends: whatever comes, its readers report, never throw,
// and never put a payload in a report.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { excerptOf } from './excerpt.ts';
import { protocolOrderErrors } from './protocol-order.ts';
import { createSpecValidator } from './spec-validator.ts';

const validator = createSpecValidator();
const TYPES = [
  'response.created',
  'response.done',
  'response.output_item.added',
  'response.output_item.done',
  'response.content_part.added',
  'response.content_part.done',
  'response.output_text.delta',
  'response.output_text.done',
  'response.function_call_arguments.delta',
  'response.function_call_arguments.done',
  'conversation.item.added',
  'conversation.item.done',
  'error',
  'session.created',
];
const hostileValue = fc.oneof(
  fc.constant(null),
  fc.string(),
  fc.integer(),
  fc.constant({}),
  fc.constant([]),
  fc.dictionary(fc.constantFrom('id', 'output', 'type', 'item'), fc.jsonValue()),
);
const hostileEvent = fc.record({
  type: fc.constantFrom(...TYPES),
  response_id: fc.option(fc.constantFrom('resp_1', 'resp_2'), { nil: undefined }),
  response: hostileValue,
  item: hostileValue,
  delta: hostileValue,
  text: hostileValue,
  arguments: hostileValue,
});

describe('events from any server', () => {
  it('the order check reports and never throws', () => {
    fc.assert(
      fc.property(fc.array(hostileEvent, { maxLength: 40 }), (events) => {
        expect(Array.isArray(protocolOrderErrors(events))).toBe(true);
      }),
    );
  });

  it('the order check joins only string deltas (found by a CI run: one with no prototype threw)', () => {
    const events = [
      { type: 'response.created', response_id: 'resp_1', response: {} },
      { type: 'response.output_item.added', response_id: 'resp_1', item: [] },
      {
        type: 'response.function_call_arguments.delta',
        response_id: 'resp_1',
        delta: Object.create(null),
      },
    ];
    expect(() => protocolOrderErrors(events)).not.toThrow();
  });

  it('the spec validator names where and what, never the value', () => {
    fc.assert(
      fc.property(hostileEvent, fc.string({ minLength: 12 }), (event, secret) => {
        const planted = { ...event, delta: `${secret}`, text: `${secret}` };
        const problem = validator.errorsOf(planted);
        if (problem !== undefined) expect(problem).not.toContain(secret);
      }),
    );
  });

  it('an excerpt keeps text, transcripts and audio out and stays short', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ minLength: 16 }), (value, secret) => {
        const excerpt = excerptOf({
          type: 'response.output_audio_transcript.done',
          transcript: secret,
          item: { content: [{ type: 'input_text', text: secret }] },
          extra: value,
        });
        expect(excerpt.length).toBeLessThanOrEqual(401);
        expect(excerpt).not.toContain(secret);
      }),
    );
  });
});
