import { BETA_SUBPROTOCOL } from '../beta-protocol/beta-handshake.ts';
import type { RelayConfig } from '../config/relay-config.ts';
import type { SessionKind } from '../upstream/upstream-connector.ts';
import { constantTimeEqual } from './constant-time-equal.ts';

/**
 * The path clients connect to, as the official SDKs build it from their base URL.
 *
 * @example
 * ```ts
 * const endpoint = new URL(REALTIME_PATH, 'wss://relay.example.com'); // wss://relay.example.com/v1/realtime
 * ```
 */
export const REALTIME_PATH = '/v1/realtime';

/**
 * The path of translation sessions (`gpt-realtime-translate`), as the live API has it.
 *
 * @example
 * ```ts
 * const endpoint = new URL(TRANSLATIONS_PATH, 'wss://relay.example.com'); // …/v1/realtime/translations
 * ```
 */
export const TRANSLATIONS_PATH = '/v1/realtime/translations';

/**
 * The kind of session a path opens, or `undefined` for a path that opens none (a trailing
 * slash is allowed, as clients that join a base URL and a path add one).
 *
 * @example
 * ```ts
 * sessionKindOf('/v1/realtime/translations'); // 'translation'
 * sessionKindOf('/v1/realtime/'); // 'realtime'
 * ```
 */
export function sessionKindOf(pathname: string): SessionKind | undefined {
  const path = pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  if (path === REALTIME_PATH) return 'realtime';
  if (path === TRANSLATIONS_PATH) return 'translation';
  return undefined;
}

/**
 * The browser subprotocol the relay echoes, as the Realtime API does.
 *
 * @example
 * ```ts
 * new WebSocket(url, [REALTIME_SUBPROTOCOL]);
 * ```
 */
export const REALTIME_SUBPROTOCOL = 'realtime';

/**
 * Prefix of the browser subprotocol that carries a credential.
 *
 * @example
 * ```ts
 * new WebSocket(url, [REALTIME_SUBPROTOCOL, `${INSECURE_KEY_SUBPROTOCOL_PREFIX}${token}`]);
 * ```
 */
export const INSECURE_KEY_SUBPROTOCOL_PREFIX = 'openai-insecure-api-key.';

/** Longest `model` query parameter accepted: real model names are a few dozen characters. */
export const MAX_MODEL_LENGTH = 128;

/** Printable ASCII without spaces: what model names (`gpt-realtime`, `ft:…:org:id`) are made of. */
const MODEL_PATTERN = /^[\x21-\x7e]{1,128}$/;

/** What a client refused for its subprotocols is told to offer (no request data in it). */
const OFFER_REALTIME = `the '${REALTIME_SUBPROTOCOL}' subprotocol (beside '${INSECURE_KEY_SUBPROTOCOL_PREFIX}<token>' when the token travels that way)`;

/** What `intent` values (`transcription`) are made of: a short lower-case word. */
const INTENT_PATTERN = /^[a-z_]{1,32}$/;

/** What {@link admitRequest} needs to know about an upgrade request. */
export interface AdmissionRequest {
  /** The request URL (absolute, or a path with query). */
  readonly url: string;
  /** Header lookup, case-insensitive (a web `Headers` object fits). */
  readonly headers: { get(name: string): string | null };
  /** Sessions open right now. */
  readonly activeSessions: number;
  /** Whether the server is shutting down. */
  readonly draining?: boolean;
  /**
   * The credential, already checked (a client secret, which takes an asynchronous check):
   * given, the request's tokens are not looked at again.
   */
  readonly credential?: { readonly tenant: string | undefined };
}

