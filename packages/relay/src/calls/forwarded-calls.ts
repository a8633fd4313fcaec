import type { RelayConfig } from '../config/relay-config.ts';
import { authenticateRequest } from '../host/admission.ts';
import type { HttpReply } from '../host/http-reply.ts';
import { presentedClientSecret, type RelayCredential } from '../host/relay-credential.ts';
import type { JsonObject } from '../json-object.ts';
import type { RelayLogger } from '../observe/relay-logger.ts';
import type { RelayMetrics } from '../observe/relay-metrics.ts';
import { applyClientPolicy, initialSessionUpdate } from '../policy/client-policy.ts';
import type { TenantPolicy } from '../policy/relay-policy.ts';
import type { RelaySession } from '../relay-session.ts';
import { CloseCode, CloseReason } from '../session/close-codes.ts';
import type { DuplexSocket } from '../sockets/duplex-socket.ts';
import { callCorsHeaders, callPreflightHeaders } from './call-cors.ts';
import { type CallEnd, callEndReason } from './call-end.ts';
import { readCallOffer } from './call-offer.ts';
import { HANGUP_PATH } from './call-routing.ts';
import { ForwardedCallClient } from './forwarded-call-client.ts';
import {
  hangUpUpstreamCall,
  postUpstreamOffer,
  type UpstreamCallOptions,
  upstreamCallsUrl,
} from './upstream-calls.ts';

/** The path browsers post their offer to. */
const CALLS_PATH = '/v1/realtime/calls';
/** Bound on the upstream's answer to an offer or a hangup. */
const UPSTREAM_TIMEOUT_MS = 10_000;

/** An admitted call, as the host's admission gives it (its `PendingSession`). */
interface CallAdmission {
  readonly ok: true;
  open(client: DuplexSocket, options: { readonly upstreamCallId: string }): RelaySession;
  cancel(): void;
}

/** What forwarded calls need of the host. */
export interface ForwardedCallsDeps {
  readonly config: RelayConfig & { readonly upstreamUrl: URL };
  readonly authenticate: (headers: {
    get(name: string): string | null;
  }) => Promise<RelayCredential>;
  readonly admit: (request: {
    readonly url: string;
    readonly headers: { get(name: string): string | null };
    readonly credential: RelayCredential & { readonly ok: true };
  }) => Promise<CallAdmission | { readonly ok: false; readonly reply: HttpReply }>;
  readonly rulesFor: (tenant: string | undefined) => TenantPolicy | undefined;
  readonly logger: RelayLogger;
  readonly metrics: RelayMetrics;
  /** Makes the relay's id of a new call (see `RelayHostOptions.newCallId`). */
  readonly newCallId?: () => string;
  /** Told when a call ends (see `RelayHostOptions.onCallEnd`). */
  readonly onCallEnd: (call: CallEnd) => void;
}

/** Calls the relay forwards to its upstream, by the relay's own call id. */
export interface ForwardedCalls {
  readonly active: number;
  /** Whether the call `callId` is forwarded by this relay now. */
  holds(callId: string): boolean;
  /** Whether `path` is one of the calls routes (the offer, a hangup). */
  owns(path: string): boolean;
  /** Answers `POST /v1/realtime/calls`, `POST …/{call_id}/hangup` and their preflights. */
  handle(request: Request): Promise<HttpReply>;
  /** A server sideband for a call, once its credential (a relay token of the call's tenant) is checked. */
  attachSideband(
    callId: string,
    headers: { get(name: string): string | null },
  ):
    | { readonly status: number; readonly message: string }
    | { readonly open: (socket: DuplexSocket) => void };
}

interface ForwardedCall {
  /** Whether the upstream call was hung up (once is enough). */
  hungUp: boolean;
  readonly client: ForwardedCallClient;
  readonly session: RelaySession;
  readonly tenant: string | undefined;
  readonly upstreamCallId: string;
}

/**
 * WebRTC calls through the relay to a real Realtime API: the browser's offer goes upstream
 * with the server key and the session as the tenant's policy locks it, the upstream's answer
 * comes back with the relay's own call id, and the relay attaches a sideband to the upstream
 * call (`?call_id=`) as a relay session, so its limits, server tools, metrics and the
 * `MAX_SESSIONS` count apply to the call. The browser's media and events go to the upstream
 * directly.
 *
 * @example
 * ```ts
 * const calls = createForwardedCalls({ config, authenticate, admit, rulesFor, logger, metrics });
 * if (calls.owns(url.pathname)) return reply(await calls.handle(request));
 * ```
 */
