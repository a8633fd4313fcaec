import type { RealtimeConversationItem } from '@rtwire/types';
import {
  type RealtimeModel,
  RealtimeModelError,
  type ResponseOutput,
  type ResponseRequest,
} from '../model.ts';
import { decodeBase64 } from '../pcm.ts';
import { BackendCall, type CascadeEndpoint } from './backend-call.ts';
import { CascadeBackendError, type CascadeStage } from './backend-error.ts';
import { chatMessages, chatToolChoice, chatTools, type HeardText } from './chat-request.ts';
import { readChatStream } from './chat-stream.ts';
import { CALL_CLOSED, followSignal } from './follow-signal.ts';
import { type ImageUrlFilter, type ImageUrlPolicy, imageUrlFilter } from './image-urls.ts';
import { SentenceSplitter } from './sentence-splitter.ts';
import { SpokenOutput } from './spoken-output.ts';
import { ToolCallStream } from './tool-call-stream.ts';
import { type TranscribeAudioRequest, transcribeAudio } from './transcribe-audio.ts';

/** Options of {@link createCascadeModel}. */
export interface CascadeModelOptions {
  /** The OpenAI-compatible API root of every stage, such as `http://127.0.0.1:11434/v1`. */
  readonly baseURL: string;
  /** Sent as `Authorization: Bearer …` to every stage without its own key. */
  readonly apiKey?: string | undefined;
  /** The model of `POST /chat/completions`. */
  readonly chatModel: string;
  /**
   * The model of `POST /audio/transcriptions`. Without it, user audio cannot be understood:
   * a response to it fails, naming the `transcription` stage.
   */
  readonly transcriptionModel?: string | undefined;
  /**
   * The model of `POST /audio/speech`. Without it, audio responses carry their transcript
   * and no audio.
   */
  readonly speechModel?: string | undefined;
  /** The speech voice, for every session (default: the session's `audio.output.voice`). */
  readonly voice?: string | undefined;
  /** A stage served elsewhere: its own base URL and key. */
  readonly endpoints?: Partial<Readonly<Record<CascadeStage, CascadeEndpoint>>> | undefined;
  /**
   * How long a backend may take to answer, and then be silent inside a streamed body
   * (default 30000 ms).
   */
  readonly timeoutMs?: number | undefined;
  /**
   * The Chat Completions field `max_output_tokens` goes in (default `max_tokens`, which
   * vLLM, Ollama, llama.cpp and LocalAI read; OpenAI's reasoning models want
   * `max_completion_tokens`).
   */
  readonly maxTokensParameter?: 'max_tokens' | 'max_completion_tokens' | undefined;
  /** Sentences whose speech is requested while one plays (default 1). */
  readonly speechLookahead?: number | undefined;
  /** The fetch every stage calls (default: the global one). */
  readonly fetch?: typeof fetch | undefined;
  /**
   * Which `input_image` URLs go to the chat backend (default: `data:` URLs only). The backend
   * fetches what it is given, from where it runs, so a URL a client chose could reach its
   * network (`http://169.254.169.254/…`) or its disk (`file:///etc/passwd`); a `data:` URL
   * carries the image itself. An image whose URL is refused fails the response with
   * `image_url_not_allowed`, naming no URL.
   */
  readonly imageUrls?: ImageUrlPolicy | undefined;
  /**
   * Most characters of text (or transcript) one response takes from the chat backend
   * (default 262,144). Past it the response ends `incomplete` with reason
   * `max_output_tokens`, as when a model runs out of tokens: what came before stays.
   */
  readonly maxTextChars?: number | undefined;
  /**
   * Most function calls one response takes from the chat backend (default 32). One more
   * fails the response with `backend_output_too_large`: a client must not run half a set of
   * calls.
   */
  readonly maxToolCalls?: number | undefined;
  /**
   * Most characters of arguments one function call takes from the chat backend (default
   * 65,536). Past it the response fails with `backend_output_too_large`: truncated
   * arguments are not a call to run.
   */
  readonly maxToolArgumentsChars?: number | undefined;
}

