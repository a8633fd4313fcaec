/** What {@link overBufferBudget} needs of a session. */
export interface BufferHolder {
  readonly bufferedBytes: number;
}

/** What one look at the process-wide buffer budget found. */
export interface BufferBudgetCheck<T extends BufferHolder> {
  /** Bytes all sessions hold now. */
  readonly total: number;
  /** Sessions to close, largest holders first, so that what is left fits the budget. */
  readonly over: readonly T[];
}

/**
 * Checks the bytes all sessions hold against one process-wide budget. Each session is already
 * bounded on its own (its hard limit); this bounds their sum, so a thousand sessions each just
 * under their limit cannot take the process's memory. When over, the sessions holding most are
 * named for closing: they are the slow or stalled ones, and closing them frees the most.
 *
 * @example
 * ```ts
 * const { total, over } = overBufferBudget(sessions, config.maxBufferedBytes);
 * for (const session of over) session.close(1013, 'relay buffer budget exceeded');
 * ```
 */
export function overBufferBudget<T extends BufferHolder>(
  sessions: Iterable<T>,
  budget: number,
): BufferBudgetCheck<T> {
  const held: { session: T; bytes: number }[] = [];
  let total = 0;
  for (const session of sessions) {
    const bytes = session.bufferedBytes;
    total += bytes;
    if (bytes > 0) held.push({ session, bytes });
  }
  if (total <= budget) return { total, over: [] };
  held.sort((a, b) => b.bytes - a.bytes);
  const over: T[] = [];
  let left = total;
  for (const { session, bytes } of held) {
    if (left <= budget) break;
    over.push(session);
    left -= bytes;
  }
  return { total, over };
}
