import { EventIdSequence } from '@rtwire/serializer';

/**
 * The kinds of ids a session makes.
 *
 * @example
 * ```ts
 * const kind: IdKind = 'item';
 * ```
 */
export type IdKind = 'sess' | 'item' | 'resp' | 'call' | 'conv';

/**
 * Unique ids per kind: one random stem per session, then a counter, so an id costs a
 * concatenation and two sessions' ids do not collide.
 *
 * @example
 * ```ts
 * const id = createSessionIds();
 * id('item'); // 'item_rt4k2x9q0m0001'
 * ```
 */
export function createSessionIds(): (kind: IdKind) => string {
  const stem = Math.random().toString(36).slice(2, 10);
  let counter = 0;
  return (kind) => `${kind}_rt${stem}${(++counter).toString(36).padStart(4, '0')}`;
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * The session's event ids, `event_` and twelve random base-62 characters (~71 bits, from the
 * platform CSPRNG) then a decimal counter: the shape `createEventIds('event_')` makes, as a
 * sequence the encoders write straight into delta frames.
 *
 * @example
 * ```ts
 * const ids = createEventIdSequence();
 * ids.next(); // 'event_Xk2…0'
 * ```
 */
export function createEventIdSequence(): EventIdSequence {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  let stem = 'event_';
  // 256 is not a multiple of 62; the bias is irrelevant for a uniqueness stem.
  for (const byte of bytes) stem += ALPHABET[byte % 62];
  return new EventIdSequence(stem);
}
