import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ResponseEventBuilder } from '@rtwire/builders';
import * as serializer from '@rtwire/serializer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';

// The serializer's documented sends, run as written against a loopback server that records
// whether each frame came as text: Realtime frames are always text, and a binary one reaches a
// browser as a Blob. `ws` is a Node `ws` socket; `socket` / `webSocket` behave as web-standard
// sockets do (a string is text, bytes are binary); `uwsSocket.send(data, isBinary)` is
// uWebSockets.js's.

const root = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCES = [
  'packages/serializer/README.md',
  'packages/serializer/src/index.ts',
  'packages/serializer/src/encoder-for.ts',
  'packages/serializer/src/encode-event.ts',
];

/** The ```ts blocks of a file (TSDoc's ` * ` margins removed) that send something. */
function sendingBlocks(path: string): string[] {
  const text = readFileSync(`${root}${path}`, 'utf8').replace(/^\s*\* ?/gm, '');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((match) => match[1] as string)
    .filter((block) => /\.send\(/.test(block))
    .map((block) => block.replace(/^import .*$/gm, ''));
}

let server: WebSocketServer;
let url = '';
const frames: { binary: boolean; text: string }[] = [];

beforeAll(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  server.on('connection', (socket) =>
    socket.on('message', (data, isBinary) =>
      frames.push({ binary: isBinary, text: data.toString() }),
    ),
  );
});
afterAll(() => server.close());

async function open(): Promise<WebSocket> {
  const ws = new WebSocket(url);
  await new Promise((resolve) => ws.once('open', resolve));
  return ws;
}

describe('the documented sends of @rtwire/serializer', () => {
  const blocks = SOURCES.flatMap((path) =>
    sendingBlocks(path).map((block) => [path, block] as const),
  );

  it('are found (the docs show how to send)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
  });

  it.each(blocks)('%s: every frame a block sends arrives as a text frame', async (_path, block) => {
    const ws = await open();
    // A web-standard socket: no options, so bytes go binary and strings go text, as in browsers.
    const webStandard = { send: (data: string | Uint8Array) => ws.send(data) };
    const uwsSocket = {
      send: (data: Uint8Array, isBinary: boolean) => ws.send(data, { binary: isBinary }),
    };
    const pcm16Chunk = new Uint8Array(480).fill(7);
    const values: Record<string, unknown> = {
      ...serializer,
      ResponseEventBuilder,
      ws,
      upstream: ws,
      socket: webStandard,
      webSocket: webStandard,
      uwsSocket,
      pcm16Chunk,
      pcm16: pcm16Chunk,
      base64: 'AAAA',
      scratch: new Uint8Array(64 * 1024),
      // What a later block of the same page reuses from an earlier one.
      encoder: serializer.encoderFor({
        level: 'content',
        responseId: 'resp_1',
        itemId: 'item_1',
        outputIndex: 0,
        contentIndex: 0,
      }),
      event: { type: 'input_audio_buffer.cleared', event_id: 'event_1' },
    };
    const before = frames.length;
    // The block in its own scope, so it may declare names the harness also provides.
    const run = new Function(...Object.keys(values), `{\n${block}\n}`);
    run(...Object.values(values));
    const sends = (block.match(/\.send\(/g) ?? []).length;
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(
        () => reject(new Error(`${frames.length - before} of ${sends} frames arrived`)),
        5000,
      );
      const check = () => {
        if (frames.length - before >= sends) {
          clearTimeout(deadline);
          resolve();
        } else setTimeout(check, 5);
      };
      check();
    });
    const sent = frames.slice(before);
    expect(sent.map((frame) => frame.binary)).toEqual(sent.map(() => false));
    for (const frame of sent) expect(() => JSON.parse(frame.text)).not.toThrow();
    ws.close();
  });
});
