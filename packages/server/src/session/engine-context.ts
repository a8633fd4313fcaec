import type { EventId } from '@rtwire/serializer';
import type { RealtimeServerEvent } from '@rtwire/types';
import type { FrameSink } from '../frame-sink.ts';
import type { Refusal } from './refusals.ts';
import type { IdKind } from './session-ids.ts';

/**
 * What every concern of a session shares: where events go, the ids, the fault boundary.
 * Made once by the session; the concerns hold it and own nothing of each other.
 *
 * @example
 * ```ts
 * context.emit(ServerEvents.inputAudioBufferCleared(context.nextEventId()));
 * context.refuse(refusals.itemNotFound(), event.event_id);
 * ```
 */
export interface EngineContext {
  /** Where frames go, already encoded. */
  readonly sink: FrameSink;
  readonly nextEventId: () => string;
  /**
   * The event id to give an encoder for one frame: the session's sequence, whose next id the
   * encoder writes in place (the hot path of deltas), or with the host's own ids the next one.
   */
  readonly frameEventId: () => EventId;
  readonly id: (kind: IdKind) => string;
  /** Encodes and sends one event. */
  emit(event: RealtimeServerEvent): void;
  /** Answers a client event with its `error` event. */
  refuse(refusal: Refusal, eventId: string | null | undefined): void;
  /**
   * Runs one way into the session (a timer, a model's promise or output, a detector's report):
   * whatever throws in it ends this session, never its host's process.
   */
  guard(run: () => void): void;
  /** Ends the session after an unexpected throw (see `RealtimeSessionOptions.close`). */
  fault(): void;
  /** Whether the session closed: nothing is sent any more. */
  readonly closed: boolean;
}