/** The admission decision: upgrade with these settings, or answer with an HTTP status. */
export type AdmissionDecision =
  | {
      readonly ok: true;
      /** The `model` query parameter, passed on upstream. */
      readonly model: string | undefined;
      /** The `intent` query parameter (`transcription` opens a transcription session), passed on. */
      readonly intent: string | undefined;
      /** The tenant of the credential presented (`tenant:token` in `relayTokens`), if named. */
      readonly tenant: string | undefined;
      /** Subprotocol to select in the handshake response, when the client offered it. */
      readonly protocol: string | undefined;
      /** The kind of session the path opens (`/v1/realtime/translations`: a translation session). */
      readonly kind: SessionKind;
    }
  | {
      readonly ok: false;
      readonly status: 400 | 401 | 403 | 404 | 429 | 503;
      /** Stable reason, safe for metrics and logs. */
      readonly code:
        | 'invalid_model'
        | 'invalid_intent'
        | 'unsupported_subprotocol'
        | 'not_found'
        | 'forbidden_origin'
        | 'unauthorized'
        | 'over_capacity'
        | 'model_not_allowed'
        | 'shutting_down'
        | 'too_many_sessions'
        | 'quota_exceeded'
        | 'usage_store_unavailable';
      /** Text for the HTTP response body (no request data in it). */
      readonly message: string;
    };

/**
 * Decides whether an upgrade request becomes a session. A pure function: the adapter reads
 * the request, calls this, and either upgrades (selecting `protocol`) or answers `status`.
 *
 * Checks, in order: path (404: `/v1/realtime` or `/v1/realtime/translations`), `Origin` against `allowedOrigins` when the request carries one
 * (403; non-browser clients send none), a token from `relayTokens` as `Authorization: Bearer`
 * or as the `openai-insecure-api-key.<token>` subprotocol (401), the offered subprotocols (400
 * unless `realtime` or, on `/v1/realtime` with `betaProtocol: 'translate'`, a beta client's
 * `openai-beta.realtime-v1` is among them, since those are the ones the relay selects,
 * `realtime` first, and strict clients fail a handshake that selects none), the `model`
 * parameter (400: 1 to 128 printable ASCII characters, since it is passed upstream and
 * logged), the `intent` parameter (400: a short lower-case word), then capacity (503).
 *
 * @example
 * ```ts
 * const decision = admitRequest({ url: req.url, headers: new Headers(req.headers), activeSessions }, config);
 * if (!decision.ok) return new Response(decision.message, { status: decision.status });
 * ```
 */
export function admitRequest(
  request: AdmissionRequest,
  config: Pick<RelayConfig, 'relayTokens' | 'allowedOrigins' | 'maxSessions' | 'betaProtocol'>,
): AdmissionDecision {
  const url = new URL(request.url, 'http://relay.invalid');
  const kind = sessionKindOf(url.pathname);
  if (kind === undefined) {
    return { ok: false, status: 404, code: 'not_found', message: 'Not found' };
  }
  const origin = request.headers.get('origin');
  if (
    origin !== null &&
    config.allowedOrigins.length > 0 &&
    !config.allowedOrigins.includes(origin)
  ) {
    return { ok: false, status: 403, code: 'forbidden_origin', message: 'Origin not allowed' };
  }
  const offered = parseSubprotocols(request.headers.get('sec-websocket-protocol'));
  const credential = request.credential
    ? { ok: true as const, tenant: request.credential.tenant }
    : authenticateRequest(request.headers, config);
  if (!credential.ok) {
    return {
      ok: false,
      status: 401,
      code: 'unauthorized',
      message: 'Missing or invalid credential',
    };
  }
  const { tenant } = credential;
  // Strict clients (browsers, undici, ws) fail a handshake that selects none of the
  // subprotocols they offered. The relay never selects the credential one, which would echo
  // the token in a response header, so a client offering only that is told what to add.
  // A beta browser client offers `openai-beta.realtime-v1`: selectable when `realtime` is not,
  // and only where a beta client is served. A translation session is GA only; under
  // BETA_PROTOCOL=refuse, selecting it would half-accept a beta session whose every beta event
  // is then refused, so that client is answered as a GA-only relay answers it.
  const servesBeta = kind === 'realtime' && config.betaProtocol === 'translate';
  const selectable = (
    servesBeta ? [REALTIME_SUBPROTOCOL, BETA_SUBPROTOCOL] : [REALTIME_SUBPROTOCOL]
  ).find((protocol) => offered.includes(protocol));
  if (offered.length > 0 && selectable === undefined) {
    return {
      ok: false,
      status: 400,
      code: 'unsupported_subprotocol',
      message: offered.includes(BETA_SUBPROTOCOL)
        ? `Only the GA Realtime protocol is served here: offer ${OFFER_REALTIME}`
        : `Offer ${OFFER_REALTIME}`,
    };
  }
  const model = url.searchParams.get('model') ?? undefined;
  if (model !== undefined && !MODEL_PATTERN.test(model)) {
    return {
      ok: false,
      status: 400,
      code: 'invalid_model',
      message: `Expected the model parameter to be 1 to ${MAX_MODEL_LENGTH} printable ASCII characters`,
    };
  }
  const intent = url.searchParams.get('intent') ?? undefined;
  if (intent !== undefined && kind === 'translation') {
    return {
      ok: false,
      status: 400,
      code: 'invalid_intent',
      message: 'A translation session takes no intent parameter',
    };
  }
  if (intent !== undefined && !INTENT_PATTERN.test(intent)) {
    return {
      ok: false,
      status: 400,
      code: 'invalid_intent',
      message: 'Expected the intent parameter to be 1 to 32 lower-case letters or underscores',
    };
  }
  if (request.draining) {
    return { ok: false, status: 503, code: 'shutting_down', message: 'Shutting down' };
  }
  if (request.activeSessions >= config.maxSessions) {
    return { ok: false, status: 503, code: 'over_capacity', message: 'Too many sessions' };
  }
  return {
    ok: true,
    model,
    intent,
    tenant,
    protocol: selectable,
    kind,
  };
}

