import { type CheckContext, CheckFailure, type ServerEvent } from './check.ts';
import type { ConformanceSession } from './conformance-session.ts';
import { excerptOf } from './excerpt.ts';

/**
 * Fails the check unless `condition` holds.
 *
 * @example
 * ```ts
 * expect(done.response.status === 'completed', 'status "completed"', `status ${status}`, done);
 * ```
 */
export function expect(
  condition: boolean,
  expected: string,
  received: string,
  event?: unknown,
): asserts condition {
  if (!condition) {
    throw new CheckFailure({
      expected,
      received,
      excerpt: event === undefined ? undefined : excerptOf(event),
    });
  }
}

/**
 * A value as a report may show it: strings quoted and clipped, anything else as JSON type.
 *
 * @example
 * ```ts
 * shown('completed'); // '"completed"'
 * ```
 */
export function shown(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  }
  if (value === null || typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  return value === undefined ? 'nothing' : Array.isArray(value) ? 'an array' : 'an object';
}

/**
 * A field of an event's nested object, read without trusting the event's shape.
 *
 * @example
 * ```ts
 * field(done, 'response', 'status_details', 'reason'); // undefined when any level is missing
 * ```
 */
export function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

let eventCounter = 0;

/**
 * A fresh client `event_id`, for checking the echo in errors.
 *
 * @example
 * ```ts
 * session.send({ type: 'response.cancel', event_id: clientEventId() });
 * ```
 */
export function clientEventId(): string {
  eventCounter += 1;
  return `event_conformance_${eventCounter}`;
}

/**
 * Sends `session.update` and waits for `session.updated`; an `error` answering it fails the
 * check (or, with `refused`, is returned for the caller to decide).
 *
 * @example
 * ```ts
 * await configure(session, { instructions: 'Be brief.' });
 * ```
 */
export async function configure(
  session: ConformanceSession,
  patch: Record<string, unknown>,
  refused?: 'return',
): Promise<ServerEvent> {
  const eventId = clientEventId();
  const mark = session.send({
    type: 'session.update',
    event_id: eventId,
    session: { type: 'realtime', ...patch },
  });
  const answer = await session.waitFor(
    mark,
    (event) =>
      event.type === 'session.updated' ||
      (event.type === 'error' && field(event, 'error', 'event_id') === eventId),
    'session.updated',
  );
  if (answer.type === 'error' && refused !== 'return') {
    throw new CheckFailure({
      expected: 'session.updated',
      received: `error ${shown(field(answer, 'error', 'code'))} (param ${shown(field(answer, 'error', 'param'))})`,
      excerpt: excerptOf(answer),
    });
  }
  return answer;
}

/**
 * Adds a user text message and returns its item id once `conversation.item.done` came.
 *
 * @example
 * ```ts
 * const itemId = await addUserText(session, 'Hello');
 * ```
 */
export async function addUserText(
  session: ConformanceSession,
  text: string,
  previousItemId?: string,
): Promise<string> {
  const mark = session.send({
    type: 'conversation.item.create',
    ...(previousItemId === undefined ? {} : { previous_item_id: previousItemId }),
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
  });
  const added = await session.waitFor(mark, 'conversation.item.added');
  const id = field(added, 'item', 'id');
  expect(typeof id === 'string' && id.length > 0, 'the added item to have an id', shown(id), added);
  await session.waitFor(
    mark,
    (event) => event.type === 'conversation.item.done' && field(event, 'item', 'id') === id,
    `conversation.item.done of ${id}`,
  );
  return id;
}

/** A response from its `response.created` to its `response.done`. */
export interface FinishedResponse {
  readonly created: ServerEvent;
  readonly done: ServerEvent;
  readonly id: string;
  /** Every event from the `response.create` on. */
  readonly events: readonly ServerEvent[];
}

/**
 * Sends `response.create` (with `response` when given), waits for the response to finish and
 * records the latency to its first text and audio delta.
 *
 * @example
 * ```ts
 * const { done } = await respond(session, context, { output_modalities: ['text'] });
 * ```
 */
export async function respond(
  session: ConformanceSession,
  context: CheckContext,
  response?: Record<string, unknown>,
): Promise<FinishedResponse> {
  const sentAt = performance.now();
  const mark = session.send({
    type: 'response.create',
    ...(response === undefined ? {} : { response }),
  });
  return finish(session, context, mark, sentAt);
}

/**
 * Waits for the next response from `mark` on to be created and done, recording latencies.
 *
 * @example
 * ```ts
 * const { done } = await finish(session, context, mark, performance.now());
 * ```
 */
export async function finish(
  session: ConformanceSession,
  context: CheckContext,
  mark: number,
  sentAt: number,
): Promise<FinishedResponse> {
  const created = await session.waitFor(
    mark,
    (event) =>
      event.type === 'response.created' ||
      (event.type === 'error' && field(event, 'error', 'event_id') === undefined),
    'response.created',
  );
  expect(
    created.type === 'response.created',
    'response.created',
    `error ${shown(field(created, 'error', 'code'))}`,
    created,
  );
  const id = field(created, 'response', 'id');
  expect(typeof id === 'string', 'response.created with a response id', shown(id), created);
  const done = await session.waitFor(
    mark,
    (event) => event.type === 'response.done' && field(event, 'response', 'id') === id,
    `response.done of ${id}`,
  );
  for (const [type, name] of [
    ['response.output_text.delta', 'first text delta'],
    ['response.output_audio.delta', 'first audio delta'],
  ] as const) {
    const at = session.receivedAt(mark, (event) => event.type === type && event.response_id === id);
    if (at !== undefined) context.measure(name, at - sentAt);
  }
  return { created, done, id, events: session.since(mark) };
}

/**
 * The concatenated base64 `delta`s of a response's audio, decoded.
 *
 * @example
 * ```ts
 * const pcm = audioOf(response.events, response.id);
 * ```
 */
export function audioOf(events: readonly ServerEvent[], responseId: string): Uint8Array {
  const chunks = events
    .filter(
      (event) => event.type === 'response.output_audio.delta' && event.response_id === responseId,
    )
    .map((event) => Buffer.from(String(event.delta), 'base64'));
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Fails the check unless the finished response has `status`.
 *
 * @example
 * ```ts
 * expectStatus(response.done, 'cancelled');
 * ```
 */
export function expectStatus(done: ServerEvent, status: string): void {
  const actual = field(done, 'response', 'status');
  expect(actual === status, `status ${shown(status)}`, `status ${shown(actual)}`, done);
}
