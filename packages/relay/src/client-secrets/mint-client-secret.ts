import { checkRequestedSession } from '../calls/requested-session.ts';
import type { HttpReply } from '../host/http-reply.ts';
import { readBoundedBody } from '../host/read-bounded-body.ts';
import { isJsonObject, type JsonObject } from '../json-object.ts';
import { applyClientPolicy } from '../policy/client-policy.ts';
import type { TenantPolicy } from '../policy/relay-policy.ts';
import type { SessionKind } from '../upstream/upstream-connector.ts';
import { type ClientSecretKeys, MAX_SEALED_SESSION_BYTES } from './client-secret-token.ts';
import {
  checkTranslationSecretSession,
  translationSessionObject,
} from './translation-secret-session.ts';

/**
 * The path client secrets are minted at, as the live API's.
 *
 * @example
 * ```ts
 * await fetch(new URL(CLIENT_SECRETS_PATH, relayUrl), { method: 'POST', headers, body });
 * ```
 */
export const CLIENT_SECRETS_PATH = '/v1/realtime/client_secrets';

/**
 * Most bytes a client secret request may hold: the sealed session is bounded far below it.
 *
 * @example
 * ```ts
 * const body = await readBoundedBody(request, MAX_CLIENT_SECRET_REQUEST_BYTES);
 * ```
 */
export const MAX_CLIENT_SECRET_REQUEST_BYTES = 64 * 1024;

/** The API's bounds of `expires_after.seconds`, and its default. */
const SECONDS = { min: 10, max: 7_200, default: 600 } as const;

/** Who mints, under which policy, with which keys, when. */
export interface MintClientSecretOptions {
  readonly keys: ClientSecretKeys;
  /** The tenant of the relay token the request carried. */
  readonly tenant: string | undefined;
  /** The tenant's policy, if the relay has one. */
  readonly rules: TenantPolicy | undefined;
  /** Now, in Unix seconds. */
  readonly nowSeconds: number;
  /**
   * The kind of session the secret opens (default `realtime`): `translation` for
   * `POST /v1/realtime/translations/client_secrets`, whose secret opens only a translation
   * session.
   */
  readonly kind?: SessionKind | undefined;
}

/**
 * Answers `POST /v1/realtime/client_secrets` for a caller the relay has already authenticated:
 * reads `{ expires_after, session }`, checks the session against the spec and the tenant's
 * policy exactly as a `session.update` is checked, and replies as the live API does
 * (`{ value, expires_at, session }`) with a secret the relay sealed itself: nothing goes
 * upstream. The reply's `session` is what the client asked for (the operator's instructions and
 * server tools are added when the session starts, from the policy then in force, and never
 * shown). A refusal is the API's error shape with the `param` that is wrong.
 *
 * @example
 * ```ts
 * const reply = await mintClientSecret(request, { keys, tenant, rules, nowSeconds: Date.now() / 1000 });
 * return new Response(reply.body, { status: reply.status, headers: reply.headers });
 * ```
 */
export async function mintClientSecret(
  request: Request,
  options: MintClientSecretOptions,
): Promise<HttpReply> {
  const body = await readBoundedBody(request, MAX_CLIENT_SECRET_REQUEST_BYTES);
  if (body === 'too_large') {
    return refuse(413, 'body_too_large', null, 'The request body is larger than 64 KiB.');
  }
  if (body === 'unreadable')
    return refuse(400, 'invalid_body', null, 'The body could not be read.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return refuse(400, 'invalid_json', null, 'The body must be a JSON object.');
  }
  if (!isJsonObject(parsed)) {
    return refuse(400, 'invalid_json', null, 'The body must be a JSON object.');
  }
  const seconds = expirySeconds(parsed.expires_after);
  if (typeof seconds === 'string') return refuse(400, 'invalid_value', seconds, expiryMessage);
  if (options.kind === 'translation') return mintTranslation(parsed, seconds, options);
  const requested = parsed.session ?? { type: 'realtime' };
  const checked = checkRequestedSession(requested);
  if (!checked.ok) return refuse(400, 'invalid_value', checked.param, checked.message);
  // The session as the client sent it (the decoder keeps the input's shape).
  const session = requested as JsonObject;
  if (options.rules !== undefined) {
    const verdict = applyClientPolicy(
      options.rules,
      // A copy: policy may rewrite what it is given, and the secret seals what the client asked.
      { type: 'session.update', session: structuredClone(session) },
      { clientInstructions: undefined, sessionType: undefined },
    );
    // Policy names the field as the API does (`session.audio.output.voice`): passed on as it is.
    if (verdict.action === 'refuse')
      return refuse(400, verdict.code, verdict.param, verdict.message);
  }
  return sealed(session, seconds, options, () => ({
    ...session,
    object: 'realtime.session',
    id: sessionId(),
  }));
}

/** A translation secret: its session checked as one, sealed marked `translation`. */
async function mintTranslation(
  body: JsonObject,
  seconds: number | undefined,
  options: MintClientSecretOptions,
): Promise<HttpReply> {
  if (body.session === undefined) {
    return refuse(
      400,
      'missing_required_parameter',
      'session',
      'Missing required parameter: session.',
    );
  }
  const checked = checkTranslationSecretSession(body.session, options.rules);
  if (!checked.ok) return refuse(400, checked.code, checked.param, checked.message);
  return sealed(checked.session, seconds, options, (expiresAt) =>
    translationSessionObject(checked.session, sessionId(), expiresAt),
  );
}

/**
 * Seals `session` for `seconds` (the default, within the policy's most), and replies as the
 * live API does: the secret, when it expires, and the session as `shown` shows it.
 */
async function sealed(
  session: JsonObject,
  seconds: number | undefined,
  options: MintClientSecretOptions,
  shown: (expiresAt: number) => JsonObject,
): Promise<HttpReply> {
  if (new TextEncoder().encode(JSON.stringify(session)).length > MAX_SEALED_SESSION_BYTES) {
    return refuse(
      400,
      'invalid_value',
      'session',
      `The session is larger than a client secret carries (${MAX_SEALED_SESSION_BYTES} bytes of JSON).`,
    );
  }
  const lifetime = Math.min(
    seconds ?? SECONDS.default,
    options.rules?.clientSecretMaxSeconds ?? SECONDS.max,
  );
  const expiresAt = Math.floor(options.nowSeconds) + lifetime;
  const value = await options.keys.seal({ tenant: options.tenant, expiresAt, session });
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify({ value, expires_at: expiresAt, session: shown(expiresAt) }),
  };
}

const expiryMessage = `expires_after must be { "anchor": "created_at", "seconds": ${SECONDS.min} to ${SECONDS.max} }.`;

/** The seconds asked for, `undefined` for the default, or the param that is wrong. */
function expirySeconds(value: unknown): number | undefined | string {
  if (value === undefined) return undefined;
  if (!isJsonObject(value)) return 'expires_after';
  if (value.anchor !== undefined && value.anchor !== 'created_at') return 'expires_after.anchor';
  const { seconds } = value;
  if (seconds === undefined) return undefined;
  if (
    typeof seconds !== 'number' ||
    !Number.isInteger(seconds) ||
    seconds < SECONDS.min ||
    seconds > SECONDS.max
  ) {
    return 'expires_after.seconds';
  }
  return seconds;
}

function sessionId(): string {
  return `sess_${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`;
}

function refuse(status: number, code: string, param: string | null, message: string): HttpReply {
  return {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify({ error: { type: 'invalid_request_error', code, param, message } }),
  };
}
