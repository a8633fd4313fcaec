import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** WebSocket opcodes a test writes by hand. */
export const Opcode = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

/**
 * One client-to-server frame, masked as RFC 6455 requires. `fin` false starts or continues a
 * fragmented message, which is what the relay must not wait on forever.
 */
export function maskedFrame(opcode: number, payload: Uint8Array | string, fin = true): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
  const length = body.length;
  const extra = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const frame = Buffer.alloc(2 + extra + 4 + length);
  frame[0] = (fin ? 0x80 : 0) | opcode;
  if (extra === 0) frame[1] = 0x80 | length;
  else if (extra === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, 2 + extra);
  for (let index = 0; index < length; index++)
    frame[2 + extra + 4 + index] = (body[index] as number) ^ (mask[index & 3] as number);
  return frame;
}

/** An unmasked server-to-client frame, as a hand-written upstream sends it. */
export function serverFrame(opcode: number, payload: Uint8Array | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
  if (body.length >= 126) throw new RangeError('serverFrame: short payloads only');
  return Buffer.concat([Buffer.from([0x80 | opcode, body.length]), body]);
}

/** A TCP connection that completed a WebSocket handshake and is now driven byte by byte. */
export interface RawWebSocket {
  readonly socket: Socket;
  /** The handshake response's status line and headers. */
  readonly response: string;
  /**
   * Resolves once the TCP connection is closed, by either side. A socket left paused never
   * reads the other side's FIN, so this settles only for one that reads (or writes into the gone peer).
   */
  readonly closed: Promise<void>;
}

/**
 * Opens a WebSocket by hand (no client library), so a test can be the client a library would
 * never be: one that never reads, never answers a ping, or never finishes a message.
 */
export function openRawWebSocket(
  url: string,
  headers: Record<string, string> = {},
): Promise<RawWebSocket> {
  const { hostname, port, pathname, search } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('error', () => {});
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const response = received.subarray(0, end).toString('latin1');
      if (!response.startsWith('HTTP/1.1 101')) {
        socket.destroy();
        reject(new Error(`handshake refused: ${response.split('\r\n')[0]}`));
        return;
      }
      // Whatever came after the handshake stays unread from here on.
      socket.pause();
      resolve({ socket, response, closed });
    };
    socket.on('data', onData);
    socket.once('connect', () => {
      const lines = [
        `GET ${pathname}${search} HTTP/1.1`,
        `Host: ${hostname}:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    socket.once('close', () => reject(new Error('closed during the handshake')));
  });
}
