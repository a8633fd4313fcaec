import { argumentError } from './argument-error.ts';

/**
 * What a builder argument must be: `string?`, `number?` and `optional` may also be
 * `undefined`/`null`.
 */
export type ArgumentKind =
  | 'string'
  | 'number'
  | 'object'
  | 'array'
  | 'string?'
  | 'number?'
  | 'optional';

/** Each argument of a builder as `name: kind`, in order. */
export type ArgumentSpec = `${string}: ${ArgumentKind}`;

// biome-ignore lint/suspicious/noExplicitAny: any function shape; the checks are the types
type Builder = (...args: any[]) => unknown;

function matches(value: unknown, kind: ArgumentKind): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'string?':
      return value === undefined || value === null || typeof value === 'string';
    case 'number?':
      return value === undefined || value === null || typeof value === 'number';
    case 'optional':
      return true;
  }
}

const EXPECTED: Readonly<Record<ArgumentKind, string>> = {
  string: 'a string',
  number: 'a number',
  object: 'an object',
  array: 'an array',
  'string?': 'a string when given',
  'number?': 'a number when given',
  optional: 'anything',
};

/**
 * `builders` with each one's arguments checked first, as the spec table says: in plain
 * JavaScript a wrong argument is a `TypeError` naming the builder and the argument (as the
 * encoder throws), not an event the decoder refuses later. The table is typed against the
 * builders, so a builder without its row does not compile.
 *
 * @example
 * ```ts
 * const Events = checkedBuilders('Events', { ping: (eventId: string) => ({ type: 'ping', event_id: eventId }) }, {
 *   ping: ['eventId: string'],
 * });
 * Events.ping(42 as never); // TypeError: Events.ping: eventId must be a string
 * ```
 */
export function checkedBuilders<T extends Record<string, Builder>>(
  owner: string,
  builders: T,
  specs: { readonly [K in keyof T]: readonly ArgumentSpec[] },
): T {
  const checked: Record<string, Builder> = {};
  for (const [name, build] of Object.entries(builders)) {
    const parsed = (specs[name] ?? []).map((spec) => {
      const colon = spec.indexOf(': ');
      return { name: spec.slice(0, colon), kind: spec.slice(colon + 2) as ArgumentKind };
    });
    const where = `${owner}.${name}`;
    checked[name] = (...args: unknown[]) => {
      for (let index = 0; index < parsed.length; index++) {
        const { name: argument, kind } = parsed[index] as { name: string; kind: ArgumentKind };
        if (!matches(args[index], kind)) throw argumentError(where, argument, EXPECTED[kind]);
      }
      return build(...args);
    };
  }
  return checked as T;
}