export function createForwardedCalls(deps: ForwardedCallsDeps): ForwardedCalls {
  const { config, logger } = deps;
  const calls = new Map<string, ForwardedCall>();
  const upstream: UpstreamCallOptions = {
    callsUrl: upstreamCallsUrl(config.upstreamUrl),
    apiKey: config.upstreamApiKey,
    timeoutMs: UPSTREAM_TIMEOUT_MS,
  };

  const create = async (request: Request, headers: Record<string, string>): Promise<HttpReply> => {
    const credential = await deps.authenticate(request.headers);
    if (!credential.ok) return error(401, headers, 'unauthorized', credential.message);
    const offer = await readCallOffer(request);
    if (!offer.ok) {
      return json(offer.refusal.status, headers, { error: offer.refusal.error });
    }
    // What the call starts with: the client secret's session, what the form adds, as policy
    // locks it (the operator's instructions and server tools go upstream, server to server).
    const asked: JsonObject = { ...(credential.session ?? {}), ...(offer.offer.session ?? {}) };
    const rules = deps.rulesFor(credential.tenant);
    let session: JsonObject | undefined =
      Object.keys(asked).length > 0 ? { type: 'realtime', ...asked } : undefined;
    if (rules !== undefined) {
      const verdict = applyClientPolicy(
        rules,
        { type: 'session.update', session: session ?? { type: 'realtime' } },
        { clientInstructions: undefined, sessionType: undefined },
      );
      if (verdict.action === 'refuse') {
        return error(400, headers, verdict.code, verdict.message, verdict.param);
      }
      const requested =
        verdict.action === 'rewrite' ? (verdict.event.session as JsonObject) : session;
      // What policy sets first on any session (the operator's instructions, the server tools),
      // under what was asked and policed: a field the request leaves out is still locked.
      const locked = initialSessionUpdate(rules)?.session as JsonObject | undefined;
      session = locked === undefined ? requested : { ...locked, ...(requested ?? {}) };
    }
    const model = typeof session?.model === 'string' ? session.model : undefined;
    const admission = await deps.admit({
      url: model === undefined ? '/v1/realtime' : `/v1/realtime?model=${encodeURIComponent(model)}`,
      headers: request.headers,
      credential,
    });
    if (!admission.ok)
      return { ...admission.reply, headers: { ...admission.reply.headers, ...headers } };
    const answer = await postUpstreamOffer(offer.offer.sdp, session, upstream);
    if (!answer.ok) {
      admission.cancel();
      deps.metrics.countError('call_upstream_refused');
      return error(
        answer.status,
        headers,
        answer.status === 502 ? 'upstream_error' : 'upstream_refused',
        answer.message,
      );
    }
    const callId = deps.newCallId?.() ?? `rtc_${crypto.randomUUID().replaceAll('-', '')}`;
    const client = new ForwardedCallClient();
    const relaySession = admission.open(client, { upstreamCallId: answer.callId });
    const call: ForwardedCall = {
      hungUp: false,
      client,
      session: relaySession,
      tenant: credential.tenant,
      upstreamCallId: answer.callId,
    };
    calls.set(callId, call);
    logger.log('info', 'call.open', { session: relaySession.id, forwarded: true });
    const openedAt = Date.now();
    void relaySession.done.then((code) => {
      calls.delete(callId);
      const durationMs = Date.now() - openedAt;
      // A hangup through the relay is one, even when the upstream closed the sideband first.
      const reason = call.hungUp ? 'hangup' : callEndReason(code, client.closedWith?.reason ?? '');
      logger.log('info', 'call.ended', { session: relaySession.id, reason, code, durationMs });
      deps.metrics.countCallEnd(reason);
      deps.onCallEnd({ callId, tenant: credential.tenant, reason, code, durationMs });
      // The session ended first (its time limit, a drain, its sideband lost): the call must
      // not go on upstream without the relay. A call already over upstream answers 404.
      if (!call.hungUp) {
        call.hungUp = true;
        void hangUpUpstreamCall(answer.callId, upstream);
      }
    });
    return {
      status: 201,
      headers: {
        ...headers,
        location: `${CALLS_PATH}/${callId}`,
        'content-type': 'application/sdp',
      },
      body: answer.sdp,
    };
  };

  const hangUp = async (
    callId: string,
    request: Request,
    headers: Record<string, string>,
  ): Promise<HttpReply> => {
    const credential = await deps.authenticate(request.headers);
    if (!credential.ok) return error(401, headers, 'unauthorized', credential.message);
    const call = calls.get(callId);
    if (call === undefined || call.tenant !== credential.tenant) {
      return error(404, headers, 'call_id_not_found', 'No call with this id.', 'call_id');
    }
    call.hungUp = true;
    await hangUpUpstreamCall(call.upstreamCallId, upstream);
    call.session.close(CloseCode.normal, CloseReason.hangup);
    return { status: 200, headers, body: '' };
  };

  return {
    get active() {
      return calls.size;
    },
    holds: (callId) => calls.has(callId),
    owns: (path) => path === CALLS_PATH || HANGUP_PATH.test(path),
    async handle(request) {
      const path = new URL(request.url).pathname;
      const headers = callCorsHeaders(request.headers.get('origin'), config.allowedOrigins);
      if (headers === undefined) return error(403, {}, 'forbidden_origin', 'Origin not allowed');
      if (request.method === 'OPTIONS') {
        return {
          status: 204,
          headers: {
            ...headers,
            ...callPreflightHeaders(request.headers.get('access-control-request-headers')),
          },
          body: '',
        };
      }
      if (request.method !== 'POST') {
        return error(
          405,
          { ...headers, allow: 'POST, OPTIONS' },
          'method_not_allowed',
          'Use POST.',
        );
      }
      const hangup = HANGUP_PATH.exec(path);
      return hangup === null
        ? create(request, headers)
        : hangUp(hangup[1] as string, request, headers);
    },
    attachSideband(callId, headers) {
      // Server credentials only, as the live API: a browser's client secret finds no call.
      if (presentedClientSecret(headers) !== undefined) {
        return { status: 404, message: 'call_id_not_found' };
      }
      const credential = authenticateRequest(headers, config);
      if (!credential.ok) return { status: 401, message: 'Missing or invalid credential' };
      const call = calls.get(callId);
      if (call === undefined || call.tenant !== credential.tenant) {
        return { status: 404, message: 'call_id_not_found' };
      }
      return { open: (socket) => call.client.attachSideband(socket) };
    },
  };
}

function json(status: number, headers: Record<string, string>, body: unknown): HttpReply {
  return {
    status,
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

function error(
  status: number,
  headers: Record<string, string>,
  code: string,
  message: string,
  param: string | null = null,
): HttpReply {
  return json(status, headers, { error: { type: 'invalid_request_error', code, param, message } });
}
