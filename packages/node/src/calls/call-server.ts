import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  authenticateRequest,
  type CallSession,
  callCorsHeaders,
  callPreflightHeaders,
  type DuplexSocket,
  HANGUP_PATH,
  presentedClientSecret,
  type RelayHost,
  type RelaySession,
  readCallOffer,
  type SessionKind,
  TRANSLATIONS_PATH,
} from '@rtwire/relay';
import { toWebRequest } from '../web-request.ts';
import { CallSocket, type CallTransport } from './call-socket.ts';

/**
 * The path browsers `POST` their offer to, as the live API's.
 *
 * @example
 * ```ts
 * const response = await fetch(new URL(CALLS_PATH, relayUrl), { method: 'POST', body: offer.sdp, headers: { 'content-type': 'application/sdp' } });
 * ```
 */
export const CALLS_PATH = '/v1/realtime/calls';

/**
 * The path a translation call's offer is posted to, as the live API's: the call is a
 * translation session (audio in on the track, translated speech out on it, the transcripts on
 * the data channel).
 *
 * @example
 * ```ts
 * await fetch(new URL(`${TRANSLATION_CALLS_PATH}?model=gpt-realtime-translate`, relayUrl), { method: 'POST', body: offer.sdp, headers: { 'content-type': 'application/sdp' } });
 * ```
 */
export const TRANSLATION_CALLS_PATH = '/v1/realtime/translations/calls';

/**
 * A WebRTC stack as the call server uses it: it answers an offer with its SDP and the call's
 * transport (the data channel and track, and the end of the peer).
 */
export interface WebRtcStack {
  /** Answers `offer`; rejects when the offer cannot be taken (no audio, no data channel). */
  answer(offer: string): Promise<{ readonly sdp: string; readonly transport: CallTransport }>;
  /** Stops taking calls and frees what the stack holds (sockets, certificate). */
  close(): Promise<void>;
}

/**
 * What a {@link WebRtcStack} throws for an offer it cannot answer (no audio, not SDP it can
 * read): the caller's mistake, answered 400. Anything else a stack throws is the server's,
 * answered 500.
 *
 * @example
 * ```ts
 * if (!offer.includes('m=audio')) throw new UnanswerableOfferError('the offer has no audio');
 * ```
 */
export class UnanswerableOfferError extends Error {
  override readonly name = 'UnanswerableOfferError';
}

/** Options of {@link createCallServer}. */
export interface CallServerOptions {
  readonly host: RelayHost;
  readonly stack: WebRtcStack;
}

/** Calls on a relay: the `/v1/realtime/calls` routes and the sidebands attached by call id. */
export interface CallServer {
  /** Calls in progress. */
  readonly activeCalls: number;
  /** Whether this server holds the call `callId` now. */
  holds(callId: string): boolean;
  /**
   * Answers `POST /v1/realtime/calls`, `POST /v1/realtime/calls/{id}/hangup` and their CORS
   * preflights; returns `false`, touching nothing, for any other path.
   */
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean;
  /**
   * Where a sideband WebSocket (`/v1/realtime?call_id=…`) goes: the call's session, once its
   * credential is checked. Returns the HTTP status to refuse the upgrade with, or `undefined`
   * when `open` may be called with the upgraded socket.
   */
  admitSideband(
    callId: string,
    headers: { get(name: string): string | null },
  ):
    | { readonly status: number; readonly message: string }
    | { readonly open: (socket: DuplexSocket) => void };
  /** Ends every call (1001) and closes the stack. */
  close(): Promise<void>;
}

interface Call {
  readonly socket: CallSocket;
  readonly session: RelaySession;
  readonly tenant: string | undefined;
}

/**
 * Serves WebRTC calls for a relay whose upstream is the engine: a browser `POST`s its SDP
 * offer, gets the answer and `Location: /v1/realtime/calls/{call_id}`, and its call becomes a
 * relay session like a WebSocket's (admitted, counted toward `MAX_SESSIONS`, policed, metered).
 * A server drives the same call through a sideband WebSocket, and ends it by `POST …/hangup`.
 *
 * @example
 * ```ts
 * const calls = createCallServer({ host: relay.host, stack });
 * createServer((request, response) => {
 *   if (!calls.handleRequest(request, response)) response.writeHead(404).end();
 * });
 * ```
 */
