// Test-only (Node, and Deno's node:http): an OpenAI-compatible model server on 127.0.0.1 with
// the three endpoints a cascade calls, streamed as OpenAI and vLLM stream them, recording
// every request (and when its connection closed) so tests assert what was sent.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleSafely } from './http-handler.ts';
import { type ChatReply, chatEvents, echoTokens, toneFor } from './openai-backend-script.ts';

export { type ChatReply, echoTokens, toneFor, toolAwareChat } from './openai-backend-script.ts';

/** One request the backend received. */
export interface BackendRequest {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  /** The JSON body (chat, speech). */
  readonly json: Record<string, unknown> | undefined;
  /** The multipart fields (transcription); the file as bytes. */
  readonly form: Record<string, string> | undefined;
  readonly file:
    | { readonly name: string; readonly type: string; readonly bytes: Uint8Array }
    | undefined;
  /** `performance.now()` when the body had arrived. */
  readonly receivedAt: number;
  /** When the client closed the connection before the answer was complete. */
  abortedAt: number | undefined;
  /** When the answer was complete. */
  finishedAt: number | undefined;
}

/** How the speech endpoint answers: PCM16 24 kHz, streamed in uneven chunks. */
export type SpeechReply =
  | {
      readonly kind: 'pcm';
      readonly bytes: Uint8Array;
      readonly chunkSizes?: readonly number[];
      readonly delayMs?: number;
    }
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly body: string;
      readonly headers?: Record<string, string>;
    }
  | { readonly kind: 'hang' };

/** How the transcription endpoint answers. */
export type TranscriptionReply =
  | { readonly kind: 'text'; readonly text: string; readonly delayMs?: number }
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly body: string;
      readonly headers?: Record<string, string>;
    };

/** What each endpoint answers; defaults: an echo chat, a tone per character, a fixed transcript. */
export interface FakeBackendScript {
  chat?(body: Record<string, unknown>, index: number): ChatReply;
  speech?(body: Record<string, unknown>, index: number): SpeechReply;
  transcription?(form: Record<string, string>, index: number): TranscriptionReply;
}

/** A running fake backend. */
export interface FakeBackend {
  /** The API root, `http://127.0.0.1:port/v1`. */
  readonly baseURL: string;
  readonly requests: BackendRequest[];
  /** Requests to one endpoint (`chat/completions`, `audio/speech`, `audio/transcriptions`). */
  requestsTo(endpoint: string): BackendRequest[];
  /** `performance.now()` when each chat stream wrote its first and last token. */
  readonly tokenTimes: { first: number | undefined; last: number | undefined }[];
  script: FakeBackendScript;
  close(): Promise<void>;
}

const UNEVEN = [1, 333, 7, 1001, 2, 4096, 5];

