/**
 * The deepest nesting a frame may have, counting the frame object itself as level 1: the limit
 * serde_json's parser applies by default (128), and so the limit of the Rust
 * `openai_protocol` crate rtwire follows. Tool schemas and metadata of real clients stay far
 * below it; a value deeper than this is refused where a frame enters, so no recursive walk
 * behind the decoder ever sees one.
 *
 * @example
 * ```ts
 * import { exceedsNesting, MAX_NESTING_DEPTH } from '@rtwire/types';
 * if (exceedsNesting(value, MAX_NESTING_DEPTH)) throw new TypeError('too deep');
 * ```
 */
export const MAX_NESTING_DEPTH = 128;

/**
 * Whether `value` nests objects and arrays deeper than `limit` levels (a primitive is level 0,
 * `{}` and `[]` are level 1, `{"a":[]}` is level 2). A value a million levels deep is answered
 * without overflowing the stack (the walk never goes past the limit, and past 512 levels it
 * keeps its own stack), and it stops at the first path past the limit. Reads
 * own enumerable keys only, as `JSON.stringify` does; meant for JSON data (a getter that throws
 * throws here too).
 *
 * @example
 * ```ts
 * exceedsNesting({ a: [[1]] }, 2); // true
 * exceedsNesting({ a: [[1]] }, 3); // false
 * ```
 */
export function exceedsNesting(value: unknown, limit: number = MAX_NESTING_DEPTH): boolean {
  // Under a small limit, recursion that stops at the limit is safe on every runtime's stack and
  // allocates nothing: the common case, every decoded frame. A larger limit takes the stack.
  if (limit <= RECURSION_SAFE_LIMIT) return deeperThan(value, limit);
  return deepestPath(value, limit, false) !== undefined;
}

/** The deepest limit walked by recursion: far below any runtime's stack, Workers' included. */
const RECURSION_SAFE_LIMIT = 512;

function deeperThan(value: unknown, remaining: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (remaining <= 0) return true;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const child: unknown = value[index];
      if (typeof child === 'object' && child !== null && deeperThan(child, remaining - 1)) {
        return true;
      }
    }
    return false;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const child: unknown = (value as Record<string, unknown>)[key];
    if (typeof child === 'object' && child !== null && deeperThan(child, remaining - 1)) {
      return true;
    }
  }
  return false;
}

/**
 * Where a value nests deeper than `limit`, or `undefined` when it stays within it: the JSON
 * pointer (RFC 6901) of the field holding the overflow, cut after `maxSegments` segments and
 * before the first key that is not field-name shaped (letters, digits, `_`, `.`, `-`, at most
 * 64), so an error built from it carries no client-chosen text. Iterative, as
 * {@link exceedsNesting}.
 *
 * @example
 * ```ts
 * nestingOverflowPath({ a: [[1]] }, 2); // '/a/0'
 * nestingOverflowPath({ a: [[1]] }, 2, 1); // '/a'
 * ```
 */
export function nestingOverflowPath(
  value: unknown,
  limit: number = MAX_NESTING_DEPTH,
  maxSegments = 4,
): string | undefined {
  const segments = deepestPath(value, limit, true);
  if (segments === undefined) return undefined;
  let path = '';
  for (const segment of segments.slice(0, maxSegments)) {
    if (!FIELD_NAME.test(segment)) break;
    path += `/${segment}`;
  }
  return path;
}

const FIELD_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

const NO_PATH: string[] = [];
const KEPT_SEGMENTS = 16;

// The success path is the hot one (every decoded frame): without paths it allocates one array
// of the containers it has yet to visit, and nothing per primitive.
function deepestPath(value: unknown, limit: number, withPath: boolean): string[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const values: object[] = [value];
  const depths: number[] = [1];
  // Only the first segments are ever shown, so only they are kept.
  const paths: string[][] | undefined = withPath ? [[]] : undefined;
  while (values.length > 0) {
    const current = values.pop()!;
    const depth = depths.pop()!;
    const path = paths?.pop() ?? NO_PATH;
    if (depth > limit) return path;
    if (Array.isArray(current)) {
      for (let index = 0; index < current.length; index++) {
        const child: unknown = current[index];
        if (typeof child === 'object' && child !== null) {
          values.push(child);
          depths.push(depth + 1);
          paths?.push(path.length < KEPT_SEGMENTS ? [...path, String(index)] : path);
        }
      }
      continue;
    }
    for (const key in current) {
      if (!Object.hasOwn(current, key)) continue;
      const child: unknown = (current as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) {
        values.push(child);
        depths.push(depth + 1);
        paths?.push(path.length < KEPT_SEGMENTS ? [...path, key] : path);
      }
    }
  }
  return undefined;
}
