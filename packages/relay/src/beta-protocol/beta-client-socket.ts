import {
  type ClientEventInput,
  encodeClientEvent,
  encodeClientEventBytes,
  encodeServerEvent,
  encodeServerEventBytes,
  type ServerEventInput,
} from '@rtwire/serializer';
import { exceedsNesting, MAX_NESTING_DEPTH } from '@rtwire/types';
import { isJsonObject, type JsonObject } from '../json-object.ts';
import { CloseCode } from '../session/close-codes.ts';
import { nextRelayEventId } from '../session/error-event.ts';
import { peekEventType } from '../session/peek-event-type.ts';
import { delegatingSocket } from '../sockets/delegating-socket.ts';
import type { DuplexSocket, DuplexSocketHandlers } from '../sockets/duplex-socket.ts';
import { betaFieldOf } from './beta-field-of.ts';
import { TRANSCRIPTION_EVENTS } from './beta-fields.ts';
import { BETA_CLIENT_TYPES, betaClientEventToGa } from './translate-client-event.ts';
import { BETA_SERVER_TYPES, gaServerEventToBeta } from './translate-server-event.ts';

/** Options of {@link withBetaProtocol}. */
export interface BetaProtocolOptions {
  /**
   * The handshake said the client speaks beta (`OpenAI-Beta: realtime=v1`, the
   * `openai-beta.realtime-v1` subprotocol): every frame is translated from the first.
   * Otherwise the client's first `session.update` decides: without `session.type` and with a
   * beta field it makes the session beta, else GA (and nothing is looked at again).
   */
  readonly announced: boolean;
  /**
   * Told of a client frame whose translation failed (a fault of the relay's): the session is
   * then ended with 1011 after an `error` event. A failure on the server side throws out of
   * `send`, where the session's fault boundary ends it the same way.
   */
  readonly onFault?: (error: unknown) => void;
}

const decoder = new TextDecoder();

/** The client events that decide an unannounced session: its first `session.update`. */
const OPENING_TYPES: ReadonlySet<string> = new Set(['session.update', TRANSCRIPTION_EVENTS.update]);

/**
 * A beta client as a GA session sees it: the client socket of a session, wrapped so its
 * frames reach the session in GA (`betaClientEventToGa`) and the session's reach it in beta
 * (`gaServerEventToBeta`, `conversation.item.done` withheld). Only frames of a type that can
 * differ are parsed (the type is peeked first) and re-encoded with `@rtwire/serializer`; the
 * rest, input audio and every unchanged frame, pass as the bytes that came. Holds nothing per
 * item or response. A frame that is not JSON, or nests past the decoders' limit, passes as it
 * came for the session's own checks to answer.
 *
 * @example
 * ```ts
 * const session = startRelaySession({ client: withBetaProtocol(client, { announced: true }), connectUpstream, model, limits });
 * ```
 */
export function withBetaProtocol(socket: DuplexSocket, options: BetaProtocolOptions): DuplexSocket {
  let mode: 'beta' | 'ga' | 'undecided' = options.announced ? 'beta' : 'undecided';
  let failed = false;

  /** A client frame as the session gets it: its translation, or `undefined` for as it came. */
  const toSession = (data: string | Uint8Array): string | Uint8Array | undefined => {
    if (mode === 'ga') return undefined;
    const types = mode === 'beta' ? BETA_CLIENT_TYPES : OPENING_TYPES;
    // A type the peek cannot see (past its window, escaped) is read from the parsed frame.
    const type = peekEventType(data);
    if (type !== undefined && !types.has(type)) return undefined;
    const event = readEvent(data);
    if (event === undefined) return undefined;
    if (mode === 'undecided') {
      if (!types.has(String(event.type))) return undefined;
      mode = isBetaOpening(event) ? 'beta' : 'ga';
      if (mode === 'ga') return undefined;
    }
    return encodedLike(data, betaClientEventToGa(event), event, 'client');
  };

  const fail = (handlers: DuplexSocketHandlers, error: unknown) => {
    failed = true;
    try {
      options.onFault?.(error);
    } catch {
      // A hook that throws changes nothing: the session ends all the same.
    }
    // Best effort: the socket may be closing already; the session ends below either way.
    try {
      socket.send(
        encodeServerEvent({
          type: 'error',
          event_id: nextRelayEventId(),
          error: {
            type: 'server_error',
            code: 'internal_error',
            message: 'the relay could not translate a beta-protocol event; the session is closed',
            param: null,
            event_id: null,
          },
        }),
        false,
      );
      socket.close(CloseCode.internalError, 'internal error');
    } catch {}
    handlers.close(CloseCode.internalError, 'beta-protocol translation failed');
  };

  return delegatingSocket(socket, {
    send(data, binary, decoded) {
      if (mode !== 'beta' || binary) {
        socket.send(data, binary, decoded);
        return;
      }
      const type = peekEventType(data);
      if (type !== undefined && !BETA_SERVER_TYPES.has(type)) {
        socket.send(data, binary, decoded);
        return;
      }
      const event = readEvent(data);
      const beta = event === undefined ? event : gaServerEventToBeta(event);
      // Withheld: a beta client has no such event.
      if (event !== undefined && beta === undefined) return;
      const translated = event === undefined ? undefined : encodedLike(data, beta, event, 'server');
      socket.send(translated ?? data, translated === undefined ? binary : false, decoded);
    },
    listen(handlers) {
      socket.listen({
        message(data, binary) {
          if (failed) return;
          let translated: string | Uint8Array | undefined;
          try {
            translated = binary ? undefined : toSession(data);
          } catch (error) {
            fail(handlers, error);
            return;
          }
          if (translated === undefined) handlers.message(data, binary);
          else handlers.message(translated, false);
        },
        close(code, reason) {
          if (!failed) handlers.close(code, reason);
        },
        drain: () => handlers.drain(),
      });
    },
  });
}

/**
 * Whether a client's first `session.update` (or a `transcription_session.update`) is the beta
 * protocol's: no `session.type`, and a field only beta has.
 */
function isBetaOpening(event: JsonObject): boolean {
  if (event.type === TRANSCRIPTION_EVENTS.update) return true;
  const { session } = event;
  return (
    isJsonObject(session) && !Object.hasOwn(session, 'type') && betaFieldOf(event) !== undefined
  );
}

/**
 * The frame as a JSON object, or `undefined` when it is not one or nests past the decoders'
 * limit (the session's checks then answer it as it came).
 */
function readEvent(data: string | Uint8Array): JsonObject | undefined {
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : decoder.decode(data));
  } catch {
    return undefined;
  }
  if (!isJsonObject(value) || exceedsNesting(value, MAX_NESTING_DEPTH)) return undefined;
  return value;
}

/**
 * `translated` encoded as the frame came (text or UTF-8 bytes), or `undefined` when it is the
 * event as parsed (nothing changed: the frame passes as it came).
 */
function encodedLike(
  data: string | Uint8Array,
  translated: JsonObject | undefined,
  parsed: JsonObject,
  side: 'client' | 'server',
): string | Uint8Array | undefined {
  if (translated === undefined || translated === parsed) return undefined;
  if (side === 'client') {
    const event = translated as unknown as ClientEventInput;
    return typeof data === 'string' ? encodeClientEvent(event) : encodeClientEventBytes(event);
  }
  const event = translated as unknown as ServerEventInput;
  return typeof data === 'string' ? encodeServerEvent(event) : encodeServerEventBytes(event);
}
