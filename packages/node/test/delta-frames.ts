import { Buffer } from 'node:buffer';
import { encoderFor, translationEncoder } from '@rtwire/serializer';
import fc from 'fast-check';

// Audio delta frames as an upstream may write them, for the tests of reading one without a
// parse: the serializer's own frames, and hand-written ones in any member order, with extra
// members before and after the payload, optional space, and escapes where JSON allows them.

/** Which session writes the frame. */
export type DeltaKind = 'realtime' | 'translation';

/** A member of a hand-written frame: its key and its value's JSON text. */
type Member = readonly [key: string, json: string];

/** A string's JSON with the code units at chosen positions written as `\uXXXX`. */
const escapedAt = (value: string, positions: readonly number[]) =>
  `"${Array.from({ length: value.length }, (_, index) => value.charAt(index))
    .map((unit, index) =>
      positions.includes(index)
        ? `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`
        : JSON.stringify(unit).slice(1, -1),
    )
    .join('')}"`;

/** A string member's JSON: as `JSON.stringify` writes it, or with some characters escaped. */
const stringJson = (value: string) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(JSON.stringify(value)) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.nat({ max: Math.max(0, value.length - 1) }), { maxLength: 2 })
        .map((positions) => escapedAt(value, positions)),
    },
    // `\/` is the escape an encoder may write into base64 on its own.
    { weight: 1, arbitrary: fc.constant(JSON.stringify(value).replaceAll('/', '\\/')) },
  );

/** Ids as the API writes them, and now and then any string (quotes, non-ASCII, controls). */
const id = fc.oneof(
  { weight: 5, arbitrary: fc.stringMatching(/^[a-z]{2,5}_[A-Za-z0-9]{1,20}$/) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8, unit: 'binary' }) },
);

/** An id member's JSON: mostly a string; sometimes a value that is not one. */
const idJson = fc.oneof(
  { weight: 8, arbitrary: id.chain(stringJson) },
  { weight: 1, arbitrary: fc.constantFrom('null', '7', 'true') },
);

/** A content index's JSON: mostly a small integer; sometimes another number or no number. */
const indexJson = fc.oneof(
  { weight: 8, arbitrary: fc.nat({ max: 3 }).map(String) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('-1', '1.5', '1e0', '10E-1', '"2"', 'null', '123456789012'),
  },
);

/** Extra members the protocol may add, under keys that are not the delta's own. */
const extras = fc
  .dictionary(
    fc.string({ maxLength: 10 }),
    fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
    { maxKeys: 3 },
  )
  .map((members) =>
    Object.entries(members).filter(
      ([key]) => !['type', 'delta', 'response_id', 'item_id', 'content_index'].includes(key),
    ),
  );

/** Whether the envelope's members are written compact, as encoders do, or with space. */
const spacing = fc.constantFrom(
  { colon: ':', comma: ',', around: '' },
  { colon: ':', comma: ',', around: '' },
  { colon: ': ', comma: ', ', around: ' ' },
  { colon: ' :\n', comma: '\t,', around: '\r\n' },
);

/** The audio of a delta, and its payload's JSON (base64, escaped now and then). */
const audio = fc
  .uint8Array({ maxLength: 3_000 })
  .chain((pcm) => stringJson(Buffer.from(pcm).toString('base64')).map((json) => ({ pcm, json })));

/**
 * A frame written by hand: `members` (the payload's among them) in any order, each optional
 * one present or not, with the spacing chosen.
 */
const handWritten = (type: string, members: fc.Arbitrary<Member[]>) =>
  fc.tuple(members, extras, audio, spacing).chain(([own, extra, payload, space]) =>
    fc
      .shuffledSubarray([...own, ...extra, ['delta', payload.json] as const], {
        minLength: own.length + extra.length + 1,
      })
      .map((shuffled) => {
        const typed: Member[] = [['type', JSON.stringify(type)], ...shuffled];
        const body = typed.map(([key, json]) => `${JSON.stringify(key)}${space.colon}${json}`);
        return `${space.around}{${body.join(space.comma)}}${space.around}`;
      }),
  );