/**
 * A Realtime model made of three plain OpenAI HTTP APIs, for servers that have no Realtime
 * endpoint (Ollama, vLLM, LocalAI, speaches, llama.cpp): committed input audio goes to
 * `/audio/transcriptions`, the conversation to a streamed `/chat/completions` (tools as
 * `tools`, calls back as function-call items), and, in an audio response, each sentence to
 * `/audio/speech` while the chat stream goes on. The engine owns the protocol; this model
 * owns the HTTP calls. Cancelling a response aborts every request of it at once.
 *
 * What a backend sends is bounded: text per response (`maxTextChars`), calls per response
 * (`maxToolCalls`), arguments per call (`maxToolArgumentsChars`), and one SSE event (six
 * times the larger of the two character bounds, plus 64 KiB); the engine splits long deltas
 * into frames of at most 16,384 characters (audio: 32,768 bytes). Speech is read no faster
 * than the session sends (`ResponseOutput.ready`). So one response holds at most
 * {@link RealtimeModel.maxHeldBytes} in the cascade's own buffers. `input_image` URLs other
 * than `data:` are refused unless `imageUrls` allows them.
 *
 * @example
 * ```ts
 * import { createCascadeModel, createRealtimeSession } from '@rtwire/server';
 *
 * const model = createCascadeModel({
 *   baseURL: 'http://127.0.0.1:11434/v1',
 *   chatModel: 'llama3.2',
 *   transcriptionModel: 'Systran/faster-whisper-small',
 *   speechModel: 'speaches-ai/Kokoro-82M-v1.0-ONNX',
 *   voice: 'af_heart',
 *   endpoints: { transcription: { baseURL: 'http://127.0.0.1:8000/v1' }, speech: { baseURL: 'http://127.0.0.1:8000/v1' } },
 * });
 * const session = createRealtimeSession({ model, send: (frame) => ws.send(frame, { binary: false }) });
 * ```
 */
export function createCascadeModel(options: CascadeModelOptions): RealtimeModel {
  const settings = resolve(options);
  const model: RealtimeModel = {
    readsTranscripts: true,
    maxHeldBytes: heldBytesOf(settings),
    respond: (request, output, signal) => respond(settings, request, output, signal),
  };
  if (settings.transcription !== undefined) {
    model.transcribe = (request, signal) => transcribe(settings, request, signal);
  }
  return model;
}

/** Input audio through the transcription stage (configured: the caller checked). */
function transcribe(
  settings: CascadeSettings,
  request: Omit<TranscribeAudioRequest, 'model'>,
  signal: AbortSignal,
): Promise<string> {
  const stage = settings.transcription as Stage;
  return transcribeAudio(
    { endpoint: stage.endpoint, fetch: settings.fetch, timeoutMs: settings.timeoutMs, signal },
    { ...request, model: stage.model },
  );
}

interface Stage {
  readonly endpoint: CascadeEndpoint;
  readonly model: string;
}

/** What one response may take from the chat backend. */
interface OutputBounds {
  readonly maxTextChars: number;
  readonly maxToolCalls: number;
  readonly maxToolArgumentsChars: number;
  /** The longest SSE event parsed: room for the larger bound, JSON-escaped (`\uXXXX`). */
  readonly maxEventChars: number;
}

interface CascadeSettings {
  readonly chat: Stage;
  readonly images: ImageUrlFilter;
  readonly bounds: OutputBounds;
  readonly transcription: Stage | undefined;
  readonly speech: (Stage & { readonly voice: string | undefined }) | undefined;
  readonly timeoutMs: number;
  readonly maxTokensParameter: 'max_tokens' | 'max_completion_tokens';
  readonly lookahead: number;
  readonly fetch: typeof fetch;
}

