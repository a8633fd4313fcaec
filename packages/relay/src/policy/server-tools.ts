import { RtwireError } from '@rtwire/types';
import { validateJsonSchema } from './json-schema.ts';
import type { ServerToolPolicy } from './relay-policy.ts';

/** One call of a server tool, as its handler gets it. */
export interface ServerToolCall {
  readonly name: string;
  /** The arguments, parsed and validated against the tool's `parameters`. */
  readonly arguments: Readonly<Record<string, unknown>>;
  readonly callId: string;
  /** The relay session's id. */
  readonly session: string;
  /** The tenant whose credential opened the session (`undefined` for a plain token or none). */
  readonly tenant: string | undefined;
}

/**
 * Runs a server tool. What it returns becomes the call's output: a string as it is, anything
 * else as JSON. `signal` aborts on timeout, cancel, barge-in and client disconnect.
 */
export type ServerToolHandler = (call: ServerToolCall, signal: AbortSignal) => Promise<unknown>;

/** Why a call ended without the handler's answer; the model reads it as `{"error": …}`. */
class ToolCallFailure extends RtwireError {
  static override readonly brand: string = 'rtwire.ToolCallFailure';
  constructor(message: string) {
    super('tool_call_failed', message);
  }
}

/**
 * The most bytes a handler's HTTP answer may have before the call fails: what one client's
 * tool call can make the relay hold.
 *
 * @example
 * ```ts
 * if (text.length > MAX_TOOL_OUTPUT_BYTES) throw new Error('too large');
 * ```
 */
export const MAX_TOOL_OUTPUT_BYTES = 256 * 1024;

/**
 * The most bytes (UTF-8) of arguments one server tool call may have: a call with more is
 * answered with an error output and its handler never runs, so what the model writes is not
 * POSTed, or held, at any size. Tool arguments are a few hundred bytes in practice.
 *
 * @example
 * ```ts
 * if (utf8Length(argumentsText) > MAX_TOOL_ARGUMENT_BYTES) return errorOutput('too large');
 * ```
 */
export const MAX_TOOL_ARGUMENT_BYTES = 64 * 1024;

/**
 * The HTTP handler of a server tool with a `url`: POSTs `{ name, arguments, call_id, session,
 * tenant }` as JSON (with the tool's secret header, if any) and returns the response body,
 * JSON or text. A status other than 2xx, or a body over {@link MAX_TOOL_OUTPUT_BYTES}, fails
 * the call. Runtime-neutral: `fetch` and `AbortSignal` only.
 *
 * @example
 * ```ts
 * const handler = createHttpToolHandler(policy.serverTools[0]);
 * const output = await handler(call, AbortSignal.timeout(3000));
 * ```
 */
export function createHttpToolHandler(
  tool: Pick<ServerToolPolicy, 'url' | 'secretHeader'>,
  fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init),
): ServerToolHandler {
  const url = tool.url;
  if (url === undefined) throw new TypeError('createHttpToolHandler: the tool has no url');
  return async (call, signal) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (tool.secretHeader) headers[tool.secretHeader.name] = tool.secretHeader.value;
    const response = await fetchImpl(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        name: call.name,
        arguments: call.arguments,
        call_id: call.callId,
        session: call.session,
        tenant: call.tenant ?? null,
      }),
      signal,
      // A redirect is not followed (Workers cannot refuse one outright): it fails the call as not 2xx.
      redirect: 'manual',
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new ToolCallFailure(`the tool failed (HTTP ${response.status})`);
    }
    const text = await readBounded(response, MAX_TOOL_OUTPUT_BYTES);
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('json')) {
      try {
        JSON.parse(text);
      } catch {
        throw new ToolCallFailure('the tool answered with invalid JSON');
      }
    }
    return text;
  };
}

/**
 * Runs one call of a server tool to its output text, never throwing: arguments that are not
 * a JSON object or do not match the tool's schema, a handler that fails, times out or is
 * aborted, each end as `{"error": "…"}` the model can read, with no internals in it (the
 * handler's own error text stays out; `log` gets it).
 *
 * @example
 * ```ts
 * const output = await runServerTool(tool, handler, { name, argumentsText, callId, session, tenant }, signal);
 * ```
 */
export async function runServerTool(
  tool: ServerToolPolicy,
  handler: ServerToolHandler,
  call: Omit<ServerToolCall, 'arguments'> & { readonly argumentsText: string },
  signal: AbortSignal,
  log: (event: string, fields: Record<string, unknown>) => void = () => {},
): Promise<string> {
  if (signal.aborted) return errorOutput('the call was cancelled');
  if (utf8LengthOver(call.argumentsText, MAX_TOOL_ARGUMENT_BYTES)) {
    log('tool.failed', { tool: tool.name, reason: 'arguments too large' });
    return errorOutput(`invalid arguments: more than ${MAX_TOOL_ARGUMENT_BYTES} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(call.argumentsText);
  } catch {
    return errorOutput('invalid arguments: expected a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return errorOutput('invalid arguments: expected a JSON object');
  }
  const violations = validateJsonSchema(parsed, tool.parameters, { maxViolations: 5 });
  if (violations.length > 0) {
    const described = violations.map((v) => `${v.path || '/'}: expected ${v.expected}`).join('; ');
    return errorOutput(`invalid arguments: ${described}`);
  }
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), tool.timeoutMs);
  const both = anySignal([signal, timeout.signal]);
  try {
    const result = await Promise.race([
      handler({ ...call, arguments: parsed as Record<string, unknown> }, both),
      new Promise<never>((_, reject) => {
        const fail = () =>
          reject(
            new ToolCallFailure(signal.aborted ? 'the call was cancelled' : 'the tool timed out'),
          );
        if (both.aborted) fail();
        else both.addEventListener('abort', fail, { once: true });
      }),
    ]);
    // A handler in the relay's process may return anything: too much is refused as over HTTP.
    const text = typeof result === 'string' ? result : (JSON.stringify(result ?? null) ?? 'null');
    if (utf8LengthOver(text, MAX_TOOL_OUTPUT_BYTES)) {
      throw new ToolCallFailure('the tool answered with too much output');
    }
    return text;
  } catch (error) {
    if (error instanceof ToolCallFailure) {
      log('tool.failed', { tool: tool.name, reason: error.message });
      return errorOutput(error.message);
    }
    log('tool.failed', {
      tool: tool.name,
      reason: 'handler error',
      error: error instanceof Error ? error.message : 'unknown',
    });
    return errorOutput(signal.aborted ? 'the call was cancelled' : 'the tool failed');
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The output of a failed call, as the model reads it.
 *
 * @example
 * ```ts
 * errorOutput('the tool timed out'); // '{"error":"the tool timed out"}'
 * ```
 */
export function errorOutput(message: string): string {
  return JSON.stringify({ error: message });
}

/**
 * Whether `text` is more than `limit` bytes in UTF-8, counted without encoding it and only as
 * far as needed (a UTF-16 unit is 1 to 3 bytes, a surrogate pair 4).
 *
 * @example
 * ```ts
 * utf8LengthOver('é', 1); // true
 * ```
 */
export function utf8LengthOver(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    bytes += code < 0x80 ? 1 : code < 0x800 || (code >= 0xd800 && code < 0xe000) ? 2 : 3;
    if (bytes > limit) return true;
  }
  return false;
}

function anySignal(signals: AbortSignal[]): AbortSignal {
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort();
      break;
    }
    signal.addEventListener('abort', () => controller.abort(), { once: true });
  }
  return controller.signal;
}

async function readBounded(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw new ToolCallFailure('the tool answered with too much output');
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