export function createCallServer(options: CallServerOptions): CallServer {
  const { host, stack } = options;
  const calls = new Map<string, Call>();

  const cors = (request: IncomingMessage) =>
    callCorsHeaders(header(request, 'origin'), host.config.allowedOrigins);

  const reply = (
    response: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: string,
    contentType = 'application/json',
  ) => {
    response.writeHead(status, { ...headers, 'content-type': contentType }).end(body);
  };
  const error = (
    response: ServerResponse,
    status: number,
    headers: Record<string, string>,
    code: string,
    message: string,
    param: string | null = null,
  ) =>
    reply(
      response,
      status,
      headers,
      JSON.stringify({ error: { type: 'invalid_request_error', code, param, message } }),
    );

  const create = async (
    request: IncomingMessage,
    response: ServerResponse,
    headers: Record<string, string>,
    kind: SessionKind,
  ) => {
    // The credential first (a relay token, or a client secret the relay minted): an unknown
    // caller gets 401, saying why, before its body is read.
    const credential = await host.authenticate(headersOf(request));
    if (!credential.ok) {
      error(response, 401, headers, 'unauthorized', credential.message);
      request.resume();
      return;
    }
    const offer = await readCallOffer(toWebRequest(request), { kind });
    if (!offer.ok) {
      reply(
        response,
        offer.refusal.status,
        headers,
        JSON.stringify({ error: offer.refusal.error }),
      );
      return;
    }
    const { sdp, session, translationSession } = offer.offer;
    // The model as the form's session names it, else as the query does (`?model=`, as on the
    // WebSocket path); admission checks it either way.
    const named = session?.model ?? translationSession?.model;
    const model =
      typeof named === 'string'
        ? named
        : (new URLSearchParams((request.url ?? '').split('?')[1] ?? '').get('model') ?? undefined);
    const path = kind === 'translation' ? TRANSLATIONS_PATH : '/v1/realtime';
    const admission = await host.admit({
      url: model === undefined ? path : `${path}?model=${encodeURIComponent(model)}`,
      headers: headersOf(request),
      credential,
    });
    if (!admission.ok) {
      reply(
        response,
        admission.reply.status,
        { ...admission.reply.headers, ...headers },
        admission.reply.body,
        'text/plain; charset=utf-8',
      );
      return;
    }
    let answer: Awaited<ReturnType<WebRtcStack['answer']>>;
    try {
      answer = await stack.answer(sdp);
    } catch (failure) {
      admission.cancel();
      if (failure instanceof UnanswerableOfferError) {
        error(
          response,
          400,
          headers,
          'invalid_sdp',
          'The offer could not be answered: it needs an audio track and a data channel.',
          'sdp',
        );
      } else {
        host.metrics.countError('call_setup_failed');
        error(response, 500, headers, 'server_error', 'The call could not be set up.');
      }
      return;
    }
    const callId =
      host.callDirectory?.newCallId() ?? `rtc_${crypto.randomUUID().replaceAll('-', '')}`;
    const socket = new CallSocket(answer.transport, { protocol: kind });
    const relaySession = admission.open(socket);
    calls.set(callId, { socket, session: relaySession, tenant: credential.tenant });
    void relaySession.done.then(() => calls.delete(callId));
    // After the session a client secret seals (its first event, a microtask from now): what
    // the form asks for is the client's own change on top of it.
    if (session !== undefined) queueMicrotask(() => socket.fromClient(sessionUpdate(session)));
    // A translation call's session: the audio its session.update may set (its model named
    // the session already).
    const audio = translationSession?.audio;
    if (audio !== undefined) {
      queueMicrotask(() =>
        socket.fromClient(JSON.stringify({ type: 'session.update', session: { audio } })),
      );
    }
    reply(
      response,
      201,
      { ...headers, location: `${CALLS_PATH}/${callId}` },
      answer.sdp,
      'application/sdp',
    );
  };

  return {
    get activeCalls() {
      return calls.size;
    },
    handleRequest(request, response) {
      const path = (request.url ?? '/').split('?', 1)[0] as string;
      const hangup = HANGUP_PATH.exec(path);
      if (path !== CALLS_PATH && path !== TRANSLATION_CALLS_PATH && hangup === null) return false;
      const headers = cors(request);
      if (headers === undefined) {
        error(response, 403, {}, 'forbidden_origin', 'Origin not allowed');
        return true;
      }
      if (request.method === 'OPTIONS') {
        response
          .writeHead(204, {
            ...headers,
            ...callPreflightHeaders(header(request, 'access-control-request-headers')),
          })
          .end();
        return true;
      }
      if (request.method !== 'POST') {
        error(
          response,
          405,
          { ...headers, allow: 'POST, OPTIONS' },
          'method_not_allowed',
          'Use POST.',
        );
        return true;
      }
      if (hangup !== null) {
        const call = calls.get(hangup[1] as string);
        const credential = authenticateRequest(headersOf(request), host.config);
        if (!credential.ok) {
          error(response, 401, headers, 'unauthorized', 'Missing or invalid credential');
        } else if (call === undefined || call.tenant !== credential.tenant) {
          error(response, 404, headers, 'call_id_not_found', 'No call with this id.', 'call_id');
        } else {
          call.socket.close(1000, 'hangup');
          response.writeHead(200, headers).end();
        }
        return true;
      }
      create(
        request,
        response,
        headers,
        path === TRANSLATION_CALLS_PATH ? 'translation' : 'realtime',
      ).catch(() => {
        if (!response.headersSent)
          error(response, 500, headers, 'server_error', 'The call could not be set up.');
      });
      return true;
    },
    holds: (callId) => calls.has(callId),
    admitSideband(callId, headers) {
      // Server credentials only, as the live API: a browser's client secret finds no call.
      if (presentedClientSecret(headers) !== undefined) {
        return { status: 404, message: 'call_id_not_found' };
      }
      const credential = authenticateRequest(headers, host.config);
      if (!credential.ok) return { status: 401, message: 'Missing or invalid credential' };
      const call = calls.get(callId);
      if (call === undefined || call.tenant !== credential.tenant) {
        return { status: 404, message: 'call_id_not_found' };
      }
      return { open: (socket) => call.socket.attachSideband(socket) };
    },
    async close() {
      for (const call of calls.values()) call.socket.close(1001, 'going away');
      await stack.close();
    },
  };
}

function sessionUpdate(session: CallSession): string {
  return JSON.stringify({ type: 'session.update', session });
}

function header(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

function headersOf(request: IncomingMessage): { get(name: string): string | null } {
  return { get: (name) => header(request, name.toLowerCase()) };
}
