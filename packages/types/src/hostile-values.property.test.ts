// 10,000 hostile values (FUZZ_SCALE multiplies them) through both decoders and redactForLog: throwing getters (at the top
// and inside the fields the generated checks read), revoked proxies, proxies whose traps
// throw, lying getters, cycles, values that throw when coerced, arbitrary values, JSON-ish
// events of every real type as objects, text and bytes; then a handful of values 100,000
// levels deep and strings of 16 MiB, which are too slow to generate by the thousand.
//
// Asserted for every value: nothing throws; a result is ok/known or a branded DecodeError
// whose message and path hold no part of the input (a marker is planted in strings, keys,
// types and thrown values); eventId is the frame's own short event_id or absent;
// redactForLog's copy goes through JSON.stringify and drops the planted audio; and the
// input is not modified (its own properties are fingerprinted without running a getter,
// and the hostile proxies count writes in their traps).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { officialExamples } from '../test/spec.ts';
import {
  CLIENT_EVENT_TYPES,
  type DecodeResult,
  decodeClientEvent,
  decodeServerEvent,
  isDecodeError,
  LEGACY_EVENT_NAMES,
  MAX_EVENT_ID_LENGTH,
  redactForLog,
  SERVER_EVENT_TYPES,
} from './index.ts';

/** Planted in strings, keys, types and thrown values: it must never reach an error. */
const MARKER = 'sk-PLANTED-MARKER';
/** Planted only in payload fields (audio, files, secrets): it must never reach a log. */
const AUDIO = 'AUDIO-PLANTED-PAYLOAD';

const KNOWN_TYPES: ReadonlySet<string> = new Set([...CLIENT_EVENT_TYPES, ...SERVER_EVENT_TYPES]);
const ALL_TYPES = [...KNOWN_TYPES, ...Object.keys(LEGACY_EVENT_NAMES), `x.${MARKER}`];
const AUDIO_DELTA_TYPES = new Set(['response.output_audio.delta', 'response.audio.delta']);
const CODES = new Set([
  'invalid_input',
  'invalid_utf8',
  'invalid_json',
  'not_an_object',
  'too_deep',
  'missing_type',
  'missing_field',
  'invalid_field',
]);
const ERROR_KEYS = new Set(['code', 'path', 'message', 'eventType', 'eventId']);
const WITH_EVENT_ID = new Set(['missing_type', 'missing_field', 'invalid_field', 'too_deep']);
const NORMALIZE = { legacyNames: 'normalize' } as const;
const encoder = new TextEncoder();

// ---------------------------------------------------------------------------------------
// Hostile building blocks

/** Writes the decoders or redactForLog made through a hostile proxy's traps. */
let writes = 0;
/** Proxies built here: the fingerprint must not look inside them (that would run traps). */
const proxies = new WeakSet<object>();

const writeTraps: ProxyHandler<object> = {
  set: () => ++writes > 0,
  defineProperty: () => ++writes > 0,
  deleteProperty: () => ++writes > 0,
  setPrototypeOf: () => ++writes > 0,
  preventExtensions: () => ++writes < 0,
};

function track<T extends object>(proxy: T): T {
  proxies.add(proxy);
  return proxy;
}

function revoked(target: object): object {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return track(proxy);
}

/** What a getter or trap throws: anything, including values that throw when looked at. */
const thrownValue = fc.constantFrom<() => unknown>(
  () => MARKER,
  () => new Error(MARKER),
  () => new RangeError(`Maximum call stack size exceeded ${MARKER}`),
  () => Symbol(MARKER),
  () => undefined,
  () => 1,
  () => ({
    toString: () => {
      throw MARKER;
    },
    message: MARKER,
  }),
  () => revoked({}),
);

const TRAPS = ['getPrototypeOf', 'has', 'get', 'getOwnPropertyDescriptor', 'ownKeys'] as const;

/** A value that throws (or lies) when coerced or serialized; it is only ever a value here. */
function coercer(thrown: () => unknown) {
  const raise = () => {
    throw thrown();
  };
  return { toString: raise, valueOf: raise, [Symbol.toPrimitive]: raise, toJSON: raise };
}

type Plant =
  | { kind: 'getter'; thrown: () => unknown }
  | { kind: 'lying getter' }
  | { kind: 'proxy'; traps: ReadonlyArray<(typeof TRAPS)[number]>; thrown: () => unknown }
  | { kind: 'revoked' }
  | { kind: 'cycle' }
  | { kind: 'coercer'; thrown: () => unknown };

