import { type ClientEventInput, encodeClientEvent } from '@rtwire/serializer';
import { type RealtimeTranslationClientEvent, translationClientEventProblem } from '@rtwire/types';
import { isJsonObject, type JsonObject } from '../../json-object.ts';
import { POLICY_UPDATE_EVENT_ID } from '../../policy/client-policy.ts';
import type { TenantPolicy } from '../../policy/relay-policy.ts';
import type { ClientVerdict, RelayFeatureFactory, UpstreamVerdict } from '../../session/feature.ts';

/** The one client event of a translation session that policy reads. */
const CLIENT_TYPES: ReadonlySet<string> = new Set(['session.update']);

/**
 * The session as the client is first shown it, the answer to the relay's own opening update,
 * and the error it may get instead.
 */
const UPSTREAM_TYPES: ReadonlySet<string> = new Set([
  'session.created',
  'session.updated',
  'error',
]);

const WITHHOLD = { action: 'withhold' } as const;

/**
 * A tenant's policy over a translation session (`/v1/realtime/translations`): the languages
 * it may translate into (`outputLanguages`). Before anything of the client's, the first
 * upstream is set to the first of them (that `session.updated` is withheld, as the client did
 * not ask for it, and `session.created` shows the language the update sets); a client `session.update` naming another language is refused with
 * `policy_violation` and the param `session.audio.output.language`, or under
 * `onViolation: "clamp"` sent on with the first allowed language. An update with a field the
 * translation protocol does not have is refused as the live API refuses it
 * (`unknown_parameter`, naming the field). The language's value is
 * never repeated in the refusal: the allowed ones, which are the operator's, are.
 *
 * @example
 * ```ts
 * startSessionPipe({ …, kind: 'translation', features: [translationPolicyFeature(rules)] });
 * ```
 */
export function translationPolicyFeature(rules: TenantPolicy): RelayFeatureFactory {
  const allowed = rules.outputLanguages;
  return (session) => {
    /** `session.updated` events still to come that answer the relay's own update. */
    let ownUpdates = 0;
    return {
      name: 'translation-policy',
      clientTypes: CLIENT_TYPES,
      upstreamTypes: UPSTREAM_TYPES,
      onClientEvent(event: RealtimeTranslationClientEvent): ClientVerdict {
        if (event.type !== 'session.update') return undefined;
        // Policy reads the update, so it must know every field in it: one it does not know
        // (a Realtime field sent to a translation session) could change what it checked.
        const problem = translationClientEventProblem(event);
        if (problem !== undefined) {
          return {
            action: 'refuse',
            code: problem.code,
            message: problem.message,
            param: problem.param,
          };
        }
        if (allowed === undefined) return undefined;
        const language = event.session.audio?.output?.language;
        if (typeof language !== 'string' || allowed.includes(language)) return undefined;
        if (rules.onViolation === 'clamp') {
          const body = event as unknown as JsonObject;
          const sessionBody = body.session as JsonObject;
          const audio = sessionBody.audio as JsonObject;
          return {
            action: 'rewrite',
            event: {
              ...body,
              session: {
                ...sessionBody,
                audio: {
                  ...audio,
                  output: { ...(audio.output as JsonObject), language: allowed[0] as string },
                },
              },
            },
          };
        }
        return {
          action: 'refuse',
          code: 'policy_violation',
          message: `the output language is not allowed (allowed: ${allowed.join(', ')})`,
          param: 'session.audio.output.language',
        };
      },
      onUpstreamOpen(mode) {
        const first = allowed?.[0];
        if (mode !== 'first' || first === undefined) return undefined;
        ownUpdates = 1;
        const opening = {
          type: 'session.update',
          event_id: POLICY_UPDATE_EVENT_ID,
          session: { audio: { output: { language: first } } },
        };
        return [encodeClientEvent(opening as unknown as ClientEventInput)];
      },
      onUpstreamFrame(frame): UpstreamVerdict {
        if (frame.type === 'session.created') {
          return shownWithLanguage(frame.event(), allowed?.[0]);
        }
        if (ownUpdates === 0) return undefined;
        if (frame.type === 'session.updated') {
          ownUpdates--;
          return WITHHOLD;
        }
        const event = frame.event();
        const id = event !== undefined && isJsonObject(event.error) ? event.error.event_id : null;
        if (id !== POLICY_UPDATE_EVENT_ID) return undefined;
        ownUpdates--;
        session.logger.log('warn', 'policy.upstream_error', {
          session: session.id,
          code: isJsonObject(event?.error) ? event.error.code : undefined,
        });
        return WITHHOLD;
      },
    };
  };
}

/** `session.created` as the client is shown it: with the language the opening update sets. */
function shownWithLanguage(
  event: JsonObject | undefined,
  language: string | undefined,
): UpstreamVerdict {
  if (language === undefined || event === undefined || !isJsonObject(event.session)) {
    return undefined;
  }
  const audio = isJsonObject(event.session.audio) ? event.session.audio : {};
  const output = isJsonObject(audio.output) ? audio.output : {};
  if (output.language === language) return undefined;
  return {
    action: 'rewrite',
    event: {
      ...event,
      session: { ...event.session, audio: { ...audio, output: { ...output, language } } },
    },
  };
}
