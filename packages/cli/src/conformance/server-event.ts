/**
 * A server event as the suite receives it: a `type`, and whatever else it carries, read
 * without trusting its shape (the server under test may send anything).
 *
 * @example
 * ```ts
 * const done: ServerEvent = { type: 'response.done', response: { status: 'completed' } };
 * ```
 */
export type ServerEvent = { readonly type: string } & Readonly<Record<string, unknown>>;
