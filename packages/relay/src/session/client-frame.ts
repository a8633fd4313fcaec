import { type ClientEventInput, encodeClientEvent } from '@rtwire/serializer';
import {
  decodeClientEvent,
  decodeTranslationClientEvent,
  errorCodeOf,
  errorParamOf,
  type RealtimeClientEvent,
} from '@rtwire/types';
import { checkSessionBudget, sendRelayError, sendTo } from './backpressure.ts';
import { CloseCode } from './close-codes.ts';
import { offendingEventId, type RelayErrorDetails } from './error-event.ts';
import { failSession } from './fault-boundary.ts';
import type { ClientRefusal, ClientVerdict, RelayClientEvent } from './feature.ts';
import { readsType } from './feature-filter.ts';
import { frameSize } from './frame-size.ts';
import { finishSession } from './session-end.ts';
import type { SessionContext } from './session-state.ts';

/**
 * One client frame: size-checked (too big closes with 1009), offered to the features that
 * admit frames before any parse (the rate limit), then decoded. A refused frame is answered or
 * dropped by {@link refuseClientFrame}. A valid event goes to the features that declared its
 * type, in order: one may refuse it or rewrite it (the rewrite goes upstream re-encoded);
 * otherwise it goes upstream as the bytes that came, an unknown type included.
 *
 * @example
 * ```ts
 * client.listen({ message: (data, binary) => onClientFrame(context, data, binary), … });
 * ```
 */
export function onClientFrame(
  context: SessionContext,
  data: string | Uint8Array,
  binary: boolean,
): void {
  const { state, limits, metrics, features } = context;
  if (state.closed) return;
  state.lastClientFrameAt = context.now();
  const bytes = frameSize(data);
  if (bytes > limits.maxFrameBytes) {
    metrics?.countError('frame_too_large');
    finishSession(context, CloseCode.messageTooBig, 'message too big', false);
    return;
  }
  if (state.waiting !== undefined) {
    holdClientFrame(context, data, binary);
    return;
  }
  for (const feature of features) {
    const refusal = feature.admitClientFrame?.({ data, bytes });
    if (refusal !== undefined) {
      refuseWith(context, data, undefined, refusal);
      return;
    }
  }
  // A translation session speaks a protocol of its own, whose `session.update` is not the
  // Realtime one: each kind is decoded against its own schemas.
  const decoded =
    context.kind === 'translation' ? decodeTranslationClientEvent(data) : decodeClientEvent(data);
  if (!decoded.ok) {
    const { error } = decoded;
    refuseClientFrame(context, data, error.eventId ?? null, {
      type: 'invalid_request_error',
      code: errorCodeOf(error),
      message: `${error.message}; event not forwarded`,
      param: errorParamOf(error.path),
    });
    return;
  }
  metrics?.countFrame('client_to_upstream', decoded.known ? decoded.event.type : undefined, bytes);
  if (context.debug) {
    // What the client said stays out of the log (text, audio, instructions, tool arguments):
    // its type, its size and the ids that tie it to other lines.
    context.logger.log('debug', 'client.event', {
      session: context.id,
      type: decoded.known ? decoded.event.type : 'unknown',
      bytes,
      ...idsForLog(decoded.event as unknown as Record<string, unknown>),
    });
  }
  if (!decoded.known) {
    sendTo(context, 'upstream', data, binary, bytes);
    return;
  }
  runClientFeatures(
    context,
    { data, binary, bytes, decoded: decoded.event },
    decoded.event,
    0,
    false,
  );
}

/** A decoded client frame on its way through the features. */
interface ClientPassage {
  readonly data: string | Uint8Array;
  readonly binary: boolean;
  readonly bytes: number;
  /** The event as decoded (its `event_id` answers a refusal). */
  readonly decoded: RelayClientEvent;
}

/**
 * The features that declared the event's type, from the one at `from`: one may refuse it,
 * rewrite it (the rewrite goes upstream re-encoded) or ask to decide later, which holds it
 * and every client frame after it until the decision is made.
 */
