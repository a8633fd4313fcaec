import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

/**
 * A Node request as a web `Request`, its body streamed (not read here), for the relay's
 * runtime-neutral handlers that read a body within their own bounds.
 *
 * @example
 * ```ts
 * const reply = await host.mintClientSecret(toWebRequest(request));
 * ```
 */
export function toWebRequest(request: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const method = request.method ?? 'GET';
  const bodied = method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
  return new Request(`http://relay.invalid${request.url ?? '/'}`, {
    method,
    headers,
    ...(bodied
      ? { body: Readable.toWeb(request) as ReadableStream<Uint8Array>, duplex: 'half' }
      : {}),
  } as RequestInit);
}