const plant: fc.Arbitrary<Plant> = fc.oneof(
  fc.record({ kind: fc.constant('getter' as const), thrown: thrownValue }),
  fc.record({ kind: fc.constant('lying getter' as const) }),
  fc.record({
    kind: fc.constant('proxy' as const),
    traps: fc.subarray([...TRAPS], { minLength: 1 }),
    thrown: thrownValue,
  }),
  fc.record({ kind: fc.constant('revoked' as const) }),
  fc.record({ kind: fc.constant('cycle' as const) }),
  fc.record({ kind: fc.constant('coercer' as const), thrown: thrownValue }),
);

function hostileProxy(target: object, plan: Extract<Plant, { kind: 'proxy' }>): object {
  const handler: ProxyHandler<object> = { ...writeTraps };
  for (const trap of plan.traps) {
    handler[trap] = () => {
      throw plan.thrown();
    };
  }
  return track(new Proxy(target, handler));
}

/** The value that replaces `original` (a proxy or revoked proxy wraps it). */
function replacement(original: unknown, root: object, plan: Plant): unknown {
  const target = typeof original === 'object' && original !== null ? original : {};
  switch (plan.kind) {
    case 'proxy':
      return hostileProxy(target, plan);
    case 'revoked':
      return revoked(target);
    case 'cycle':
      return root;
    case 'coercer':
      return coercer(plan.thrown);
    default:
      return original;
  }
}

/**
 * Plants a hostile value inside `root`, following `seeds` down through objects and arrays
 * (so it lands in fields the generated checks read, like `session` or `item.content[0]`).
 * With no seeds the whole value is replaced. Returns the new root and whether the top-level
 * `type` was replaced by something other than a throwing getter (then redaction of an audio
 * `delta` is not asserted: nothing says the frame is an audio delta any more).
 */
function plantIn(
  root: Record<string, unknown>,
  seeds: readonly number[],
  plan: Plant,
): { value: unknown; lyingType: boolean } {
  if (seeds.length === 0) {
    if (plan.kind === 'getter' || plan.kind === 'lying getter') {
      return plantIn(root, [0], plan);
    }
    return { value: replacement(root, root, plan), lyingType: false };
  }
  let target: Record<string | number, unknown> = root;
  for (const seed of seeds.slice(0, -1)) {
    const keys = Object.keys(target);
    if (keys.length === 0) break;
    const next = target[keys[seed % keys.length]!];
    if (typeof next !== 'object' || next === null) break;
    target = next as Record<string | number, unknown>;
  }
  const keys = Object.keys(target);
  const key = keys.length ? keys[seeds.at(-1)! % keys.length]! : 'type';
  const original = target[key];
  // redactForLog tells audio deltas by `type`: one that is no longer a string (or answers
  // differently each read) hides that; only one that throws makes it redact `delta` anyway.
  const lyingType = target === root && key === 'type' && plan.kind !== 'getter';
  if (plan.kind === 'getter') {
    Object.defineProperty(target, key, {
      get() {
        throw plan.thrown();
      },
      enumerable: true,
      configurable: true,
    });
    return { value: root, lyingType: false };
  }
  if (plan.kind === 'lying getter') {
    let reads = 0;
    const others = [5, null, `x.${MARKER}`, { type: MARKER }, [MARKER]];
    Object.defineProperty(target, key, {
      get: () => (reads++ % 2 === 0 ? original : others[reads % others.length]),
      enumerable: true,
      configurable: true,
    });
    return { value: root, lyingType };
  }
  target[key] = replacement(original, root, plan);
  return { value: root, lyingType };
}

// ---------------------------------------------------------------------------------------
// JSON-ish events of every real type

const markedString = fc
  .string({ maxLength: 12 })
  .chain((text) => fc.constantFrom(text, `${text}${MARKER}`, `${MARKER}${text}`));

/** Field names the shapes read, so random fields often hit a checked one. */
const fieldName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('type', 'event_id', 'session', 'item', 'response') },
  {
    weight: 2,
    arbitrary: fc.constantFrom('content', 'output', 'input', 'include', 'tools', 'id', 'delta'),
  },
  { weight: 1, arbitrary: markedString },
);