function runClientFeatures(
  context: SessionContext,
  passage: ClientPassage,
  current: RelayClientEvent,
  from: number,
  wasRewritten: boolean,
): void {
  const { state, features } = context;
  let event = current;
  let rewritten = wasRewritten;
  for (let index = from; index < features.length; index++) {
    const feature = features[index] as (typeof features)[number];
    if (feature.onClientEvent === undefined || !readsType(feature.clientTypes, event.type)) {
      continue;
    }
    const verdict = feature.onClientEvent(event);
    if (state.closed) return;
    if (verdict === undefined) continue;
    if (verdict.action === 'await') {
      awaitVerdict(context, feature.name, verdict.decision, (settled) =>
        applyVerdict(context, passage, event, index, rewritten, settled),
      );
      return;
    }
    if (verdict.action === 'refuse') {
      refuseWith(context, passage.data, passage.decoded.event_id ?? null, verdict);
      return;
    }
    event = verdict.event as unknown as RelayClientEvent;
    rewritten = true;
  }
  if (rewritten) {
    sendTo(context, 'upstream', encodeClientEvent(event as unknown as ClientEventInput), false);
    return;
  }
  // The engine in process takes the decoded event with the bytes and does not decode again
  // (a Realtime session's: a translation session's engine decodes its own protocol).
  sendTo(
    context,
    'upstream',
    passage.data,
    passage.binary,
    passage.bytes,
    context.kind === 'realtime' ? (event as RealtimeClientEvent) : undefined,
  );
}

/** A decision made later, applied as if it had come at once; then the features after it. */
function applyVerdict(
  context: SessionContext,
  passage: ClientPassage,
  event: RelayClientEvent,
  index: number,
  rewritten: boolean,
  verdict: ClientVerdict,
): void {
  if (verdict?.action === 'refuse') {
    refuseWith(context, passage.data, passage.decoded.event_id ?? null, verdict);
    return;
  }
  if (verdict?.action === 'await') {
    awaitVerdict(context, 'feature', verdict.decision, (settled) =>
      applyVerdict(context, passage, event, index, rewritten, settled),
    );
    return;
  }
  const next =
    verdict?.action === 'rewrite' ? (verdict.event as unknown as RelayClientEvent) : event;
  runClientFeatures(context, passage, next, index + 1, rewritten || verdict !== undefined);
}

/**
 * Holds the client's frames until `decision` settles, then applies it and handles the held
 * frames in order (until one of them waits in turn). A rejection, or a throw while applying,
 * ends the session as any fault does.
 */
function awaitVerdict(
  context: SessionContext,
  where: string,
  decision: PromiseLike<ClientVerdict>,
  apply: (verdict: ClientVerdict) => void,
): void {
  const { state } = context;
  state.waiting ??= [];
  Promise.resolve(decision).then(
    (verdict) => {
      if (state.closed) return;
      const held = state.waiting ?? [];
      state.waiting = undefined;
      state.waitingBytes = 0;
      try {
        apply(verdict);
        for (let index = 0; index < held.length && !state.closed; index++) {
          if (state.waiting !== undefined) {
            // Waiting again: the rest stay held, ahead of anything newer.
            for (const frame of held.slice(index))
              holdClientFrame(context, frame.data, frame.binary);
            return;
          }
          const frame = held[index] as (typeof held)[number];
          onClientFrame(context, frame.data, frame.binary);
        }
      } catch (error) {
        failSession(context, `${where}.client_event`, error);
      }
    },
    (error: unknown) => failSession(context, `${where}.client_event`, error),
  );
}

