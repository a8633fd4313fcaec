/** Headers a browser's call carries at least. */
const BASE_HEADERS = 'authorization, content-type';

/**
 * The CORS headers of an answer to a browser's call (`/v1/realtime/calls` usually sits on
 * another origin than the page): the origin reflected when `allowedOrigins` is empty or holds
 * it, `Location` exposed (SDKs read the call id there); `{}` for a request with no `Origin`,
 * `undefined` for an origin that is not allowed (answer 403).
 *
 * @example
 * ```ts
 * const headers = callCorsHeaders(request.headers.get('origin'), config.allowedOrigins);
 * if (headers === undefined) return forbidden();
 * ```
 */
export function callCorsHeaders(
  origin: string | null,
  allowedOrigins: readonly string[],
): Record<string, string> | undefined {
  if (origin === null) return {};
  if (allowedOrigins.length > 0 && !allowedOrigins.includes(origin)) return undefined;
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': 'Location',
    vary: 'Origin',
  };
}

/**
 * The headers of a `204` answer to a call's CORS preflight, beside {@link callCorsHeaders}:
 * the headers the preflight asked for when they are header names (SDKs add their own, such as
 * `X-OpenAI-Agents-SDK`, so a fixed list would break the next one), the base ones otherwise.
 *
 * @example
 * ```ts
 * const headers = { ...cors, ...callPreflightHeaders(request.headers.get('access-control-request-headers')) };
 * ```
 */
export function callPreflightHeaders(requested: string | null): Record<string, string> {
  const allowed =
    requested === null || requested.length > 512
      ? BASE_HEADERS
      : /^\s*[A-Za-z0-9-]+(\s*,\s*[A-Za-z0-9-]+)*\s*$/.test(requested)
        ? requested.trim()
        : BASE_HEADERS;
  return {
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-allow-headers': allowed,
    'access-control-max-age': '600',
  };
}