/** A payload field and a value holding the AUDIO marker, which redactForLog must drop. */
const payloadField = fc.constantFrom<[string, unknown]>(
  ['audio', AUDIO],
  ['file_data', AUDIO],
  ['client_secret', AUDIO],
  ['client_secret', { value: AUDIO, expires_at: 1 }],
  ['image_url', `data:image/png;base64,${AUDIO}`],
  ['file_url', `data:application/pdf;base64,${AUDIO}`],
);

const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 5 },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    markedString,
    fc.array(tie('value'), { maxLength: 4 }),
    tie('object'),
  ),
  object: fc
    .tuple(
      fc.dictionary(fieldName, tie('value'), { maxKeys: 4 }),
      fc.option(payloadField, { freq: 3 }),
    )
    .map(([fields, payload]) => (payload ? { ...fields, [payload[0]]: payload[1] } : fields)),
})).value;

// As JSON text: parsing a fresh copy is several times cheaper than structuredClone.
const examples = [
  '{}',
  ...[...officialExamples('RealtimeServerEvent'), ...officialExamples('RealtimeClientEvent')].map(
    (entry) => JSON.stringify(entry.example),
  ),
];

const eventId = fc.oneof(
  markedString,
  fc.string({ minLength: MAX_EVENT_ID_LENGTH - 2, maxLength: MAX_EVENT_ID_LENGTH + 2 }),
  fc.integer(),
  fc.constant(null),
);

/**
 * How to build an official example or a bare frame, retyped to any real type, with fields
 * added. A recipe, not the frame: hostile values are planted in a fresh build, and fast-check
 * can still print the recipe of a failure.
 */
const eventRecipe = fc.record({
  base: fc.nat(examples.length - 1),
  type: fc.oneof(fc.constant(undefined), fc.constantFrom(...ALL_TYPES)),
  eventId: fc.option(eventId),
  fields: fc.dictionary(fieldName, jsonish, { maxKeys: 3 }),
  payload: fc.option(payloadField, { freq: 2 }),
});

function buildEvent({
  base,
  type,
  eventId,
  fields,
  payload,
}: typeof eventRecipe extends fc.Arbitrary<infer R> ? R : never): Record<string, unknown> {
  // Fresh objects every time: planting mutates them, and fast-check reuses a recipe's values.
  // (JSON turns NaN and infinities into null; the frames only need to be JSON-ish.)
  const frame: Record<string, unknown> = {
    ...JSON.parse(examples[base]!),
    ...JSON.parse(JSON.stringify(fields)),
  };
  if (type !== undefined) frame.type = type;
  if (eventId !== null) frame.event_id = eventId;
  if (payload) frame[payload[0]] = JSON.parse(JSON.stringify(payload[1]));
  if (AUDIO_DELTA_TYPES.has(frame.type as string)) frame.delta = AUDIO;
  return frame;
}

// ---------------------------------------------------------------------------------------
// Checks

/** Copies of byte inputs in a fingerprint, compared by content (a WeakSet runs no trap). */
const byteCopies = new WeakSet<object>();

/** Tokens describing a value's own properties, read without running getters or traps. */
function fingerprint(root: unknown): unknown[] {
  const tokens: unknown[] = [];
  const ids = new Map<object, number>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
      tokens.push(value);
      continue;
    }
    if (ids.has(value)) {
      tokens.push('ref', ids.get(value));
      continue;
    }
    ids.set(value, ids.size);
    // A proxy is compared by identity; writes through it are counted by its traps.
    if (proxies.has(value)) {
      tokens.push('proxy', value);
      continue;
    }
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      const bytes = ArrayBuffer.isView(value)
        ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
        : new Uint8Array(value);
      const copy = bytes.slice();
      byteCopies.add(copy);
      tokens.push('bytes', copy);
      continue;
    }
    tokens.push(Object.getPrototypeOf(value), Object.isExtensible(value));
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Reflect.getOwnPropertyDescriptor(value, key)!;
      tokens.push(
        key,
        descriptor.enumerable,
        descriptor.configurable,
        descriptor.writable,
        descriptor.get,
        descriptor.set,
      );
      if ('value' in descriptor) stack.push(descriptor.value);
    }
  }
  return tokens;
}

