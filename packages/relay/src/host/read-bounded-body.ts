/**
 * A request's (or a response's) body, up to `maxBytes`: read chunk by chunk, so a long one is
 * never held whole (a declared `Content-Length` past it is refused unread).
 *
 * @example
 * ```ts
 * const body = await readBoundedBody(request, 64 * 1024);
 * if (body === 'too_large') return textReply(413, 'Request body too large');
 * ```
 */
export async function readBoundedBody(
  request: Pick<Request, 'headers' | 'body'>,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer> | 'too_large' | 'unreadable'> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return 'too_large';
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.byteLength;
      if (length > maxBytes) {
        await reader.cancel().catch(() => {});
        return 'too_large';
      }
      chunks.push(value);
    }
  } catch {
    return 'unreadable';
  }
  const body = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
