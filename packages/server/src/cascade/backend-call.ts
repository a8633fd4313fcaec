import {
  backendCodeOf,
  CascadeBackendError,
  type CascadeBackendErrorDetails,
  type CascadeStage,
  MAX_RETRY_AFTER_SECONDS,
} from './backend-error.ts';
import { CALL_CLOSED, followSignal } from './follow-signal.ts';

/** Where one stage's requests go. */
export interface CascadeEndpoint {
  /** The OpenAI-compatible API root, such as `http://127.0.0.1:11434/v1`. */
  readonly baseURL: string;
  /** Sent as `Authorization: Bearer …` when set; never in an error or a log. */
  readonly apiKey?: string | undefined;
}

/** What a {@link BackendCall} is made with. */
export interface BackendCallOptions {
  readonly stage: CascadeStage;
  readonly endpoint: CascadeEndpoint;
  /** The fetch to call (the global one by default). */
  readonly fetch: typeof fetch;
  /** How long the backend may take to answer, and then between two chunks of its body. */
  readonly timeoutMs: number;
  /** Aborts the call (the response was cancelled, or another stage failed). */
  readonly signal: AbortSignal;
}

/** Largest error body read for its code; the rest is not read at all. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * One HTTP request to a backend stage and the reading of its answer, with the two things
 * every stage needs: a timeout that also bounds the silence inside a streamed body, and
 * failures turned into a {@link CascadeBackendError} that names the stage and the status
 * only. Aborting the caller's signal closes the connection, so the backend sees the cancel;
 * the call follows that signal until it is closed (or released).
 *
 * @example
 * ```ts
 * const call = new BackendCall({ stage: 'transcription', endpoint, fetch, timeoutMs: 30_000, signal });
 * try {
 *   const text = await call.text(await call.send('audio/transcriptions', { body: form }), maxBytes);
 * } finally {
 *   call.close(); // lets go of `signal` too
 * }
 * ```
 */
export class BackendCall {
  readonly #options: BackendCallOptions;
  readonly #abort = new AbortController();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timedOut = false;
  #status: number | undefined;
  #released = false;
  readonly #unfollow: () => void;

  constructor(options: BackendCallOptions) {
    this.#options = options;
    this.#unfollow = followSignal(options.signal, this.#abort);
  }

  /**
   * The caller has all it needs (a chat stream's `[DONE]`): the rest of the body is read in
   * the background, bounded, instead of the connection being torn down, so it goes back to
   * the pool and the response ends without waiting on a socket being destroyed.
   */
  release(): void {
    this.#released = true;
    this.#unfollow();
  }

