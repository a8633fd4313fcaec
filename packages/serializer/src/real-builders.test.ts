import {
  type ContentEventBuilder,
  type ItemEventBuilder,
  ResponseEventBuilder,
} from '@rtwire/builders';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyNumber, anyString } from '../test/arbitraries.ts';
import { argumentsOf, twins } from '../test/builder-twins.ts';
import { encoderFor } from './encoder-for.ts';

// The other encoder tests compare frames with hand-written twins of the builders' events; this
// one holds those twins, and the encoder, to the real `@rtwire/builders`.
type Method = keyof typeof twins;
type AnyMethod = (...args: unknown[]) => unknown;

const decoder = new TextDecoder('utf-8', { fatal: true });

const anyContent = fc
  .tuple(anyString, anyString, anyNumber, anyNumber)
  .map(([responseId, itemId, outputIndex, contentIndex]) =>
    new ResponseEventBuilder(responseId).forItem(itemId, outputIndex).forContent(contentIndex),
  );

/** The builder at the level that has `method`. */
function builderWith(
  content: ContentEventBuilder,
  method: Method,
): ResponseEventBuilder | ItemEventBuilder | ContentEventBuilder {
  if (method in content) return content;
  const item = new ResponseEventBuilder(content.responseId).forItem(
    content.itemId,
    content.outputIndex,
  );
  return method in item ? item : new ResponseEventBuilder(content.responseId);
}

describe('encoderFor(a real @rtwire/builders context)', () => {
  for (const method of Object.keys(twins) as Method[]) {
    it(`${method}: frame === JSON.stringify(builder.${method}(...)), and the twin is exact`, () => {
      fc.assert(
        fc.property(anyContent, argumentsOf[method], (content, args) => {
          const builder = builderWith(content, method);
          const event = (builder[method as keyof typeof builder] as unknown as AnyMethod).apply(
            builder,
            args,
          );
          const expected = JSON.stringify(event);
          const encoder = encoderFor(builder) as unknown as Record<string, AnyMethod>;
          expect(encoder[method]?.(...args)).toBe(expected);
          expect(decoder.decode(encoder[`${method}Bytes`]?.(...args) as Uint8Array)).toBe(expected);
          const twin = (twins[method] as AnyMethod)(content, ...args);
          expect(JSON.stringify(twin)).toBe(expected);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('covers every terminal method the builders have', () => {
    const content = new ResponseEventBuilder('r').forItem('i', 0).forContent(0);
    const methodsOf = (value: object) =>
      Object.getOwnPropertyNames(Object.getPrototypeOf(value)).filter(
        (name) => name !== 'constructor' && !name.startsWith('for'),
      );
    const all = [
      ...methodsOf(content),
      ...methodsOf(new ResponseEventBuilder('r').forItem('i', 0)),
      ...methodsOf(new ResponseEventBuilder('r')),
    ];
    expect(all.sort()).toEqual(Object.keys(twins).sort());
  });
});
