/** A parsed JSON object, as the relay reads the few frames it must. */
export type JsonObject = Record<string, unknown>;

/**
 * Whether a parsed JSON value is an object (not an array, not null).
 *
 * @example
 * ```ts
 * const item = isJsonObject(event.item) ? event.item : undefined;
 * ```
 */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const decoder = new TextDecoder();

/**
 * Reads a frame as a JSON object at most once, on first call: the steps of a session that
 * need one frame's content (resume, policy) share one parse, and frames none of them reads are
 * never parsed. `undefined` when the frame is not a JSON object.
 *
 * @example
 * ```ts
 * const read = frameReader(data);
 * const event = read(); // parsed here
 * read(); // the same object, not parsed again
 * ```
 */
export function frameReader(data: string | Uint8Array): () => JsonObject | undefined {
  let parsed: JsonObject | undefined | null = null;
  return () => {
    if (parsed !== null) return parsed;
    try {
      const value: unknown = JSON.parse(typeof data === 'string' ? data : decoder.decode(data));
      parsed = isJsonObject(value) ? value : undefined;
    } catch {
      parsed = undefined;
    }
    return parsed;
  };
}
