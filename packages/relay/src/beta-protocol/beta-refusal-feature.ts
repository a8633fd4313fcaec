import type { RealtimeClientEvent } from '@rtwire/types';
import { frameReader, type JsonObject } from '../json-object.ts';
import type { ClientRefusal, RelayFeatureFactory } from '../session/feature.ts';
import { peekEventType } from '../session/peek-event-type.ts';
import { type BetaField, betaFieldOf } from './beta-field-of.ts';
import { TRANSCRIPTION_EVENTS } from './beta-fields.ts';

/**
 * The `error` code a beta-protocol event is refused with when the relay does not translate.
 *
 * @example
 * ```ts
 * if (event.error.code === BETA_PROTOCOL_REFUSED) console.log('speak GA:', event.error.param);
 * ```
 */
export const BETA_PROTOCOL_REFUSED = 'beta_protocol_not_supported';

/**
 * The refusal of a beta-protocol event: the relay speaks GA, this is the beta field (as
 * `param`, and in the message with GA's name for it). Names fields, never values.
 *
 * @example
 * ```ts
 * betaRefusal({ param: 'session.modalities', ga: 'session.output_modalities' }).message;
 * ```
 */
export function betaRefusal(field: BetaField): ClientRefusal {
  const instead = field.ga === undefined ? 'GA has no such field' : `GA: ${field.ga}`;
  return {
    action: 'refuse',
    code: BETA_PROTOCOL_REFUSED,
    message: `this relay speaks the GA Realtime protocol; ${field.param} is the beta protocol's (${instead}); event not forwarded`,
    param: field.param,
  };
}

/** Decoded events a beta field can hide in without the decoder refusing them first. */
const DECODED_TYPES: ReadonlySet<string> = new Set(['response.create', 'conversation.item.create']);

/**
 * What a session does with beta-protocol events when translation is off (`BETA_PROTOCOL=refuse`):
 * each is refused with an `error` (`beta_protocol_not_supported`, `param` the beta field)
 * instead of the generic one the decoder or the upstream would give. A `session.update`
 * (which the decoder refuses for its missing `session.type` before any feature sees it) and a
 * `transcription_session.update` are read before decoding, only those, their type peeked
 * first; `response.create` and `conversation.item.create` as decoded.
 *
 * @example
 * ```ts
 * startRelaySession({ client, connectUpstream, model, limits, features: [betaRefusalFeature()] });
 * ```
 */
export function betaRefusalFeature(): RelayFeatureFactory {
  return () => ({
    name: 'beta-refusal',
    clientTypes: DECODED_TYPES,
    admitClientFrame(frame) {
      const type = peekEventType(frame.data);
      if (type !== 'session.update' && type !== TRANSCRIPTION_EVENTS.update) return undefined;
      const event = frameReader(frame.data)();
      const field = event === undefined ? undefined : betaFieldOf(event);
      return field === undefined ? undefined : betaRefusal(field);
    },
    onClientEvent(event: RealtimeClientEvent) {
      const field = betaFieldOf(event as unknown as JsonObject);
      return field === undefined ? undefined : betaRefusal(field);
    },
  });
}
