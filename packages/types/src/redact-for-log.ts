/**
 * Marker that replaces a redacted payload, stating what it was and how long, e.g.
 * `[redacted audio: 6400 chars]`. Lengths help debugging; contents never reach a log.
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
 * Returns a copy of an event that is safe to log: audio (`audio` fields, audio `delta`s),
 * inline images (`data:` URLs), inline files (`file_data`) and client secrets are replaced by
 * a marker that states their length. The input is not modified; unknown events work too.
 *
 * @example
 * ```ts
 * logger.info({ event: redactForLog(event) }); // { type: 'input_audio_buffer.append', audio: '[redacted audio: 6400 chars]' }
 * ```
 */
export function redactForLog<T>(event: T): T {
  const audioDelta =
    typeof event === 'object' &&
    event !== null &&
    AUDIO_DELTA_TYPES.has((event as { type?: unknown }).type as string);
  return redactValue(event, audioDelta ? 'delta' : undefined) as T;
}

function redactValue(value: unknown, audioKey?: string): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item));
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    Object.defineProperty(copy, key, {
      value: redactField(key, field, key === audioKey),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

function redactField(key: string, field: unknown, isAudio: boolean): unknown {
  if (key === 'client_secret' && field !== null && field !== undefined) {
    return redactionMarker(
      'secret',
      typeof field === 'string' ? field.length : secretLength(field),
    );
  }
  if (typeof field !== 'string') return redactValue(field);
  if (isAudio || key === 'audio') return redactionMarker('audio', field.length);
  if (key === 'file_data') return redactionMarker('file', field.length);
  if ((key === 'image_url' || key === 'file_url') && field.startsWith('data:')) {
    return redactionMarker(key === 'image_url' ? 'image' : 'file', field.length);
  }
  return field;
}

function secretLength(secret: unknown): number {
  const value = (secret as { value?: unknown }).value;
  return typeof value === 'string' ? value.length : 0;
}
