import { CONSOLE_FILES } from './generated/console-assets.ts';
import type { HttpReply } from './http-reply.ts';

/**
 * The Content-Security-Policy the console is served under: its own scripts, styles and
 * worklet only (no inline code, nothing from elsewhere), WebSocket to its own origin.
 *
 * @example
 * ```ts
 * response.setHeader('content-security-policy', CONSOLE_CSP);
 * ```
 */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "media-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The paths of the console: the page at `/`, its script, styles, audio worklet and icon.
 *
 * @example
 * ```ts
 * if (CONSOLE_PATHS.has(url.pathname)) return consoleReply(url.pathname);
 * ```
 */
export const CONSOLE_PATHS: ReadonlySet<string> = new Set(Object.keys(CONSOLE_FILES));

/**
 * The HTTP answer for one console file (its type, the CSP, no caching across deploys), or
 * `undefined` for a path that is not one.
 *
 * @example
 * ```ts
 * const reply = consoleReply('/console.js');
 * if (reply) return new Response(reply.body, { status: reply.status, headers: reply.headers });
 * ```
 */
export function consoleReply(path: string): HttpReply | undefined {
  const file = Object.hasOwn(CONSOLE_FILES, path) ? CONSOLE_FILES[path] : undefined;
  if (file === undefined) return undefined;
  return {
    status: 200,
    headers: {
      'content-type': file.contentType,
      'content-security-policy': CONSOLE_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    },
    body: file.body,
  };
}