  /**
   * Sends the request; resolves to the backend's answer once it says 2xx, rejects with a
   * {@link CascadeBackendError} otherwise (or with the abort, when the caller aborted).
   */
  async send(path: string, init: { body: BodyInit; headers?: Record<string, string> }) {
    const { endpoint } = this.#options;
    const headers: Record<string, string> = { ...init.headers };
    if (endpoint.apiKey !== undefined) headers.authorization = `Bearer ${endpoint.apiKey}`;
    this.#arm();
    let response: Response;
    try {
      response = await this.#options.fetch(joinUrl(endpoint.baseURL, path), {
        method: 'POST',
        headers,
        body: init.body,
        signal: this.#abort.signal,
      });
    } catch (error) {
      throw this.#failure(error, 'unreachable');
    }
    this.#status = response.status;
    if (response.ok) {
      // It answered. From here the clock runs only while a read waits: a body the caller has
      // not started (speech asked ahead, while a slow client hears the sentence before) is
      // not a silent backend.
      this.#disarm();
      return response;
    }
    const backendCode = await this.#errorCode(response);
    this.#disarm();
    if (response.status === 429) {
      throw this.#error({
        failure: 'rate_limited',
        retryAfterSeconds: retryAfterSeconds(response.headers.get('retry-after')),
      });
    }
    throw this.#error({ failure: 'http_error', backendCode });
  }

  /**
   * The body's chunks as they come; the timeout restarts with each one, and a body that
   * breaks off rejects as `stream_cut`.
   */
  async *chunks(response: Response): AsyncGenerator<Uint8Array> {
    const body = response.body;
    if (body === null) return;
    const reader = body.getReader();
    try {
      for (;;) {
        this.#arm();
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch (error) {
          throw this.#failure(error, 'stream_cut');
        }
        // The clock measures the backend's silence, not the time the caller takes per chunk.
        this.#disarm();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      this.#disarm();
      // Stops the download when the caller stops reading early (a cancel, a failure).
      if (this.#released) this.#drain(reader);
      else reader.cancel().catch(() => {});
    }
  }

  /** Reads what is left of a released body, at most 64 KiB and within the timeout. */
  #drain(reader: ReadableStreamDefaultReader<Uint8Array>): void {
    let left = MAX_ERROR_BODY_BYTES;
    const next = (): Promise<void> => {
      this.#arm();
      return reader.read().then(({ done, value }) => {
        this.#disarm();
        left -= value?.length ?? 0;
        if (done) return;
        if (left < 0) {
          this.#abort.abort(CALL_CLOSED);
          return;
        }
        return next();
      });
    };
    next().catch(() => this.#disarm());
  }

  /** The whole body as text, at most `maxBytes` (past it: `malformed`). */
  async text(response: Response, maxBytes: number): Promise<string> {
    const decoder = new TextDecoder();
    let text = '';
    let bytes = 0;
    for await (const chunk of this.chunks(response)) {
      bytes += chunk.length;
      if (bytes > maxBytes) throw this.#error({ failure: 'malformed' });
      text += decoder.decode(chunk, { stream: true });
    }
    return text + decoder.decode();
  }

  /** A {@link CascadeBackendError} of this call (stage and status filled in). */
  error(details: {
    failure: 'malformed' | 'stream_cut' | 'http_error' | 'too_large';
    backendCode?: string | undefined;
    bound?: CascadeBackendErrorDetails['bound'];
  }): CascadeBackendError {
    return this.#error(details);
  }

  /**
   * Stops the call: the request, or the body being read. It also stops following the
   * caller's signal, so calls made one after the other on a long-lived signal (a session's)
   * leave no listener behind on it.
   */
  close(): void {
    this.#disarm();
    this.#unfollow();
    this.#abort.abort(CALL_CLOSED);
  }

  #error(details: {
    failure:
      | 'malformed'
      | 'stream_cut'
      | 'http_error'
      | 'rate_limited'
      | 'unreachable'
      | 'too_large';
    backendCode?: string | undefined;
    bound?: CascadeBackendErrorDetails['bound'];
    retryAfterSeconds?: number | undefined;
    cause?: unknown;
  }): CascadeBackendError {
    return new CascadeBackendError({
      stage: this.#options.stage,
      status: this.#status,
      ...details,
    });
  }

  /** What a rejected fetch or read means: the caller's abort, the timeout, or `failure`. */
  #failure(error: unknown, failure: 'unreachable' | 'stream_cut'): unknown {
    this.#disarm();
    if (this.#options.signal.aborted) return this.#options.signal.reason ?? error;
    if (this.#timedOut) {
      return new CascadeBackendError({
        stage: this.#options.stage,
        failure: 'timeout',
        status: this.#status,
        timeoutMs: this.#options.timeoutMs,
      });
    }
    return this.#error({ failure, cause: error });
  }

  #arm(): void {
    this.#disarm();
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#abort.abort(CALL_CLOSED);
    }, this.#options.timeoutMs);
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The `error.code` (or `type`) of an OpenAI-style error body, when it is an identifier. */
  async #errorCode(response: Response): Promise<string | undefined> {
    let text: string;
    try {
      text = await this.text(response, MAX_ERROR_BODY_BYTES);
    } catch {
      return undefined;
    }
    try {
      return backendCodeOf((JSON.parse(text) as { error?: unknown } | null)?.error);
    } catch {
      return undefined;
    }
  }
}

/** `base` + `/path`, whether or not `base` ends in a slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * A `retry-after` header in seconds: delta-seconds or an HTTP date, rounded up; `undefined`
 * when it is neither, or asks for more than {@link MAX_RETRY_AFTER_SECONDS} (a day).
 */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  let seconds: number;
  if (/^\d{1,16}$/.test(trimmed)) seconds = Number(trimmed);
  else {
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return undefined;
    seconds = Math.max(0, Math.ceil((date - now) / 1000));
  }
  return seconds <= MAX_RETRY_AFTER_SECONDS ? seconds : undefined;
}
