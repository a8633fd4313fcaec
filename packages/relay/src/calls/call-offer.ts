import {
  checkTranslationSecretSession,
  type SealedTranslationSession,
} from '../client-secrets/translation-secret-session.ts';
import { readBoundedBody } from '../host/read-bounded-body.ts';
import type { SessionKind } from '../upstream/upstream-connector.ts';
import { checkRequestedSession, type RealtimeSessionRequest } from './requested-session.ts';

/**
 * Most bytes a `POST /v1/realtime/calls` body may hold. Chromium's offer for one audio track
 * and one data channel is 3-6 KB and a session configuration a few KB more; 256 KiB leaves
 * room for long instructions and many tools, and bounds what one request makes the relay hold.
 *
 * @example
 * ```ts
 * const offer = await readCallOffer(request, { maxBytes: MAX_CALL_OFFER_BYTES });
 * ```
 */
export const MAX_CALL_OFFER_BYTES = 256 * 1024;

/** The session a call was created with: a realtime session, as a `session.update` carries it. */
export type CallSession = RealtimeSessionRequest;

/**
 * A call request, read and checked: the browser's SDP offer and, in the multipart form, the
 * session to start the call with.
 */
export interface CallOffer {
  /** The SDP offer, as sent (line endings untouched). */
  readonly sdp: string;
  /** The `session` field of the multipart form, valid against the spec; absent otherwise. */
  readonly session: CallSession | undefined;
  /**
   * For a translation call (`kind: 'translation'`), the form's `session` instead: a
   * translation session (`model`, `audio`), valid against the spec; absent otherwise.
   */
  readonly translationSession?: SealedTranslationSession | undefined;
}

/** Why a call request was refused: an HTTP status and the live API's error body. */
export interface CallOfferError {
  readonly status: 400 | 411 | 413 | 415;
  readonly error: {
    readonly type: 'invalid_request_error';
    /** A stable code: `unsupported_content_type`, `body_too_large`, `invalid_sdp`, `missing_sdp`, `invalid_session`. */
    readonly code: string;
    /** Which part of the request: `sdp`, `session`, or null for the request as a whole. */
    readonly param: string | null;
    /** One line saying what was expected; never the request's own content. */
    readonly message: string;
  };
}

/** What {@link readCallOffer} gives: the offer, or why it was refused. */
export type CallOfferResult =
  | { readonly ok: true; readonly offer: CallOffer }
  | { readonly ok: false; readonly refusal: CallOfferError };

/** Options of {@link readCallOffer}. */
export interface ReadCallOfferOptions {
  /** Most bytes of body read; a longer one is refused with 413. Default {@link MAX_CALL_OFFER_BYTES}. */
  readonly maxBytes?: number;
  /**
   * The kind of session the call opens (default `realtime`): a `translation` call's `session`
   * field is a translation session, checked as one.
   */
  readonly kind?: SessionKind | undefined;
}

/**
 * Reads the body of a `POST /v1/realtime/calls` in either form the live API takes: the raw
 * offer (`Content-Type: application/sdp`), or `multipart/form-data` with an `sdp` field and a
 * `session` field of JSON. Never throws and never reads past `maxBytes`; a refusal names the
 * part that was wrong and what was expected, without echoing what was sent.
 *
 * @example
 * ```ts
 * const result = await readCallOffer(request);
 * if (!result.ok) return Response.json({ error: result.refusal.error }, { status: result.refusal.status });
 * const { sdp, session } = result.offer;
 * ```
 */
export async function readCallOffer(
  request: Request,
  options: ReadCallOfferOptions = {},
): Promise<CallOfferResult> {
  const maxBytes = options.maxBytes ?? MAX_CALL_OFFER_BYTES;
  const contentType = request.headers.get('content-type') ?? '';
  const mediaType = contentType.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  if (mediaType !== 'application/sdp' && mediaType !== 'multipart/form-data') {
    return refuse(
      415,
      'unsupported_content_type',
      null,
      'Content-Type must be application/sdp or multipart/form-data (fields sdp and session).',
    );
  }
  const body = await readBoundedBody(request, maxBytes);
  if (body === 'too_large') {
    return refuse(413, 'body_too_large', null, `The request body is over ${maxBytes} bytes.`);
  }
  if (body === 'unreadable') {
    return refuse(400, 'invalid_body', null, 'The request body could not be read.');
  }
  if (mediaType === 'application/sdp') return offerOf(decodeUtf8(body), undefined);
  return readForm(body, contentType, options.kind);
}

async function readForm(
  body: Uint8Array<ArrayBuffer>,
  contentType: string,
  kind: SessionKind | undefined,
): Promise<CallOfferResult> {
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    return refuse(400, 'invalid_body', null, 'The body is not valid multipart/form-data.');
  }
  const sdp = await fieldText(form.get('sdp'));
  if (sdp === undefined) {
    return refuse(400, 'missing_sdp', 'sdp', 'The form must have an sdp field with the offer.');
  }
  const sessionField = await fieldText(form.get('session'));
  if (sessionField === undefined) return offerOf(sdp, undefined);
  let session: unknown;
  try {
    session = JSON.parse(sessionField);
  } catch {
    return refuse(400, 'invalid_session', 'session', 'The session field must be JSON.');
  }
  if (kind === 'translation') {
    const translation = checkTranslationSecretSession(session, undefined);
    if (!translation.ok) {
      return refuse(400, 'invalid_session', translation.param, translation.message);
    }
    const offered = offerOf(sdp, undefined);
    return offered.ok
      ? { ok: true, offer: { ...offered.offer, translationSession: translation.session } }
      : offered;
  }
  const checked = checkRequestedSession(session);
  if (!checked.ok) return refuse(400, 'invalid_session', checked.param, checked.message);
  return offerOf(sdp, checked.session);
}

function offerOf(sdp: string, session: CallSession | undefined): CallOfferResult {
  // A session description starts with its version line and offers at least one m= section.
  if (!/^v=0\r?\n/.test(sdp) || !/\r?\nm=/.test(sdp)) {
    return refuse(
      400,
      'invalid_sdp',
      'sdp',
      'The offer must be an SDP session description (v=0, with at least one m= line).',
    );
  }
  return { ok: true, offer: { sdp, session } };
}

async function fieldText(value: FormDataEntryValue | null): Promise<string | undefined> {
  if (value === null) return undefined;
  if (typeof value === 'string') return value;
  // Fields sent as files (curl -F sdp=@offer.sdp) arrive as Blobs, already bounded by the body.
  return decodeUtf8(new Uint8Array(await value.arrayBuffer()));
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

function refuse(
  status: CallOfferError['status'],
  code: string,
  param: string | null,
  message: string,
): CallOfferResult {
  return {
    ok: false,
    refusal: { status, error: { type: 'invalid_request_error', code, param, message } },
  };
}
