import type { JsonObject } from '../json-object.ts';

/**
 * Where an upstream takes WebRTC calls: its realtime endpoint's origin, over HTTP(S), at
 * `/v1/realtime/calls` beside the WebSocket path (`wss://api.openai.com/v1/realtime` →
 * `https://api.openai.com/v1/realtime/calls`).
 *
 * @example
 * ```ts
 * upstreamCallsUrl(new URL('wss://api.openai.com/v1/realtime')).href;
 * // 'https://api.openai.com/v1/realtime/calls'
 * ```
 */
export function upstreamCallsUrl(upstreamUrl: URL): URL {
  const url = new URL(upstreamUrl.href);
  url.protocol = url.protocol === 'ws:' ? 'http:' : 'https:';
  url.search = '';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/calls`;
  return url;
}

/** What an upstream answered a forwarded offer. */
export type UpstreamCallAnswer =
  | { readonly ok: true; readonly sdp: string; readonly callId: string }
  | {
      readonly ok: false;
      /** The status to answer the browser with: the upstream's 4xx, or 502 for the rest. */
      readonly status: number;
      /** One line, from what the upstream said about the request (never its credential). */
      readonly message: string;
    };

/** How a forwarded call reaches its upstream. */
export interface UpstreamCallOptions {
  readonly callsUrl: URL;
  /** The server key (`OPENAI_API_KEY`): the only credential the upstream sees. */
  readonly apiKey: string | undefined;
  /** Bound on the upstream's answer, in ms. */
  readonly timeoutMs: number;
}

/** Longest upstream answer read: an SDP answer is a few KB. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Forwards a browser's offer to the upstream as the live API takes it (`multipart/form-data`
 * with `sdp` and `session`), with the server key, and reads the answer and the upstream's call
 * id (the last segment of its `Location`).
 *
 * @example
 * ```ts
 * const answer = await postUpstreamOffer(offer.sdp, lockedSession, { callsUrl, apiKey, timeoutMs: 10_000 });
 * if (answer.ok) attachSideband(answer.callId);
 * ```
 */
export async function postUpstreamOffer(
  sdp: string,
  session: JsonObject | undefined,
  options: UpstreamCallOptions,
): Promise<UpstreamCallAnswer> {
  const form = new FormData();
  form.append('sdp', sdp);
  if (session !== undefined) form.append('session', JSON.stringify(session));
  let response: Response;
  try {
    response = await fetch(options.callsUrl, {
      method: 'POST',
      headers: authorization(options.apiKey),
      body: form,
      // Not followed (a 3xx is a refusal like any non-2xx): 'manual', since Workers refuse
      // 'error'.
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch {
    return { ok: false, status: 502, message: 'The upstream did not answer the call.' };
  }
  const text = await boundedText(response);
  if (response.status !== 201 && response.status !== 200) {
    const status = response.status >= 400 && response.status < 500 ? response.status : 502;
    return { ok: false, status, message: upstreamMessage(text, response.status) };
  }
  const callId = (response.headers.get('location') ?? '').split('/').at(-1) ?? '';
  if (text === undefined || !/^v=0\r?\n/.test(text) || !/^[A-Za-z0-9_-]{1,128}$/.test(callId)) {
    return {
      ok: false,
      status: 502,
      message: 'The upstream answered the call with no SDP or call id.',
    };
  }
  return { ok: true, sdp: text, callId };
}

/**
 * Ends an upstream call (`POST /v1/realtime/calls/{call_id}/hangup`). Resolves whether the
 * upstream took it; never rejects.
 *
 * @example
 * ```ts
 * await hangUpUpstreamCall(callId, { callsUrl, apiKey, timeoutMs: 5_000 });
 * ```
 */
export async function hangUpUpstreamCall(
  callId: string,
  options: UpstreamCallOptions,
): Promise<boolean> {
  try {
    const response = await fetch(
      new URL(
        `${options.callsUrl.pathname}/${encodeURIComponent(callId)}/hangup`,
        options.callsUrl,
      ),
      {
        method: 'POST',
        headers: authorization(options.apiKey),
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      },
    );
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

function authorization(apiKey: string | undefined): Record<string, string> {
  return apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` };
}

async function boundedText(response: Response): Promise<string | undefined> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > MAX_ANSWER_BYTES) {
    await response.body?.cancel();
    return undefined;
  }
  try {
    const text = await response.text();
    return text.length > MAX_ANSWER_BYTES ? undefined : text;
  } catch {
    return undefined;
  }
}

/** The upstream's error message when it gave one in the API's shape, bounded; else its status. */
function upstreamMessage(text: string | undefined, status: number): string {
  try {
    const message = (JSON.parse(text ?? '') as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string') return message.slice(0, 200);
  } catch {
    // Not the API's error shape.
  }
  return `The upstream refused the call (HTTP ${status}).`;
}
