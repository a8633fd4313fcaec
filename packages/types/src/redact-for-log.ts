/**
 * Marker that replaces a redacted payload, stating what it was and how long, e.g.
 * `[redacted audio: 6400 chars]`. Lengths help debugging; contents never reach a log.
 *
 * @example
 * ```ts
 * redactionMarker('audio', 6400); // '[redacted audio: 6400 chars]'
 * ```
 */
export function redactionMarker(
  kind: 'audio' | 'image' | 'file' | 'secret',
  length: number,
): string {
  return `[redacted ${kind}: ${length} chars]`;
}

/** Event types whose `delta` is base64 audio. */
const AUDIO_DELTA_TYPES: ReadonlySet<string> = new Set([
  'response.output_audio.delta',
  'response.audio.delta',
]);

/**
 * How deep {@link redactForLog} copies: objects and arrays nested deeper than this below the
 * event are replaced by a marker. The spec's examples and captured traffic nest at most eight
 * levels; free-form JSON (a tool's parameter schema, metadata) can go further, and the limit
 * leaves it room while bounding the copy's recursion and size.
 *
 * @example
 * ```ts
 * redactForLog(deeplyNested); // levels past MAX_LOG_DEPTH become a marker
 * ```
 */
export const MAX_LOG_DEPTH = 32;

const TOO_DEEP = `[redacted: nested deeper than ${MAX_LOG_DEPTH}]`;
const CIRCULAR = '[circular]';
const UNREADABLE = '[unreadable]';

/**
 * Returns a copy of an event that is safe to log: audio (`audio` fields, audio `delta`s),
 * inline images (`data:` URLs), inline files (`file_data`) and client secrets are replaced by
 * a marker that states their length, and so are bytes (`ArrayBuffer` and its views, e.g.
 * `[redacted binary: 6400 bytes]`). The input is not modified; unknown events work too.
 *
 * Never throws, whatever the input, and the copy is plain data that `JSON.stringify` takes:
 * objects and arrays deeper than {@link MAX_LOG_DEPTH} become `[redacted: nested deeper than
 * 32]`, a value that contains itself `[circular]`, a field whose getter or proxy trap throws
 * `[unreadable]`; functions are dropped and bigints become decimal strings.
 *
 * @example
 * ```ts
 * logger.info({ event: redactForLog(event) }); // { type: 'input_audio_buffer.append', audio: '[redacted audio: 6400 chars]' }
 * ```
 */
export function redactForLog<T>(event: T): T {
  let audioKey: string | undefined;
  try {
    audioKey =
      typeof event === 'object' &&
      event !== null &&
      AUDIO_DELTA_TYPES.has((event as { type?: unknown }).type as string)
        ? 'delta'
        : undefined;
  } catch {
    // No readable type, so no telling what `delta` holds: redact it as audio to be safe.
    audioKey = 'delta';
  }
  return redactValue(event, 0, [], audioKey) as T;
}

/**
 * Copies one value `depth` levels below the event. `ancestors` are the objects being copied
 * around it, at most {@link MAX_LOG_DEPTH}, so a linear search finds cycles cheaply.
 */
function redactValue(
  value: unknown,
  depth: number,
  ancestors: object[],
  audioKey?: string,
): unknown {
  if (typeof value === 'bigint') return `${value}`; // JSON.stringify throws on bigints.
  // Dropped: JSON.stringify would skip them anyway, except an own `toJSON`, which it calls.
  if (typeof value === 'function') return undefined;
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_LOG_DEPTH) return TOO_DEEP;
  if (ancestors.includes(value)) return CIRCULAR;
  ancestors.push(value);
  try {
    // Bytes are a payload too (a binary frame, PCM), and copying them index by index as an
    // object would take seconds for a few megabytes.
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      return `[redacted binary: ${value.byteLength} bytes]`;
    }
    return Array.isArray(value)
      ? redactArray(value, depth, ancestors)
      : redactObject(value, depth, ancestors, audioKey);
  } catch {
    // A revoked proxy, or a throwing ownKeys or length: nothing of it can be listed.
    return UNREADABLE;
  } finally {
    ancestors.pop();
  }
}

function redactArray(array: unknown[], depth: number, ancestors: object[]): unknown {
  // A proxy's length can be anything; `new Array('x')` would even make `['x']`.
  const length: unknown = array.length;
  if (typeof length !== 'number') return UNREADABLE;
  // Sized up front and filled where the input has items, so a sparse array stays sparse
  // instead of growing one slot per hole.
  const copy: unknown[] = new Array(length);
  for (let index = 0; index < length; index++) {
    let item: unknown;
    try {
      if (!(index in array)) continue;
      item = array[index];
    } catch {
      copy[index] = UNREADABLE;
      continue;
    }
    copy[index] = redactValue(item, depth + 1, ancestors);
  }
  return copy;
}

function redactObject(
  object: object,
  depth: number,
  ancestors: object[],
  audioKey: string | undefined,
): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    let value: unknown;
    try {
      // Read once: a getter may answer differently, or throw, the next time.
      value = (object as Record<string, unknown>)[key];
      const marker = redactField(key, value, key === audioKey);
      value = marker === NOT_A_PAYLOAD ? redactValue(value, depth + 1, ancestors) : marker;
    } catch {
      value = UNREADABLE;
    }
    // Defined, not assigned: a `__proto__` key stays data instead of setting the prototype.
    Object.defineProperty(copy, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

/** Says the field is not one of the payloads, so it is copied as any value is. */
const NOT_A_PAYLOAD: unique symbol = Symbol('not a payload');

/** The marker for a payload field, or NOT_A_PAYLOAD. Strings are measured, never copied. */
function redactField(key: string, field: unknown, isAudio: boolean): unknown {
  if (key === 'client_secret' && field !== null && field !== undefined) {
    return redactionMarker(
      'secret',
      typeof field === 'string' ? field.length : secretLength(field),
    );
  }
  if (typeof field !== 'string') return NOT_A_PAYLOAD;
  if (isAudio || key === 'audio') return redactionMarker('audio', field.length);
  if (key === 'file_data') return redactionMarker('file', field.length);
  if ((key === 'image_url' || key === 'file_url') && field.startsWith('data:')) {
    return redactionMarker(key === 'image_url' ? 'image' : 'file', field.length);
  }
  return field;
}

function secretLength(secret: unknown): number {
  try {
    const value = (secret as { value?: unknown }).value;
    return typeof value === 'string' ? value.length : 0;
  } catch {
    return 0;
  }
}