function sameFingerprint(before: unknown[], after: unknown[]): boolean {
  if (before.length !== after.length) return false;
  for (let index = 0; index < before.length; index++) {
    const [a, b] = [before[index], after[index]];
    if (Object.is(a, b)) continue;
    if (!(byteCopies.has(a as object) && byteCopies.has(b as object))) return false;
    const [x, y] = [a as Uint8Array, b as Uint8Array];
    if (x.length !== y.length) return false;
    for (let at = 0; at < x.length; at++) if (x[at] !== y[at]) return false;
  }
  return true;
}

/** The `event_id` an error may carry for a frame given as JSON text. */
function expectedEventId(json: string, code: string): string | undefined {
  if (!WITH_EVENT_ID.has(code)) return undefined;
  let frame: unknown;
  try {
    frame = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof frame !== 'object' || frame === null || !Object.hasOwn(frame, 'event_id')) {
    return undefined;
  }
  const id = (frame as { event_id: unknown }).event_id;
  return typeof id === 'string' && id.length <= MAX_EVENT_ID_LENGTH ? id : undefined;
}

/** Throws (failing the property) unless the result is a well-formed, non-echoing outcome. */
function checkResult(result: DecodeResult<unknown>, json?: string): void {
  if (result.ok) {
    if (typeof result.known !== 'boolean' || !('event' in result)) {
      throw new Error('ok result without known/event');
    }
    return;
  }
  const error = result.error;
  if (!isDecodeError(error)) throw new Error('error is not a branded DecodeError');
  if (!CODES.has(error.code)) throw new Error(`unknown code ${String(error.code)}`);
  if (typeof error.message !== 'string' || error.message.includes(MARKER)) {
    throw new Error('message echoes input');
  }
  if (typeof error.path !== 'string' || error.path.includes(MARKER)) {
    throw new Error('path echoes input');
  }
  if (error.eventType !== undefined && !KNOWN_TYPES.has(error.eventType)) {
    throw new Error('eventType is not a known type');
  }
  for (const key of Object.keys(error)) {
    if (!ERROR_KEYS.has(key)) throw new Error(`unexpected error field ${key}`);
  }
  if (error.eventId !== undefined) {
    if (!WITH_EVENT_ID.has(error.code)) throw new Error(`eventId on ${error.code}`);
    if (typeof error.eventId !== 'string' || error.eventId.length > MAX_EVENT_ID_LENGTH) {
      throw new Error('eventId not a short string');
    }
  }
  if (json !== undefined && error.eventId !== expectedEventId(json, error.code)) {
    throw new Error(`eventId differs from the frame's own event_id (${error.code})`);
  }
}

/**
 * Runs everything on one value and checks it. `payloadSafe`: the planted AUDIO marker sits
 * only in payload fields, so it must not survive redaction.
 */
function exercise(
  input: unknown,
  { payloadSafe = true, json }: { payloadSafe?: boolean; json?: string } = {},
) {
  const before = fingerprint(input);
  const writesBefore = writes;
  checkResult(decodeClientEvent(input), json);
  checkResult(decodeServerEvent(input), json);
  // Legacy names are server names: normalizing copies the frame, another path to read it.
  checkResult(decodeServerEvent(input, NORMALIZE), json);
  const text = JSON.stringify(redactForLog(input));
  if (payloadSafe && text?.includes(AUDIO)) throw new Error('redactForLog kept a payload');
  if (writes !== writesBefore) throw new Error('a proxy trap saw a write');
  if (!sameFingerprint(before, fingerprint(input))) throw new Error('the input was modified');
}

// ---------------------------------------------------------------------------------------

// The work is bounded, not the time: a busy machine takes longer and still passes (vitest's
// 30 s guard only catches a hang). These counts take about 1 s in all under Node on an idle
// 2-core VM; FUZZ_SCALE=N multiplies them for a deeper run by hand (FUZZ_SCALE=10 is the
// earlier 100,000 values).
const SCALE = Math.max(1, Number(globalThis.process?.env?.FUZZ_SCALE ?? 1) || 1);
const runs = (count: number) => ({ numRuns: Math.round(count * SCALE) });

