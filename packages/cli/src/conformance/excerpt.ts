import { redactForLog } from '@rtwire/types';

/** Longest excerpt a report shows of one event. */
const MAX_EXCERPT = 400;

/**
 * Fields whose values are what a user said or heard, or what a tool was given: replaced by
 * their length in a report, as audio is by `redactForLog`.
 */
const PAYLOAD_FIELDS = new Set([
  'delta',
  'text',
  'transcript',
  'arguments',
  'output',
  'instructions',
  'message',
]);

/**
 * An event as a report shows it: audio, images and secrets redacted (`redactForLog` of
 * `@rtwire/types`), text, transcripts, arguments and messages replaced by their length, and
 * the whole clipped to 400 characters.
 *
 * @example
 * ```ts
 * excerptOf({ type: 'response.output_text.delta', delta: 'Hello' });
 * // '{"type":"response.output_text.delta","delta":"[5 chars]"}'
 * ```
 */
export function excerptOf(event: unknown): string {
  const json = JSON.stringify(redactForLog(event), (key, value) =>
    PAYLOAD_FIELDS.has(key) && typeof value === 'string' ? `[${value.length} chars]` : value,
  );
  if (json === undefined) return String(typeof event);
  return json.length <= MAX_EXCERPT ? json : `${json.slice(0, MAX_EXCERPT)}…`;
}

/**
 * An event type as a report names it: a server under test chooses it, so it is clipped.
 *
 * @example
 * ```ts
 * clipType('response.done'); // 'response.done'
 * ```
 */
export function clipType(type: string): string {
  return type.length <= 64 ? type : `${type.slice(0, 64)}…`;
}
