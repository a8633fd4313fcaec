import type { RelayFeatureFactory } from '../session/feature.ts';
import type { DuplexSocket } from '../sockets/duplex-socket.ts';
import { withBetaProtocol } from './beta-client-socket.ts';
import { betaRefusalFeature } from './beta-refusal-feature.ts';

/**
 * The subprotocol a browser beta client offers beside `realtime` (`openai-realtime-api` does).
 *
 * @example
 * ```ts
 * new WebSocket(url, ['realtime', BETA_SUBPROTOCOL]);
 * ```
 */
export const BETA_SUBPROTOCOL = 'openai-beta.realtime-v1';

/**
 * What the relay does with a beta-protocol client (`BETA_PROTOCOL`): `translate` its session
 * both ways, or `refuse` its beta events with an `error` naming the beta field.
 */
export type BetaProtocolMode = 'translate' | 'refuse';

/**
 * Whether an upgrade request announces a beta client: an `OpenAI-Beta` header with
 * `realtime=v1` (the `openai` SDKs, `openai-realtime-api` on Node) or the
 * `openai-beta.realtime-v1` subprotocol (browsers).
 *
 * @example
 * ```ts
 * offersBetaProtocol(new Headers({ 'openai-beta': 'realtime=v1' })); // true
 * ```
 */
export function offersBetaProtocol(headers: { get(name: string): string | null }): boolean {
  const beta = headers.get('openai-beta') ?? '';
  if (beta.split(',').some((entry) => entry.trim().toLowerCase() === 'realtime=v1')) return true;
  const offered = headers.get('sec-websocket-protocol') ?? '';
  return offered.split(',').some((protocol) => protocol.trim() === BETA_SUBPROTOCOL);
}

/** How one session serves a client that may speak beta. */
export interface BetaProtocolSession {
  /** The client socket the session pipes (the client's own, or one that translates it). */
  wrap(client: DuplexSocket): DuplexSocket;
  /** Features the session gets for it (the refusals, with `refuse`). */
  readonly features: readonly RelayFeatureFactory[];
}

/**
 * How a session opened by `headers` serves a beta client under `mode`: with `translate`, its
 * client socket translates (from the first frame when the handshake announced beta, else from
 * a beta first `session.update`); with `refuse`, beta events are refused. Only a WebSocket
 * upgrade is translated: a WebRTC call's session (opened by a `POST`) keeps its client GA,
 * since the call socket between it and the data channel reads the GA names (its output audio
 * goes to the track by `response.output_audio.delta`).
 *
 * @example
 * ```ts
 * const beta = betaProtocolSession(config.betaProtocol, request.headers);
 * startRelaySession({ client: beta.wrap(client), features: beta.features, connectUpstream, model, limits });
 * ```
 */
export function betaProtocolSession(
  mode: BetaProtocolMode,
  headers: { get(name: string): string | null },
  onFault?: (error: unknown) => void,
): BetaProtocolSession {
  if (mode === 'refuse') return { wrap: (client) => client, features: [betaRefusalFeature()] };
  if (!isWebSocketUpgrade(headers)) return { wrap: (client) => client, features: [] };
  const announced = offersBetaProtocol(headers);
  return {
    wrap: (client) => withBetaProtocol(client, { announced, ...(onFault ? { onFault } : {}) }),
    features: [],
  };
}

/** Whether `headers` are a WebSocket handshake's (`Upgrade: websocket`, RFC 6455). */
function isWebSocketUpgrade(headers: { get(name: string): string | null }): boolean {
  const upgrade = headers.get('upgrade') ?? '';
  return upgrade.split(',').some((protocol) => protocol.trim().toLowerCase() === 'websocket');
}
