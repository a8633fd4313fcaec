import { PEEK_LIMIT, peekEventType } from './peek-event-type.ts';

const QUOTE = 0x22;
const TYPE_HEAD = '{"type":"';
const TYPE_HEAD_BYTES = new TextEncoder().encode(TYPE_HEAD);

/**
 * Creates a {@link peekEventType} for one stream of frames that remembers the last type: a
 * frame that opens with the same `{"type":"…"` as the one before (audio deltas come in runs)
 * gets the same string back without a scan or an allocation, which keeps the per-frame cost
 * of forwarding low and lets map lookups reuse the string's cached hash.
 *
 * @example
 * ```ts
 * const peek = createEventTypePeeker();
 * peek('{"type":"response.output_audio.delta","delta":"…"}'); // 'response.output_audio.delta'
 * ```
 */
export function createEventTypePeeker(): (frame: string | Uint8Array) => string | undefined {
  let lastType: string | undefined;
  let lastBytes: Uint8Array | undefined;
  return (frame) => {
    if (typeof frame === 'string') {
      if (
        lastType !== undefined &&
        frame.startsWith(TYPE_HEAD) &&
        frame.startsWith(lastType, TYPE_HEAD.length) &&
        frame.charCodeAt(TYPE_HEAD.length + lastType.length) === QUOTE
      ) {
        return lastType;
      }
      const type = peekEventType(frame);
      lastType = type;
      lastBytes = undefined;
      return type;
    }
    if (lastBytes !== undefined && opensWith(frame, lastBytes)) return lastType;
    const type = peekEventType(frame);
    lastType = type;
    lastBytes = undefined;
    if (type !== undefined && opensWith(frame, TYPE_HEAD_BYTES)) {
      const end = TYPE_HEAD_BYTES.length + type.length;
      // Cache only when the type sits plainly at the head, closing quote included.
      if (end < PEEK_LIMIT && frame[end] === QUOTE) lastBytes = frame.slice(0, end + 1);
    }
    return type;
  };
}

function opensWith(frame: Uint8Array, head: Uint8Array): boolean {
  if (frame.length < head.length) return false;
  for (let index = head.length - 1; index >= 0; index--) {
    if (frame[index] !== head[index]) return false;
  }
  return true;
}
