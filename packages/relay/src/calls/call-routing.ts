import type { HttpReply } from '../host/http-reply.ts';
import { readBoundedBody } from '../host/read-bounded-body.ts';

/**
 * Marks a request one instance passed on to another: the other answers it itself and never
 * passes it on again, so two instances that disagree cannot bounce a request between them.
 *
 * @example
 * ```ts
 * const passedOn = request.headers.get(ROUTED_HEADER) !== null;
 * ```
 */
export const ROUTED_HEADER = 'rtwire-routed';

/**
 * A call's hangup path; its first group is the call id.
 *
 * @example
 * ```ts
 * HANGUP_PATH.test('/v1/realtime/calls/rtc_0f…/hangup'); // true
 * ```
 */
export const HANGUP_PATH = /^\/v1\/realtime\/calls\/([A-Za-z0-9_-]{1,128})\/hangup$/;

/**
 * The call id of a hangup path (`/v1/realtime/calls/{id}/hangup`), or `undefined` for any
 * other path.
 *
 * @example
 * ```ts
 * hangupCallId('/v1/realtime/calls/rtc_a1_0f…/hangup'); // 'rtc_a1_0f…'
 * ```
 */
export function hangupCallId(path: string): string | undefined {
  return HANGUP_PATH.exec(path)?.[1];
}

/** What a routed request carries of the caller's: who it is, and where it comes from (CORS). */
const PASSED_ON = ['authorization', 'origin', 'openai-beta'] as const;

/** What the caller gets back of the holding instance's answer. */
const PASSED_BACK = /^(content-type|access-control-|allow$|retry-after$)/;

/**
 * The headers a request to the instance holding a call carries: the caller's credential and
 * origin, and {@link ROUTED_HEADER}.
 *
 * @example
 * ```ts
 * const ws = new WebSocket(target, { headers: routedCallHeaders(headersOf(request)) });
 * ```
 */
export function routedCallHeaders(headers: {
  get(name: string): string | null;
}): Record<string, string> {
  const out: Record<string, string> = { [ROUTED_HEADER]: '1' };
  for (const name of PASSED_ON) {
    const value = headers.get(name);
    if (value !== null) out[name] = value;
  }
  return out;
}

/**
 * Passes a call's hangup (`POST /v1/realtime/calls/{id}/hangup`) on to the instance that holds
 * the call, at `base`, and answers with its answer; 502 `call_instance_unreachable` when it does
 * not answer within `timeoutMs`.
 *
 * @example
 * ```ts
 * const base = await host.locateCall(callId, request.headers);
 * if (base !== undefined) return reply(await routeCallHangup(base, path, request.headers));
 * ```
 */
export async function routeCallHangup(
  base: URL,
  path: string,
  headers: { get(name: string): string | null },
  timeoutMs = 10_000,
): Promise<HttpReply> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const answer = await fetch(new URL(path, base), {
      method: 'POST',
      headers: routedCallHeaders(headers),
      signal: abort.signal,
      // The caller's credential goes to the holding instance and nowhere it points to.
      redirect: 'manual',
    });
    const passed: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (PASSED_BACK.test(name)) passed[name] = value;
    });
    // A hangup's answer is empty or a short error; one past 4 KiB is not passed back.
    const read = await readBoundedBody(answer, 4_096);
    const body = read instanceof Uint8Array ? new TextDecoder().decode(read) : '';
    return { status: answer.status, headers: passed, body };
  } catch {
    return {
      status: 502,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        error: {
          type: 'server_error',
          code: 'call_instance_unreachable',
          param: null,
          message: 'The relay instance holding this call did not answer.',
        },
      }),
    };
  } finally {
    clearTimeout(timer);
  }
}