/** Starts the backend on a free loopback port. */
export async function startFakeBackend(script: FakeBackendScript = {}): Promise<FakeBackend> {
  const requests: BackendRequest[] = [];
  const tokenTimes: FakeBackend['tokenTimes'] = [];
  const counts = new Map<string, number>();
  const backend: FakeBackend = {
    baseURL: '',
    requests,
    tokenTimes,
    script,
    requestsTo: (endpoint) => requests.filter((request) => request.path === `/v1/${endpoint}`),
    close: async () => {},
  };
  const server = createServer(
    handleSafely(async (incoming, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of incoming) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks);
      const path = (incoming.url ?? '').split('?')[0] ?? '';
      const contentType = String(incoming.headers['content-type'] ?? '');
      let json: Record<string, unknown> | undefined;
      let form: Record<string, string> | undefined;
      let file: BackendRequest['file'];
      if (contentType.startsWith('application/json')) json = JSON.parse(raw.toString('utf8'));
      if (contentType.startsWith('multipart/form-data')) {
        const data = await new Request('http://backend/', {
          method: 'POST',
          headers: { 'content-type': contentType },
          body: raw,
        }).formData();
        form = {};
        for (const [name, value] of data) {
          if (typeof value === 'string') form[name] = value;
          else
            file = {
              name: value.name,
              type: value.type,
              bytes: new Uint8Array(await value.arrayBuffer()),
            };
        }
      }
      const record: BackendRequest = {
        path,
        headers: incoming.headers,
        json,
        form,
        file,
        receivedAt: performance.now(),
        abortedAt: undefined,
        finishedAt: undefined,
      };
      requests.push(record);
      response.on('close', () => {
        if (!response.writableFinished) record.abortedAt = performance.now();
      });
      response.on('finish', () => {
        record.finishedAt = performance.now();
      });
      const index = counts.get(path) ?? 0;
      counts.set(path, index + 1);
      if (path === '/v1/chat/completions' && json) {
        const reply = backend.script.chat?.(json, index) ?? {
          kind: 'stream',
          tokens: echoTokens(json),
        };
        await answerChat(reply, response, tokenTimes);
      } else if (path === '/v1/audio/speech' && json) {
        const reply = backend.script.speech?.(json, index) ?? {
          kind: 'pcm',
          bytes: toneFor(String(json.input ?? '')),
        };
        await answerSpeech(reply, response);
      } else if (path === '/v1/audio/transcriptions' && form) {
        const reply = backend.script.transcription?.(form, index) ?? {
          kind: 'text',
          text: 'hello there',
        };
        if (reply.kind === 'status') answerStatus(reply, response);
        else {
          await sleep(reply.delayMs ?? 0);
          response
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ text: reply.text }));
        }
      } else {
        response
          .writeHead(404, { 'content-type': 'application/json' })
          .end('{"error":{"message":"not found","type":"invalid_request_error"}}');
      }
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(backend, {
    baseURL: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

function answerStatus(
  reply: { status: number; body: string; headers?: Record<string, string> },
  response: ServerResponse,
): void {
  response
    .writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers })
    .end(reply.body);
}

async function answerChat(
  reply: ChatReply,
  response: ServerResponse,
  tokenTimes: FakeBackend['tokenTimes'],
): Promise<void> {
  if (reply.kind === 'hang') return;
  if (reply.kind === 'status') return answerStatus(reply, response);
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  if (reply.kind === 'raw') {
    for (const chunk of reply.chunks) response.write(chunk);
    response.end();
    return;
  }
  const style = reply.style ?? 'openai';
  const times = { first: undefined as number | undefined, last: undefined as number | undefined };
  tokenTimes.push(times);
  const events = chatEvents(reply);
  const newline = style === 'vllm' ? '\r\n' : '\n';
  let carry = '';
  for (const [position, event] of events.entries()) {
    if (reply.cutAfter !== undefined && position >= reply.cutAfter) {
      // Once what was written has left, so the client is cut mid-body, not before it.
      await sleep(20);
      response.socket?.destroy();
      return;
    }
    if (reply.stallAfter !== undefined && position >= reply.stallAfter) return;
    if (response.destroyed) return;
    const text = `data: ${event.data}${newline}${newline}`;
    if (style === 'vllm') {
      // Writes that split lines, as a proxy in front of vLLM may: half now, half with the next.
      const cut = Math.floor(text.length / 2);
      response.write(carry + text.slice(0, cut));
      carry = text.slice(cut);
    } else response.write(text);
    if (event.token) {
      const now = performance.now();
      times.first ??= now;
      times.last = now;
    }
    if (reply.delayMs) await sleep(reply.delayMs);
  }
  response.end(carry);
}

async function answerSpeech(reply: SpeechReply, response: ServerResponse): Promise<void> {
  if (reply.kind === 'hang') return;
  if (reply.kind === 'status') return answerStatus(reply, response);
  response.writeHead(200, { 'content-type': 'audio/pcm' });
  const sizes = reply.chunkSizes ?? UNEVEN;
  let offset = 0;
  for (let i = 0; offset < reply.bytes.length; i++) {
    if (response.destroyed) return;
    const size = sizes[i % sizes.length] as number;
    response.write(reply.bytes.subarray(offset, offset + size));
    offset += size;
    if (reply.delayMs) await sleep(reply.delayMs);
  }
  response.end();
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
