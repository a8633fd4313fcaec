import type { RealtimeClientEvent, RealtimeServerEvent } from './generated/event-types.ts';

/** The `type` string of any server event. */
export type ServerEventType = RealtimeServerEvent['type'];

/** The `type` string of any client event. */
export type ClientEventType = RealtimeClientEvent['type'];

/** Any event of the protocol, from either side. */
export type RealtimeEvent = RealtimeServerEvent | RealtimeClientEvent;

/**
 * The event interface for a `type` string, from either side of the protocol.
 *
 * @example
 * ```ts
 * type Delta = EventOf<'response.output_text.delta'>; // RealtimeServerEventResponseTextDelta
 * ```
 */
export type EventOf<T extends RealtimeEvent['type']> = Extract<RealtimeEvent, { type: T }>;

/** The server event interface for a `type` string. */
export type ServerEventOf<T extends ServerEventType> = Extract<RealtimeServerEvent, { type: T }>;

/** The client event interface for a `type` string. */
export type ClientEventOf<T extends ClientEventType> = Extract<RealtimeClientEvent, { type: T }>;

/**
 * An event whose `type` this version of the protocol does not know. Every field is kept, so a
 * relay can forward it and a newer consumer can still read it.
 */
export interface UnknownEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}
