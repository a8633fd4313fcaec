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
  | 'too_large'
  | 'not_configured';

/** What the client hears as the `code` of each failure. */
const CODES: Readonly<Record<CascadeFailure, string>> = {
  unreachable: 'backend_unreachable',
  http_error: 'backend_http_error',
  rate_limited: 'backend_rate_limited',
  timeout: 'backend_timeout',
  stream_cut: 'backend_stream_cut',
  malformed: 'backend_malformed_response',
  too_large: 'backend_output_too_large',
  not_configured: 'backend_not_configured',
};

/**
 * The longest wait a rate-limited backend may ask for and have the client told (a day): a
 * larger or malformed `retry-after` is left out of the message rather than shown as it came.
 *
 * @example
 * ```ts
 * if (seconds > MAX_RETRY_AFTER_SECONDS) seconds = undefined;
 * ```
 */
export const MAX_RETRY_AFTER_SECONDS = 86_400;

/** What {@link CascadeBackendError} is made from: only facts that are safe to show. */
export interface CascadeBackendErrorDetails {
  readonly stage: CascadeStage;
  readonly failure: CascadeFailure;
  /** The backend's HTTP status, when it answered. */
  readonly status?: number | undefined;
  /**
   * The backend's own error code (`context_length_exceeded`): shown only when it is one of
   * the OpenAI API's known codes.
   */
  readonly backendCode?: string | undefined;
  /**
   * Seconds the backend asked to wait (`retry-after` on a 429): a whole number up to a day
   * (86,400); anything else is not shown.
   */
  readonly retryAfterSeconds?: number | undefined;
  /** The timeout that ran out, in ms. */
  readonly timeoutMs?: number | undefined;
  /** For `too_large`: the option whose bound the backend's output went past, and its value. */
  readonly bound?: { readonly option: string; readonly limit: number; readonly unit: string };
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
    this.retryAfterSeconds = boundedRetryAfter(details.retryAfterSeconds);
  }
}

function boundedRetryAfter(seconds: number | undefined): number | undefined {
  return Number.isSafeInteger(seconds) &&
    (seconds as number) >= 0 &&
    (seconds as number) <= MAX_RETRY_AFTER_SECONDS
    ? seconds
    : undefined;
}

function describeFailure(details: CascadeBackendErrorDetails): string {
  const { stage, status } = details;
  const http = status === undefined ? '' : ` (HTTP ${status})`;
  const known = details.backendCode !== undefined && KNOWN_CODES.has(details.backendCode);
  const code = known ? `: ${details.backendCode}` : '';
  switch (details.failure) {
    case 'unreachable':
      return `${stage} backend: could not connect`;
    case 'http_error':
      return `${stage} backend: request failed${http}${code}`;
    case 'rate_limited': {
      const seconds = boundedRetryAfter(details.retryAfterSeconds);
      return `${stage} backend: rate limited${http}${
        seconds === undefined ? '' : `, retry after ${seconds} s`
      }`;
    }
    case 'timeout':
      return `${stage} backend: no answer within ${details.timeoutMs ?? 0} ms`;
    case 'stream_cut':
      return `${stage} backend: the response ended before it was complete${http}`;
    case 'malformed':
      return `${stage} backend: the response is not what the OpenAI API sends${http}${code}`;
    case 'too_large': {
      const bound = details.bound;
      return bound === undefined
        ? `${stage} backend: the answer is larger than this server accepts`
        : `${stage} backend: the answer went past ${bound.option} (${bound.limit} ${bound.unit})`;
    }
    case 'not_configured':
      return `${stage} backend: none is configured`;
  }
}

/**
 * The OpenAI API's own error codes and types: the only backend strings a client may see. A
 * backend's other strings are not shown, however tame they look: an identifier-shaped field
 * can hold a key (`sk-proj-…`), an id or a word from the prompt.
 */
const KNOWN_CODES: ReadonlySet<string> = new Set([
  // `error.type`
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'conflict_error',
  'unprocessable_entity_error',
  'rate_limit_error',
  'server_error',
  'api_error',
  'insufficient_quota',
  // `error.code`
  'context_length_exceeded',
  'string_above_max_length',
  'array_above_max_length',
  'invalid_value',
  'invalid_type',
  'invalid_prompt',
  'invalid_api_key',
  'invalid_image',
  'invalid_image_url',
  'invalid_image_format',
  'image_too_large',
  'missing_required_parameter',
  'unknown_parameter',
  'unsupported_parameter',
  'unsupported_value',
  'model_not_found',
  'rate_limit_exceeded',
  'tokens_exceeded',
  'billing_hard_limit_reached',
  'account_deactivated',
  'unsupported_country_region_territory',
  'content_policy_violation',
  'content_filter',
  'engine_overloaded',
  'server_is_overloaded',
]);

/**
 * The code an OpenAI-style `error` object gives (`code`, else `type`) when it is one of the
 * OpenAI API's known codes, such as `context_length_exceeded`; anything else (a server's own
 * strings, a key in the wrong field), its message and the rest of the body are never read, as
 * a backend may echo the prompt in them.
 *
 * @example
 * ```ts
 * backendCodeOf({ code: 'context_length_exceeded', message: '…' }); // 'context_length_exceeded'
 * backendCodeOf({ code: 'sk-proj-abc123' }); // undefined
 * ```
 */
export function backendCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, type } = error as { code?: unknown; type?: unknown };
  for (const candidate of [code, type]) {
    if (typeof candidate === 'string' && KNOWN_CODES.has(candidate)) return candidate;
  }
  return undefined;
}