describe('hostile values never throw, echo or get modified', () => {
  it('4,000 events with a throwing getter, hostile proxy, cycle or coercer planted anywhere', () => {
    fc.assert(
      fc.property(
        eventRecipe,
        fc.array(fc.nat(), { maxLength: 4 }),
        plant,
        (recipe, seeds, plan) => {
          const { value, lyingType } = plantIn(buildEvent(recipe), seeds, plan);
          exercise(value, { payloadSafe: !lyingType });
        },
      ),
      runs(4_000),
    );
  });

  it('3,000 arbitrary values (fc.anything with every option)', () => {
    const anything = fc.anything({
      key: fc.oneof(fieldName, fc.string()),
      values: [fc.boolean(), fc.integer(), fc.double(), markedString, fc.constant(null)],
      maxDepth: 4,
      maxKeys: 5,
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
    });
    fc.assert(
      fc.property(anything, (value) => exercise(value)),
      runs(3_000),
    );
  });

  it('3,000 JSON-ish events of real types, as objects, JSON text and UTF-8 bytes', () => {
    fc.assert(
      fc.property(
        eventRecipe,
        fc.constantFrom('object', 'text', 'bytes', 'bom'),
        (recipe, form) => {
          const frame = buildEvent(recipe);
          const json = JSON.stringify(frame);
          if (form === 'object') return exercise(frame);
          // A byte order mark is refused in both forms; the frame is otherwise the same.
          const text = form === 'bom' ? `\uFEFF${json}` : json;
          const input = form === 'text' ? text : encoder.encode(text);
          // redactForLog takes events: text is returned as it came, payloads and all.
          exercise(input, { payloadSafe: false, json: form === 'bom' ? undefined : json });
        },
      ),
      runs(3_000),
    );
  });

  it('a handful of values 100,000 levels deep and strings of 16 MiB', () => {
    const DEPTH = 100_000;
    const deepObject = (leaf: unknown = AUDIO) => {
      let value: unknown = { audio: leaf };
      for (let level = 0; level < DEPTH; level++) value = { type: 'x', a: value };
      return value as Record<string, unknown>;
    };
    const deepArray = () => {
      let value: unknown = [];
      for (let level = 0; level < DEPTH; level++) value = [value];
      return value as unknown[];
    };
    const cyclicAtTheBottom = () => {
      const top: Record<string, unknown> = { type: 'session.update' };
      let bottom = top;
      for (let level = 0; level < DEPTH; level++) bottom = bottom.session = {};
      bottom.session = top;
      return top;
    };
    const deepText = `{"type":"response.create","event_id":"evt_1","response":{"input":[${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}]}}`;
    const huge = 'A'.repeat(16 * 1024 * 1024);
    const hugeAudio = { type: 'input_audio_buffer.append', event_id: 'evt_2', audio: huge };
    const hugeText = JSON.stringify(hugeAudio);
    const hugeId = `{"type":"conversation.item.delete","event_id":"${huge}"}`;

    const values: Array<[string, unknown, { payloadSafe?: boolean; json?: string }?]> = [
      ['a deep object as session', { type: 'session.update', session: deepObject() }],
      [
        'a deep object in response.output',
        { type: 'response.done', event_id: 'e', response: { output: [deepObject()] } },
      ],
      [
        'a deep array as response.input',
        { type: 'response.create', response: { input: deepArray() } },
      ],
      ['a cycle 100,000 levels down', cyclicAtTheBottom()],
      ['deep JSON text', deepText, { payloadSafe: false, json: deepText }],
      ['deep JSON bytes', encoder.encode(deepText), { json: deepText }],
      ['16 MiB of audio', hugeAudio],
      ['16 MiB of audio as text', hugeText, { payloadSafe: false, json: hugeText }],
      ['16 MiB of audio as bytes', encoder.encode(hugeText), { json: hugeText }],
      ['a 16 MiB type', { type: huge, event_id: 'e' }],
      ['a 16 MiB event_id', hugeId, { json: hugeId }],
    ];
    for (const [label, value, options] of values) {
      expect(() => exercise(value, options), label).not.toThrow();
    }
    // Deep text is refused where it enters, with the frame's own event_id to echo.
    expect(decodeClientEvent(deepText)).toMatchObject({
      ok: false,
      error: { code: 'too_deep', path: '/response/input/0/0', eventId: 'evt_1' },
    });
    const refused = decodeClientEvent(hugeId);
    expect(refused).toMatchObject({ ok: false, error: { code: 'missing_field' } });
    if (!refused.ok) expect(Object.keys(refused.error)).not.toContain('eventId');
  });
});
