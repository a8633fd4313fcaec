import { RealtimeModelError } from '../model.ts';

/** The three HTTP calls a cascade makes, each its own endpoint. */
export type CascadeStage = 'chat' | 'transcription' | 'speech';

/** How a backend call went wrong, as the client is told it. */
export type CascadeFailure =
  | 'unreachable'
  | 'http_error'
  | 'rate_limited'
  | 'timeout'
  | 'stream_cut'
  | 'malformed'
  | 'not_configured';

/** What the client hears as the `code` of each failure. */
const CODES: Readonly<Record<CascadeFailure, string>> = {
  unreachable: 'backend_unreachable',
  http_error: 'backend_http_error',
  rate_limited: 'backend_rate_limited',
  timeout: 'backend_timeout',
  stream_cut: 'backend_stream_cut',
  malformed: 'backend_malformed_response',
  not_configured: 'backend_not_configured',
};

/** What {@link CascadeBackendError} is made from: only facts that are safe to show. */
export interface CascadeBackendErrorDetails {
  readonly stage: CascadeStage;
  readonly failure: CascadeFailure;
  /** The backend's HTTP status, when it answered. */
  readonly status?: number | undefined;
  /** The backend's own error code (`context_length_exceeded`), when it is an identifier. */
  readonly backendCode?: string | undefined;
  /** Seconds the backend asked to wait (`retry-after` on a 429). */
  readonly retryAfterSeconds?: number | undefined;
  /** The timeout that ran out, in ms. */
  readonly timeoutMs?: number | undefined;
  readonly cause?: unknown;
}

/**
 * A backend of a cascade failed: the response ends `failed` with this error's `code` and its
 * message, which names the stage and the HTTP status and nothing else. The backend's body,
 * its API key and the user's words never reach it (bodies can echo prompts).
 *
 * @example
 * ```ts
 * if (CascadeBackendError.isInstance(error)) console.warn(error.stage, error.status);
 * ```
 */
export class CascadeBackendError extends RealtimeModelError {
  static override readonly brand: string = 'rtwire.CascadeBackendError';
  readonly stage: CascadeStage;
  readonly failure: CascadeFailure;
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(details: CascadeBackendErrorDetails) {
    super(describeFailure(details), {
      code: CODES[details.failure],
      expose: true,
      cause: details.cause,
    });
    this.name = 'CascadeBackendError';
    this.stage = details.stage;
    this.failure = details.failure;
    this.status = details.status;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

function describeFailure(details: CascadeBackendErrorDetails): string {
  const { stage, status } = details;
  const http = status === undefined ? '' : ` (HTTP ${status})`;
  const code = details.backendCode === undefined ? '' : `: ${details.backendCode}`;
  switch (details.failure) {
    case 'unreachable':
      return `${stage} backend: could not connect`;
    case 'http_error':
      return `${stage} backend: request failed${http}${code}`;
    case 'rate_limited':
      return `${stage} backend: rate limited${http}${
        details.retryAfterSeconds === undefined
          ? ''
          : `, retry after ${details.retryAfterSeconds} s`
      }`;
    case 'timeout':
      return `${stage} backend: no answer within ${details.timeoutMs ?? 0} ms`;
    case 'stream_cut':
      return `${stage} backend: the response ended before it was complete${http}`;
    case 'malformed':
      return `${stage} backend: the response is not what the OpenAI API sends${http}${code}`;
    case 'not_configured':
      return `${stage} backend: none is configured`;
  }
}

const IDENTIFIER = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The code an OpenAI-style `error` object gives (`code`, else `type`), when it is an
 * identifier such as `context_length_exceeded`; its message and anything else are never read,
 * as a backend may echo the prompt in them.
 */
export function backendCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, type } = error as { code?: unknown; type?: unknown };
  for (const candidate of [code, type]) {
    if (typeof candidate === 'string' && IDENTIFIER.test(candidate)) return candidate;
  }
  return undefined;
}