/** The options checked once, at creation: a bad one is a setup mistake, named by field. */
function resolve(options: CascadeModelOptions): CascadeSettings {
  const endpointOf = (stage: CascadeStage): CascadeEndpoint => {
    const own = options.endpoints?.[stage];
    const baseURL = own?.baseURL ?? options.baseURL;
    const field = own?.baseURL === undefined ? 'baseURL' : `endpoints.${stage}.baseURL`;
    if (!isHttpUrl(baseURL)) {
      throw new TypeError(`createCascadeModel: ${field} must be an http: or https: URL`);
    }
    const apiKey = own?.apiKey ?? options.apiKey;
    return apiKey === undefined || apiKey === '' ? { baseURL } : { baseURL, apiKey };
  };
  const name = (field: string, value: unknown): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '') {
      throw new TypeError(`createCascadeModel: ${field} must be a non-empty string`);
    }
    return value;
  };
  // Every endpoint given is checked, used or not: a typo must not wait for the day it is used.
  for (const stage of ['chat', 'transcription', 'speech'] as const) endpointOf(stage);
  const chatModel = name('chatModel', options.chatModel);
  if (chatModel === undefined) {
    throw new TypeError('createCascadeModel: chatModel must be a non-empty string');
  }
  const transcriptionModel = name('transcriptionModel', options.transcriptionModel);
  const speechModel = name('speechModel', options.speechModel);
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError('createCascadeModel: timeoutMs must be a positive number');
  }
  const bound = (field: keyof CascadeModelOptions, fallback: number): number => {
    const value = options[field] ?? fallback;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new TypeError(`createCascadeModel: ${field} must be a positive whole number`);
    }
    return value;
  };
  const maxTextChars = bound('maxTextChars', 262_144);
  const maxToolArgumentsChars = bound('maxToolArgumentsChars', 65_536);
  const bounds: OutputBounds = {
    maxTextChars,
    maxToolCalls: bound('maxToolCalls', 32),
    maxToolArgumentsChars,
    maxEventChars: 6 * Math.max(maxTextChars, maxToolArgumentsChars) + 64 * 1024,
  };
  const fetcher = options.fetch ?? globalThis.fetch;
  if (typeof fetcher !== 'function') {
    throw new TypeError('createCascadeModel: fetch must be a function (no global fetch here)');
  }
  return {
    chat: { endpoint: endpointOf('chat'), model: chatModel },
    images: imageUrlFilter(options.imageUrls),
    bounds,
    transcription:
      transcriptionModel === undefined
        ? undefined
        : { endpoint: endpointOf('transcription'), model: transcriptionModel },
    speech:
      speechModel === undefined
        ? undefined
        : {
            endpoint: endpointOf('speech'),
            model: speechModel,
            voice: name('voice', options.voice),
          },
    timeoutMs,
    maxTokensParameter: options.maxTokensParameter ?? 'max_tokens',
    lookahead: Math.max(0, Math.floor(options.speechLookahead ?? 1)),
    // Called unbound: some runtimes' fetch throws when `this` is not the global.
    fetch: (input, init) => fetcher(input, init),
  };
}

/**
 * The most one response holds in the cascade's buffers, two bytes a character: one SSE event
 * being parsed, the text waiting for speech, and the calls held until what was said before
 * them has been spoken.
 */
