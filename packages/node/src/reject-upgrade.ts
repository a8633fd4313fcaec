import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HttpReply } from '@rtwire/relay';

/**
 * Answers an upgrade request with the relay's HTTP reply (an admission's refusal) and closes
 * the connection: the one place a reply is written to a raw upgrade socket.
 *
 * @example
 * ```ts
 * const admission = host.admit({ url: request.url, headers });
 * if (!admission.ok) rejectUpgrade(socket, admission.reply);
 * ```
 */
export function rejectUpgrade(socket: Duplex, reply: HttpReply): void {
  const head = [
    `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? 'Error'}`,
    'Connection: close',
  ];
  for (const [name, value] of Object.entries(reply.headers)) head.push(`${name}: ${value}`);
  head.push(`Content-Length: ${Buffer.byteLength(reply.body)}`);
  socket.end(`${head.join('\r\n')}\r\n\r\n${reply.body}`);
  socket.once('finish', () => socket.destroy());
}
