/** What {@link overBufferBudget} needs of a session. */
export interface BufferHolder {
  readonly bufferedBytes: number;
}

/** What one look at the process-wide buffer budget found. */
export interface BufferBudgetCheck<T extends BufferHolder> {
  /** Bytes all sessions hold now. */
  readonly total: number;
  /**
   * Sessions to close: each one past the per-session budget, then the largest holders, so
   * that what is left fits the process-wide budget.
   */
  readonly over: readonly T[];
}

/**
 * Checks the bytes all sessions hold against one process-wide budget. Each session is bounded
 * on its own (its session budget, checked as its frames pass; here again, for what arrived
 * between frames); this bounds their sum, so a thousand sessions each just under their limit
 * cannot take the process's memory. When over, the sessions holding most are named for
 * closing: they are the slow or stalled ones, and closing them frees the most.
 *
 * @example
 * ```ts
 * const { total, over } = overBufferBudget(sessions, config.maxBufferedBytes, sessionBudgetBytes(config));
 * for (const session of over) session.close(1013, 'relay buffer budget exceeded');
 * ```
 */
export function overBufferBudget<T extends BufferHolder>(
  sessions: Iterable<T>,
  budget: number,
  perSession = Number.POSITIVE_INFINITY,
): BufferBudgetCheck<T> {
  const held: { session: T; bytes: number }[] = [];
  const over: T[] = [];
  let total = 0;
  let left = 0;
  for (const session of sessions) {
    const bytes = session.bufferedBytes;
    total += bytes;
    if (bytes > perSession) over.push(session);
    else if (bytes > 0) {
      held.push({ session, bytes });
      left += bytes;
    }
  }
  if (left <= budget) return { total, over };
  held.sort((a, b) => b.bytes - a.bytes);
  for (const { session, bytes } of held) {
    if (left <= budget) break;
    over.push(session);
    left -= bytes;
  }
  return { total, over };
}
