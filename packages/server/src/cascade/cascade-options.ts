import type { CascadeEndpoint } from './backend-call.ts';
import type { CascadeStage } from './backend-error.ts';
import { type ImageUrlFilter, type ImageUrlPolicy, imageUrlFilter } from './image-urls.ts';

/**
 * Options of `createCascadeModel`.
 *
 * @example
 * ```ts
 * const options: CascadeModelOptions = {
 *   baseURL: 'http://127.0.0.1:11434/v1',
 *   chatModel: 'llama3.2',
 *   transcriptionModel: 'whisper-small',
 *   speechModel: 'kokoro',
 * };
 * ```
 */
export interface CascadeModelOptions {
  /** The OpenAI-compatible API root of every stage, such as `http://127.0.0.1:11434/v1`. */
  readonly baseURL: string;
  /** Sent as `Authorization: Bearer …` to every stage without its own key. */
  readonly apiKey?: string | undefined;
  /** The model of `POST /chat/completions`. */
  readonly chatModel: string;
  /**
   * The model of `POST /audio/transcriptions`. Without it, user audio cannot be understood:
   * a response to it fails, naming the `transcription` stage, and a translation session ends
   * at once.
   */
  readonly transcriptionModel?: string | undefined;
  /**
   * The model of `POST /audio/speech`. Without it, audio responses carry their transcript
   * and no audio, and translations are text only.
   */
  readonly speechModel?: string | undefined;
  /**
   * The speech voice, for every session (default: the session's `audio.output.voice`, and
   * `marin` in a translation session, which has no voice setting).
   */
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
 * One backend stage: where it is and the model it runs.
 *
 * @example
 * ```ts
 * const chat: Stage = { endpoint: { baseURL: 'http://127.0.0.1:11434/v1' }, model: 'llama3.2' };
 * ```
 */
export interface Stage {
  readonly endpoint: CascadeEndpoint;
  readonly model: string;
}

/**
 * What one response may take from the chat backend.
 *
 * @example
 * ```ts
 * const text = within(delta, settings.bounds.maxTextChars - taken);
 * ```
 */
export interface OutputBounds {
  readonly maxTextChars: number;
  readonly maxToolCalls: number;
  readonly maxToolArgumentsChars: number;
  /** The longest SSE event parsed: room for the larger bound, JSON-escaped (`\uXXXX`). */
  readonly maxEventChars: number;
}

/**
 * The cascade's options, checked and with their defaults: what `resolveCascadeOptions` gives.
 *
 * @example
 * ```ts
 * const settings: CascadeSettings = resolveCascadeOptions(options);
 * const call = new BackendCall({ stage: 'chat', endpoint: settings.chat.endpoint, ...rest });
 * ```
 */
export interface CascadeSettings {
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

/**
 * The options checked once, at creation: a bad one is a setup mistake, named by field.
 *
 * @example
 * ```ts
 * const settings = resolveCascadeOptions({ baseURL: 'http://127.0.0.1:11434/v1', chatModel: 'llama3.2' });
 * ```
 */
export function resolveCascadeOptions(options: CascadeModelOptions): CascadeSettings {
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
 *
 * @example
 * ```ts
 * model.maxHeldBytes = heldBytesOf(resolveCascadeOptions(options));
 * ```
 */
export function heldBytesOf(settings: CascadeSettings): number {
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