function heldBytesOf(settings: CascadeSettings): number {
  const { maxEventChars, maxTextChars, maxToolCalls, maxToolArgumentsChars } = settings.bounds;
  return 2 * (maxEventChars + maxTextChars + maxToolCalls * maxToolArgumentsChars);
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

type MessageItem = RealtimeConversationItem & { type: 'message' };

async function respond(
  settings: CascadeSettings,
  request: ResponseRequest,
  output: ResponseOutput,
  signal: AbortSignal,
): Promise<void> {
  // One signal for every request of this response: the engine's cancel, or a failed stage.
  const local = new AbortController();
  const unfollow = followSignal(signal, local);
  const call = (stage: CascadeStage, endpoint: CascadeEndpoint) =>
    new BackendCall({
      stage,
      endpoint,
      fetch: settings.fetch,
      timeoutMs: settings.timeoutMs,
      signal: local.signal,
    });
  try {
    const messages = await chatMessages(
      request,
      heardText(settings, request, local.signal),
      settings.images,
    );
    const chat = call('chat', settings.chat.endpoint);
    const response = await chat.send('chat/completions', {
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify(chatBody(settings, request, messages)),
    });
    const speech = request.modality === 'audio' ? settings.speech : undefined;
    const spoken =
      speech === undefined
        ? undefined
        : new SpokenOutput({
            output,
            format: request.outputAudioFormat,
            lookahead: settings.lookahead,
            speak: async (sentence) => {
              const speaking = call('speech', speech.endpoint);
              const answer = await speaking.send('audio/speech', {
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({
                  model: speech.model,
                  input: sentence,
                  voice: speech.voice ?? request.voice,
                  response_format: 'pcm',
                }),
              });
              return speaking.chunks(answer);
            },
          });
    if (spoken !== undefined) spoken.onFailure = (error) => local.abort(error);
    const splitter = spoken === undefined ? undefined : new SentenceSplitter();
    /** Writes in order: after the sentences queued for speech, or at once. */
    const write = (doWrite: () => void) =>
      spoken === undefined ? doWrite() : spoken.after(doWrite);
    const sayRest = () => {
      const rest = splitter?.flush();
      if (rest !== undefined) spoken?.say(rest);
    };
    const { bounds } = settings;
    const toolCalls = new ToolCallStream({
      output,
      write,
      malformed: () => chat.error({ failure: 'malformed' }),
      maxCalls: bounds.maxToolCalls,
      maxArgumentsChars: bounds.maxToolArgumentsChars,
      tooLarge: (which) =>
        which === 'maxCalls'
          ? chat.error({
              failure: 'too_large',
              bound: { option: 'maxToolCalls', limit: bounds.maxToolCalls, unit: 'calls' },
            })
          : chat.error({
              failure: 'too_large',
              bound: {
                option: 'maxToolArgumentsChars',
                limit: bounds.maxToolArgumentsChars,
                unit: 'characters of arguments in one call',
              },
            }),
    });
    let finishReason: string | undefined;
    let textLeft = bounds.maxTextChars;
    for await (const part of readChatStream(chat, response, bounds.maxEventChars)) {
      switch (part.type) {
        case 'text': {
          const delta = within(part.delta, textLeft);
          textLeft -= delta.length;
          if (splitter === undefined) output.text(delta);
          else for (const sentence of splitter.push(delta)) spoken?.say(sentence);
          if (delta.length < part.delta.length) finishReason = TEXT_BOUND;
          break;
        }
        case 'tool-call':
          // What was said before the call is spoken before it starts.
          sayRest();
          toolCalls.push(part);
          break;
        case 'usage':
          output.usage(part.usage);
          break;
        case 'finish':
          finishReason = part.reason;
          break;
      }
      // Past the text bound the rest of the stream is not read: the response ends here.
      if (finishReason === TEXT_BOUND) break;
      // Read no faster than the client reads (a no-op while the session keeps up).
      await output.ready();
    }
    sayRest();
    // A call cut off by the text bound is left open: the response ends it `incomplete`.
    if (finishReason !== TEXT_BOUND) toolCalls.end();
    await spoken?.finished();
    if (finishReason === 'length' || finishReason === TEXT_BOUND) {
      output.incomplete('max_output_tokens');
    } else if (finishReason === 'content_filter') output.incomplete('content_filter');
  } finally {
    unfollow();
    // Whatever is still open (speech asked ahead, a body not read) closes with the response.
    local.abort(CALL_CLOSED);
  }
}

/** Not a backend's `finish_reason`: the cascade's own, for text past `maxTextChars`. */
const TEXT_BOUND = 'rtwire:max_text_chars';

/** `text` cut to at most `left` characters, never between a surrogate pair. */
function within(text: string, left: number): string {
  if (text.length <= left) return text;
  let end = Math.max(0, left);
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}

function chatBody(
  settings: CascadeSettings,
  request: ResponseRequest,
  messages: readonly unknown[],
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: settings.chat.model,
    messages,
    stream: true,
    stream_options: { include_usage: true },
  };
  const tools = chatTools(request.tools);
  if (tools.length > 0) {
    body.tools = tools;
    const choice = chatToolChoice(request.toolChoice);
    if (choice !== undefined) body.tool_choice = choice;
  }
  if (typeof request.maxOutputTokens === 'number') {
    body[settings.maxTokensParameter] = request.maxOutputTokens;
  }
  return body;
}

/**
 * What user audio said: its transcript, the one the engine had made, or, for audio a client
 * put in an item itself, one made now. The last user turn must have been heard: a response
 * to words nobody could read fails, naming the transcription stage.
 */
function heardText(
  settings: CascadeSettings,
  request: ResponseRequest,
  signal: AbortSignal,
): HeardText {
  const lastUser = [...request.items]
    .reverse()
    .find((item): item is MessageItem => item.type === 'message' && item.role === 'user');
  return async (item, index) => {
    const part = item.content[index] as { transcript?: unknown; audio?: unknown } | undefined;
    let text: string | undefined =
      typeof part?.transcript === 'string' && part.transcript !== '' ? part.transcript : undefined;
    if (text === undefined && typeof item.id === 'string') {
      text = await request.transcript(item.id);
    }
    if (text === undefined && typeof part?.audio === 'string' && settings.transcription) {
      const audio = decodeBase64(part.audio);
      if (audio !== undefined && audio.length > 0) {
        text = await transcribe(
          settings,
          { audio, format: request.inputAudioFormat, settings: {} },
          signal,
        );
      }
    }
    if (text === undefined && item === lastUser && item.content.length === 1) {
      if (settings.transcription === undefined) {
        throw new CascadeBackendError({ stage: 'transcription', failure: 'not_configured' });
      }
      throw new RealtimeModelError(
        'transcription backend: the user audio has no transcript, so the chat model cannot answer it',
        { code: 'input_audio_not_transcribed', expose: true },
      );
    }
    return text;
  };
}