/** A client frame held while a decision is pending: past the hard limit the session ends. */
function holdClientFrame(
  context: SessionContext,
  data: string | Uint8Array,
  binary: boolean,
): void {
  const { state, limits } = context;
  const waiting = state.waiting ?? [];
  state.waiting = waiting;
  waiting.push({ data, binary });
  state.waitingBytes += frameSize(data);
  // A client that keeps sending while it waits is a client too fast for its upstream.
  if (state.waitingBytes > limits.hardLimitBytes) {
    context.logger.log('warn', 'session.too_slow', { session: context.id, side: 'upstream' });
    context.metrics?.countError('client_frames_held');
    finishSession(context, CloseCode.tryAgainLater, 'too many client frames held', false);
    return;
  }
  checkSessionBudget(context);
}

function refuseWith(
  context: SessionContext,
  data: string | Uint8Array,
  eventId: string | null | undefined,
  refusal: ClientRefusal,
): void {
  refuseClientFrame(context, data, eventId, {
    type: 'invalid_request_error',
    code: refusal.code,
    message: refusal.message,
    param: refusal.param,
  });
}

/**
 * A refused client frame. Only a burst of refusals is answered with an `error` event, and
 * only while the client reads its replies; later ones are dropped (logged at most once a
 * second) and past the budget the session closes with 1008. `eventId` is the frame's own id
 * when the decoder read it, `undefined` when the frame was never parsed (it is then read only
 * if it gets an answer).
 *
 * @example
 * ```ts
 * refuseClientFrame(context, frame, undefined, { type: 'invalid_request_error', code: 'rate_limit_exceeded', message: 'slow down' });
 * ```
 */
export function refuseClientFrame(
  context: SessionContext,
  frame: string | Uint8Array,
  eventId: string | null | undefined,
  details: Omit<RelayErrorDetails, 'eventId'>,
): void {
  const { state, metrics, logger } = context;
  state.refused++;
  const at = context.now();
  const verdict = context.refusals.judge(at);
  if (verdict === 'close') {
    metrics?.countError('too_many_refused');
    logger.log('warn', 'session.too_many_refused', { session: context.id, refused: state.refused });
    finishSession(context, CloseCode.policyViolation, 'too many refused events', false);
    return;
  }
  const suppressed = context.refusalLog.take(at);
  if (suppressed !== undefined) {
    logger.log('info', 'client.frame_refused', {
      session: context.id,
      code: details.code,
      param: details.param,
      ...(suppressed > 0 ? { suppressed } : {}),
    });
  }
  // An answer waits behind nothing: a client not reading its replies gets no more of them.
  if (verdict === 'answer' && context.client.bufferedAmount <= context.limits.highWaterBytes) {
    sendRelayError(context, {
      ...details,
      eventId: eventId === undefined ? offendingEventId(frame) : eventId,
    });
    return;
  }
  metrics?.countError(details.code);
  if (metrics) metrics.refusalsUnanswered++;
}

/**
 * Ids are logged only in the shape the protocol gives them (`event_…`, `evt_…`, `item_…`, a
 * short prefix, an underscore, then letters and digits): a client-chosen id outside it could be
 * any 64 characters of the client's, a phone number as well as an id.
 */
const ID_SHAPED = /^(?:event|evt|item|msg|call|resp|fc)_[A-Za-z0-9]{1,48}$/;

/**
 * The ids of a client event a debug line may carry (`event_id`, and the item it names), each
 * only when id-shaped: a client can put any text in them, and that text stays out of logs.
 *
 * @example
 * ```ts
 * idsForLog({ type: 'conversation.item.delete', event_id: 'e1', item_id: 'item_1' }); // { event_id: 'e1', item_id: 'item_1' }
 * ```
 */
export function idsForLog(event: Record<string, unknown>): {
  event_id?: string;
  item_id?: string;
} {
  const item = event.item;
  const itemId =
    event.item_id ??
    (typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined);
  return {
    ...(typeof event.event_id === 'string' && ID_SHAPED.test(event.event_id)
      ? { event_id: event.event_id }
      : {}),
    ...(typeof itemId === 'string' && ID_SHAPED.test(itemId) ? { item_id: itemId } : {}),
  };
}
