import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { officialExamples } from '../test/spec.ts';
import { type DecodeResult, decodeClientEvent, decodeServerEvent } from './decode-event.ts';
import { SERVER_EVENT_CHECKS, SERVER_EVENT_SHAPES } from './generated/event-shapes.ts';
import { validateShape } from './validate-shape.ts';

// A marker no spec example contains: if it shows up in an error, the decoder echoed input.
const SECRET = 'sk-SECRETPAYLOAD';
const secretString = fc.string().map((text) => `${text}${SECRET}${text}`);

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    secretString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const examples = [
  ...officialExamples('RealtimeServerEvent'),
  ...officialExamples('RealtimeClientEvent'),
];

/** Mutates an example: one field (possibly nested) is replaced, removed or added. */
const mutatedFrame = fc
  .record({
    index: fc.nat(examples.length - 1),
    pathSeed: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
    action: fc.constantFrom('replace', 'delete', 'add'),
    value: jsonValue,
  })
  .map(({ index, pathSeed, action, value }) => {
    const frame = structuredClone(examples[index]!.example) as Record<string, unknown>;
    let target: Record<string, unknown> | unknown[] = frame;
    for (const seed of pathSeed.slice(0, -1)) {
      const keys = Object.keys(target);
      const next = keys.length
        ? (target as Record<string, unknown>)[keys[seed % keys.length]!]
        : undefined;
      if (typeof next !== 'object' || next === null) break;
      target = next as Record<string, unknown>;
    }
    const keys = Object.keys(target);
    const key = keys.length ? keys[pathSeed.at(-1)! % keys.length]! : 'extra';
    if (action === 'delete') delete (target as Record<string, unknown>)[key];
    else (target as Record<string, unknown>)[action === 'add' ? `x_${key}` : key] = value;
    return frame;
  });

function assertNoEcho(result: DecodeResult<unknown>) {
  if (!result.ok) {
    expect(result.error.message).not.toContain(SECRET);
    expect(result.error.path).not.toContain(SECRET);
    expect(JSON.stringify(result.error)).not.toContain(SECRET);
  }
}

describe('decoder robustness', () => {
  it('never throws on arbitrary values, strings or bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string(), fc.uint8Array()), (input) => {
        const server = decodeServerEvent(input);
        const client = decodeClientEvent(input);
        expect(typeof server.ok).toBe('boolean');
        expect(typeof client.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws or echoes payload on mutated official frames', () => {
    fc.assert(
      fc.property(mutatedFrame, fc.boolean(), (frame, asText) => {
        const input = asText ? JSON.stringify(frame) : frame;
        const server = decodeServerEvent(input);
        const client = decodeClientEvent(input);
        assertNoEcho(server);
        assertNoEcho(client);
        // Whatever is accepted is returned whole.
        if (server.ok)
          expect(server.event).toStrictEqual(asText ? JSON.parse(input as string) : frame);
      }),
      { numRuns: 3000 },
    );
  });

  it('never echoes an unknown-looking type string in errors', () => {
    fc.assert(
      fc.property(secretString, jsonValue, (type, field) => {
        assertNoEcho(decodeServerEvent({ type, event_id: field }));
      }),
    );
  });
});

describe('generated checks', () => {
  it('agree with the shape interpreter on every mutated frame', () => {
    fc.assert(
      fc.property(mutatedFrame, (frame) => {
        const type = frame.type as string;
        const check = SERVER_EVENT_CHECKS.get(type);
        if (check === undefined) return;
        expect(check(frame)).toBe(validateShape(frame, SERVER_EVENT_SHAPES[type]!) === undefined);
      }),
      { numRuns: 5000 },
    );
  });
});