/** An optional member: present (its JSON from `json`) or not. */
const optional = (key: string, json: fc.Arbitrary<string>) =>
  fc.option(
    json.map((value): Member => [key, value]),
    { nil: undefined },
  );

const present = (members: (Member | undefined)[]) =>
  members.filter((member): member is Member => member !== undefined);

/** A `response.output_audio.delta`, hand-written or from the serializer's encoder. */
export const realtimeDeltaText: fc.Arbitrary<string> = fc.oneof(
  handWritten(
    'response.output_audio.delta',
    fc
      .tuple(
        optional(
          'event_id',
          id.map((value) => JSON.stringify(value)),
        ),
        optional('response_id', idJson),
        optional('item_id', idJson),
        optional('output_index', fc.nat({ max: 3 }).map(String)),
        optional('content_index', indexJson),
      )
      .map(present),
  ),
  fc
    .record({
      responseId: id,
      itemId: id,
      outputIndex: fc.nat({ max: 3 }),
      contentIndex: fc.nat({ max: 3 }),
      eventId: id,
      pcm: fc.uint8Array({ maxLength: 3_000 }),
    })
    .map(({ eventId, pcm, ...place }) => {
      const encoder = encoderFor({ level: 'content', ...place });
      return Buffer.from(encoder.outputAudioDeltaFromPcm(eventId, pcm)).toString('utf8');
    }),
);

/** A `session.output_audio.delta` of a translation session, hand-written or encoded. */
export const translationDeltaText: fc.Arbitrary<string> = fc.oneof(
  handWritten(
    'session.output_audio.delta',
    fc
      .tuple(
        optional(
          'event_id',
          id.map((value) => JSON.stringify(value)),
        ),
        optional('format', fc.constant('"pcm16"')),
        optional('sample_rate', fc.constant('24000')),
        optional('channels', fc.constant('1')),
        optional('elapsed_ms', fc.nat().map(String)),
      )
      .map(present),
  ),
  fc
    .record({ eventId: id, pcm: fc.uint8Array({ maxLength: 3_000 }), elapsed: fc.nat() })
    .map(({ eventId, pcm, elapsed }) =>
      Buffer.from(translationEncoder.outputAudioDeltaFromPcm(eventId, pcm, elapsed)).toString(
        'utf8',
      ),
    ),
);

/**
 * A frame as a socket may hand it over: the text, its UTF-8 bytes, or those bytes inside a
 * larger buffer (a view at an offset, as a pooled Buffer is).
 */
export const asFrame = (text: string): fc.Arbitrary<string | Uint8Array> =>
  fc.constantFrom<'text' | 'bytes' | 'view'>('text', 'bytes', 'view').map((form) => {
    if (form === 'text') return text;
    const bytes = new TextEncoder().encode(text);
    if (form === 'bytes') return bytes;
    const pool = new Uint8Array(bytes.length + 7);
    pool.set(bytes, 3);
    return pool.subarray(3, 3 + bytes.length);
  });

/**
 * A well-formed frame turned malformed: cut short, a character dropped, or a structural
 * character put in (a quote, a backslash, a brace, a control character, a stray `"delta":"`).
 */
export const damaged = (text: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.nat({ max: text.length }).map((at) => text.slice(0, at)),
    fc
      .nat({ max: Math.max(0, text.length - 1) })
      .map((at) => text.slice(0, at) + text.slice(at + 1)),
    fc
      .tuple(
        fc.nat({ max: text.length }),
        fc.constantFrom('"', '\\', '{', '}', '[', ',', ':', '\u0001', '\n', '"delta":"', 'é'),
      )
      .map(([at, insert]) => text.slice(0, at) + insert + text.slice(at)),
  );
