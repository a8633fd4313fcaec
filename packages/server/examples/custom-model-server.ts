/**
 * The README's example, whole: a Realtime endpoint on `ws` in front of a model of your own.
 * The tests serve it and hold text and audio conversations with it through the official
 * clients (`openai`, `@openai/agents-realtime`).
 *
 *   node --import tsx examples/custom-model-server.ts   # ws://127.0.0.1:8790/v1/realtime
 */
import { createServer, type Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { WebSocketServer } from 'ws';
// In your app: `from '@rtwire/server'`. Here the package's own source, so it runs unbuilt.
import { createRealtimeSession, type RealtimeModel } from '../src/index.ts';

type ResponseRequest = Parameters<RealtimeModel['respond']>[0];

/** The last thing the user said: their text, or (once transcribed) their audio. */
async function lastUserWords(request: ResponseRequest): Promise<string> {
  const item = request.items.findLast(
    (candidate) => candidate.type === 'message' && candidate.role === 'user',
  );
  if (item?.type !== 'message') return '';
  const words: string[] = [];
  for (const part of item.content) {
    if (part.type === 'input_text') words.push(part.text ?? '');
    if (part.type === 'input_audio') words.push((await request.transcript(item.id ?? '')) ?? '');
  }
  return words.join(' ').trim();
}

/** 100 ms of a soft 330 Hz tone, PCM16 at 24 kHz: what this toy model "says" per word. */
function tone(): Uint8Array {
  const bytes = new Uint8Array(4800);
  const view = new DataView(bytes.buffer);
  for (let sample = 0; sample < 2400; sample++) {
    view.setInt16(
      sample * 2,
      Math.round(2000 * Math.sin((2 * Math.PI * 330 * sample) / 24_000)),
      true,
    );
  }
  return bytes;
}

/** The session's function tool that the user's words name, if any. */
function namedTool(request: ResponseRequest, words: string): string | undefined {
  for (const tool of request.tools as readonly { type?: string; name?: string }[]) {
    if (tool.type === 'function' && tool.name && words.includes(tool.name)) return tool.name;
  }
  return undefined;
}

/**
 * A toy model standing in for yours: it answers with the user's words backwards, a word at a
 * time, with a tone per word when the response is audio, and "transcribes" audio as its
 * length. Asked to call one of the session's tools by name, it calls it; given a tool's
 * output, it reads it back. A word is a token: it stops at `max_output_tokens`, as a model
 * must. Replace the body of `respond` with your LLM's stream.
 */
export const backwardsModel: RealtimeModel = {
  async respond(request, output, signal) {
    const last = request.items.at(-1);
    const heard = await lastUserWords(request);
    const tool = last?.type === 'function_call_output' ? undefined : namedTool(request, heard);
    if (tool !== undefined) {
      const call = output.functionCall({ name: tool });
      call.arguments(JSON.stringify({ request: heard.slice(0, 100) }));
      call.done();
      return;
    }
    const words =
      last?.type === 'function_call_output'
        ? ['The', 'tool', 'answered.']
        : heard.split(/\s+/).filter(Boolean).reverse();
    const reply = words.length > 0 ? words : ['Hello!'];
    for (const [index, word] of reply.entries()) {
      if (signal.aborted) return;
      if (index === request.maxOutputTokens) return output.incomplete('max_output_tokens');
      output.text(index === 0 ? word : ` ${word}`);
      if (request.modality === 'audio') output.audio(tone());
      // A real model streams; so does this one, a macrotask per word.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    output.usage({ input_tokens: request.items.length * 10, output_tokens: reply.length });
  },
  async transcribe(request) {
    return `${request.durationMs} milliseconds of speech`;
  },
};

/**
 * Serves the Realtime protocol on `server` at `/v1/realtime`, one engine session per
 * connection, frames sent as text.
 *
 * @example
 * ```ts
 * const server = createServer();
 * serveRealtime(server, backwardsModel);
 * server.listen(8790, '127.0.0.1');
 * ```
 */
export function serveRealtime(server: Server | HttpsServer, model: RealtimeModel): WebSocketServer {
  const wss = new WebSocketServer({
    server,
    path: '/v1/realtime',
    perMessageDeflate: false,
    // Browsers and the SDKs offer `realtime` (beside a credential); select it, as the API does.
    handleProtocols: (offered) => (offered.has('realtime') ? 'realtime' : false),
  });
  wss.on('connection', (ws) => {
    const session = createRealtimeSession({
      model,
      send: (frame) => ws.send(frame, { binary: false }),
    });
    ws.on('message', (data) => session.receive(data as Buffer));
    ws.on('close', () => session.close());
    ws.on('error', () => ws.terminate());
  });
  return wss;
}

if (
  process.argv[1] !== undefined &&
  import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')
) {
  const server = createServer();
  serveRealtime(server, backwardsModel);
  server.listen(8790, '127.0.0.1', () =>
    process.stdout.write('custom model on ws://127.0.0.1:8790/v1/realtime\n'),
  );
}
