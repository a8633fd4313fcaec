// Test-only: one JSON frame in every form the decoders take, so each decode test reads the
// same frame as text, as bytes, as an ArrayBuffer and as an already-parsed value.

const encoder = new TextEncoder();

/**
 * The forms a decoder takes of one frame, by name: `string`, `bytes` (UTF-8), `arrayBuffer`
 * and `object` (parsed), for a test that must decode alike from each.
 *
 * @example
 * ```ts
 * for (const [kind, input] of Object.entries(inputsOf('{"type":"session.update"}'))) {
 *   expect(decodeClientEvent(input), kind).toMatchObject({ ok: true });
 * }
 * ```
 */
export const inputsOf = (json: string) => ({
  string: json,
  bytes: encoder.encode(json),
  arrayBuffer: encoder.encode(json).buffer,
  object: JSON.parse(json) as unknown,
});