/**
 * Checks a request's credential against `relayTokens`: a token as `Authorization: Bearer` or
 * as the `openai-insecure-api-key.<token>` subprotocol. Every configured token is compared in
 * constant time, so the time taken says nothing about which one matched. With no tokens
 * configured, every request is let in (with no tenant).
 *
 * @example
 * ```ts
 * const credential = authenticateRequest(request.headers, config);
 * if (!credential.ok) return new Response('Missing or invalid credential', { status: 401 });
 * ```
 */
export function authenticateRequest(
  headers: { get(name: string): string | null },
  config: Pick<RelayConfig, 'relayTokens'>,
): { readonly ok: true; readonly tenant: string | undefined } | { readonly ok: false } {
  if (config.relayTokens.length === 0) return { ok: true, tenant: undefined };
  const offered = parseSubprotocols(headers.get('sec-websocket-protocol'));
  const presented = presentedTokens(headers.get('authorization'), offered);
  let accepted = false;
  let tenant: string | undefined;
  for (const entry of config.relayTokens) {
    const credential = parseCredential(entry);
    for (const token of presented) {
      if (constantTimeEqual(token, credential.token) && !accepted) {
        accepted = true;
        tenant = credential.tenant;
      }
    }
  }
  return accepted ? { ok: true, tenant } : { ok: false };
}

/**
 * Splits a `Sec-WebSocket-Protocol` header into its offered subprotocols.
 *
 * @example
 * ```ts
 * parseSubprotocols('realtime, openai-insecure-api-key.abc'); // ['realtime', 'openai-insecure-api-key.abc']
 * ```
 */
export function parseSubprotocols(header: string | null): string[] {
  if (header === null) return [];
  return header
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** What a tenant is called in `tenant:token`. */
const TENANT_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Reads one `RELAY_TOKENS` entry: `tenant:token` names the tenant whose policy the session
 * gets; a plain token has none (the policy's `default` applies).
 *
 * @example
 * ```ts
 * parseCredential('acme:s3cret'); // { tenant: 'acme', token: 's3cret' }
 * parseCredential('s3cret'); // { tenant: undefined, token: 's3cret' }
 * ```
 */
export function parseCredential(entry: string): { tenant: string | undefined; token: string } {
  const colon = entry.indexOf(':');
  const tenant = colon > 0 ? entry.slice(0, colon) : undefined;
  if (tenant === undefined || !TENANT_PATTERN.test(tenant) || colon === entry.length - 1) {
    return { tenant: undefined, token: entry };
  }
  return { tenant, token: entry.slice(colon + 1) };
}

function presentedTokens(authorization: string | null, offered: readonly string[]): string[] {
  const tokens: string[] = [];
  const match = authorization === null ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (match?.[1] !== undefined) tokens.push(match[1]);
  for (const protocol of offered) {
    if (protocol.startsWith(INSECURE_KEY_SUBPROTOCOL_PREFIX)) {
      tokens.push(protocol.slice(INSECURE_KEY_SUBPROTOCOL_PREFIX.length));
    }
  }
  return tokens;
}
