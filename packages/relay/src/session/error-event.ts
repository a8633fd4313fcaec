import type { RealtimeServerEventError } from '@rtwire/types';

/** Stable codes of the `error` events the relay itself sends to a client. */
export type RelayErrorCode =
  | 'invalid_json'
  | 'invalid_event'
  | 'rate_limit_exceeded'
  | 'upstream_unavailable'
  | 'upstream_closed'
  | 'frame_too_large'
  | 'client_too_slow'
  | 'policy_violation'
  | 'item_not_found'
  | 'invalid_value'
  | 'session_time_limit'
  | 'upstream_reconnected'
  | 'input_audio_lost'
  | 'internal_error';

/** What goes into a relay `error` event. */
export interface RelayErrorDetails {
  readonly type: 'invalid_request_error' | 'server_error';
  /** One of {@link RelayErrorCode}, or a feature's own code. */
  readonly code: RelayErrorCode | (string & {});
  /** Names what was wrong; never contains the client's or the upstream's payload. */
  readonly message: string;
  /** JSON pointer of the offending field, when one is to blame. */
  readonly param?: string | null;
  /** `event_id` of the client event that was refused, when it had one. */
  readonly eventId?: string | null;
}

/**
 * Every event id the relay makes starts with this: an `error` from the upstream that names
 * one answers the relay, not the client, and the client never sees it.
 */
export const RELAY_EVENT_ID_PREFIX = 'event_relay_';

/**
 * The id prefix of one part of the relay (a feature's `session.update`, its replay, its tool
 * outputs): `event_relay_<part>_`, so an `error` naming one tells whose it was.
 *
 * @example
 * ```ts
 * relayEventIdPrefix('resume'); // 'event_relay_resume_'
 * ```
 */
export function relayEventIdPrefix(part: string): string {
  return `${RELAY_EVENT_ID_PREFIX}${part}_`;
}

let sequence = 0;
const prefix = relayEventIdPrefix(Math.random().toString(36).slice(2, 8));

/**
 * The `event_id` of the next event the relay writes to a client itself (its errors, the
 * closing events of a response its upstream lost): unique in the process.
 *
 * @example
 * ```ts
 * sendTo(context, 'client', encodeServerEvent({ type: 'response.done', event_id: nextRelayEventId(), response }), false);
 * ```
 */
export function nextRelayEventId(): string {
  return `${prefix}${++sequence}`;
}

/**
 * Builds a spec-valid `error` server event (`RealtimeServerEventError`) sent by the relay.
 *
 * @example
 * ```ts
 * relayErrorEvent({ type: 'invalid_request_error', code: 'invalid_json', message: 'expected JSON' });
 * ```
 */
export function relayErrorEvent(details: RelayErrorDetails): RealtimeServerEventError {
  return {
    type: 'error',
    event_id: nextRelayEventId(),
    error: {
      type: details.type,
      code: details.code,
      message: details.message,
      param: details.param ?? null,
      event_id: details.eventId ?? null,
    },
  };
}

/**
 * Reads the `event_id` of a client frame the decoder refused, for the `error` event that
 * answers it. Returns undefined when the frame is not a JSON object with a string `event_id`.
 *
 * @example
 * ```ts
 * offendingEventId('{"type":"session.update","event_id":"e1"}'); // 'e1'
 * ```
 */
export function offendingEventId(frame: string | Uint8Array): string | undefined {
  try {
    const text = typeof frame === 'string' ? frame : new TextDecoder().decode(frame);
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, 'event_id'))
      return undefined;
    const eventId = (value as { event_id: unknown }).event_id;
    return typeof eventId === 'string' && eventId.length <= 256 ? eventId : undefined;
  } catch {
    return undefined;
  }
}
