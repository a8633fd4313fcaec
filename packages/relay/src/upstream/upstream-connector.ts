import type { DuplexSocket } from '../sockets/duplex-socket.ts';

/**
 * The kind of session a client opened: a Realtime session (`/v1/realtime`, its
 * transcription variant chosen by `intent`) or a translation session
 * (`/v1/realtime/translations`), whose events are a protocol of their own.
 *
 * @example
 * ```ts
 * const kind: SessionKind = url.pathname.endsWith('/translations') ? 'translation' : 'realtime';
 * ```
 */
export type SessionKind = 'realtime' | 'translation';

/** What a connector is asked for when a client session starts. */
export interface UpstreamRequest {
  /** The client's `model` query parameter, passed on. */
  readonly model: string | undefined;
  /**
   * The client's `intent` query parameter, passed on: `transcription` asks for a transcription
   * session (`wss://api.openai.com/v1/realtime?intent=transcription`).
   */
  readonly intent?: string | undefined;
  /** Aborted when the client leaves before the upstream opened. */
  readonly signal: AbortSignal;
  /**
   * A WebRTC call the upstream already holds (`POST /v1/realtime/calls`): the connection is
   * its sideband (`?call_id=`), not a session of its own.
   */
  readonly callId?: string | undefined;
  /** The kind of session (default `realtime`): a translation session has its own endpoint. */
  readonly kind?: SessionKind | undefined;
}

/**
 * Opens the upstream side of a session: the embedded simulator (`createSimulatorConnector` of `@rtwire/relay/engine`)
 * or a real Realtime endpoint, whose connector each app provides because runtimes set
 * WebSocket headers differently. Resolves once the socket is open; rejects on failure (the
 * rejection's text is logged after redaction, never sent to the client).
 *
 * @example
 * ```ts
 * const connectUpstream: UpstreamConnector = async ({ model }) => openWs(upstreamUrlFor(base, model));
 * ```
 */
export type UpstreamConnector = (request: UpstreamRequest) => Promise<DuplexSocket>;

/**
 * The upstream URL for a session: the configured endpoint with the client's `model` and
 * `intent` set; for a translation session, the endpoint's `/translations` beside it (the
 * configured `…/v1/realtime` becomes `…/v1/realtime/translations`, as the live API has it).
 *
 * @example
 * ```ts
 * upstreamUrlFor(new URL('wss://api.openai.com/v1/realtime'), 'gpt-realtime').href;
 * // 'wss://api.openai.com/v1/realtime?model=gpt-realtime'
 * upstreamUrlFor(new URL('wss://api.openai.com/v1/realtime'), undefined, 'transcription').href;
 * // 'wss://api.openai.com/v1/realtime?intent=transcription'
 * upstreamUrlFor(new URL('wss://api.openai.com/v1/realtime'), undefined, undefined, 'rtc_1').href;
 * // 'wss://api.openai.com/v1/realtime?call_id=rtc_1' (a call's sideband)
 * upstreamUrlFor(new URL('wss://api.openai.com/v1/realtime'), 'gpt-realtime-translate', undefined, undefined, 'translation').href;
 * // 'wss://api.openai.com/v1/realtime/translations?model=gpt-realtime-translate'
 * ```
 */
export function upstreamUrlFor(
  base: URL,
  model: string | undefined,
  intent?: string | undefined,
  callId?: string | undefined,
  kind?: SessionKind | undefined,
): URL {
  const url = new URL(base.href);
  if (kind === 'translation') url.pathname = `${url.pathname.replace(/\/+$/, '')}/translations`;
  if (model !== undefined) url.searchParams.set('model', model);
  if (intent !== undefined) url.searchParams.set('intent', intent);
  if (callId !== undefined) url.searchParams.set('call_id', callId);
  return url;
}
