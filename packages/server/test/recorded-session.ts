import { expect } from 'vitest';

/**
 * What a recorded session is opened with: `defaults` (deterministic event ids, a fixed clock)
 * go before the test's own options, `sink` (string frames, parsed into `events`) after them.
 *
 * @example
 * ```ts
 * (recording) => createRealtimeSession({ ...recording.defaults, ...options, model, ...recording.sink })
 * ```
 */
export interface Recording {
  readonly defaults: { readonly eventIds: () => string; readonly now: () => number };
  readonly sink: { readonly frames: 'string'; readonly send: (frame: string) => void };
}

/**
 * A session under test, of either kind, whose frames (strings) are parsed and kept in order.
 *
 * @example
 * ```ts
 * const { session, send, only } = recordSession(open, specErrors);
 * send(userText('hi'));
 * only('response.done');
 * ```
 */
export interface RecordedSession<Session, Event extends { readonly type: string }> {
  readonly session: Session;
  readonly events: Event[];
  send(event: object | string): void;
  only<T extends Event['type']>(type: T): Extract<Event, { type: T }>[];
  /** Every event validates against the spec's schemas of its kind. */
  expectSpecValid(): void;
}

/**
 * Opens a session with `open` and records what it sends: the setup a Realtime harness and a
 * translation harness share. `specProblems` is the spec check of the session's kind: what is
 * wrong with an event, or `undefined`.
 *
 * @example
 * ```ts
 * const recorded = recordSession<RealtimeServerEvent, RealtimeSession>(
 *   (recording) => createRealtimeSession({ ...recording.defaults, model, ...recording.sink }),
 *   specErrors,
 * );
 * ```
 */
export function recordSession<
  Event extends { readonly type: string },
  Session extends { receive(frame: string): void },
>(
  open: (recording: Recording) => Session,
  specProblems: (event: Event) => unknown,
): RecordedSession<Session, Event> {
  const events: Event[] = [];
  let eventCounter = 0;
  const session = open({
    defaults: { eventIds: () => `event_${++eventCounter}`, now: () => 1_700_000_000_000 },
    sink: { frames: 'string', send: (frame) => events.push(JSON.parse(frame)) },
  });
  return {
    session,
    events,
    send: (event) => session.receive(typeof event === 'string' ? event : JSON.stringify(event)),
    only: <T extends Event['type']>(type: T) =>
      events.filter((event): event is Extract<Event, { type: T }> => event.type === type),
    expectSpecValid() {
      for (const event of events) expect(specProblems(event), event.type).toBeUndefined();
    },
  };
}
