/**
 * A plain HTTP answer, for an adapter to write in its runtime's terms: a web `Response`
 * (`createFetchHandler`), Node's `ServerResponse` or a raw upgrade socket (`@rtwire/node`).
 * Every answer of the relay's is one, so each runtime writes them in one place.
 *
 * @example
 * ```ts
 * const reply = host.respond('GET', '/healthz');
 * response.writeHead(reply.status, reply.headers).end(reply.body);
 * ```
 */
export interface HttpReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A short plain-text answer: a status and one line saying why. */
export function textReply(
  status: number,
  line: string,
  headers: Readonly<Record<string, string>> = {},
): HttpReply {
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
    body: line === '' ? '' : `${line}\n`,
  };
}
