import type { FunctionCallOutput, ResponseOutput } from '../model.ts';
import type { ChatStreamPart } from './chat-stream.ts';

/** A function call being streamed, by its `tool_calls` index. */
interface StreamedCall {
  id: string | undefined;
  name: string | undefined;
  /** Arguments that came before the name did. */
  pending: string;
  handle: FunctionCallOutput | undefined;
  started: boolean;
  finished: boolean;
  /** Characters of arguments so far. */
  chars: number;
}

/** What a {@link ToolCallStream} is made with. */
export interface ToolCallStreamOptions {
  readonly output: ResponseOutput;
  /** Runs a write in order (an audio response holds it until what was said before is said). */
  readonly write: (doWrite: () => void) => void;
  /** The error of a malformed stream. */
  readonly malformed: () => Error;
  /** Most calls in one response. */
  readonly maxCalls: number;
  /** Most characters of arguments in one call. */
  readonly maxArgumentsChars: number;
  /** The error of a stream past one of the two bounds. */
  readonly tooLarge: (bound: 'maxCalls' | 'maxArgumentsChars') => Error;
}

/**
 * Streamed `tool_calls` as the engine's function-call items: a call starts once its name is
 * known (arguments that came first are held), its argument deltas follow, and it is done when
 * the next call starts or the stream ends. Servers stream calls one after another; a piece for
 * a call already done is a malformed stream. Every write goes through `write`, so an audio
 * response can hold it until what was said before the call has been spoken. A call past
 * `maxCalls`, or arguments past `maxArgumentsChars`, throw `tooLarge` and the piece that
 * crossed the bound is not written: the response fails rather than hand a client a truncated
 * call to run.
 */
export class ToolCallStream {
  readonly #options: ToolCallStreamOptions;
  readonly #calls = new Map<number, StreamedCall>();
  #current: StreamedCall | undefined;

  constructor(options: ToolCallStreamOptions) {
    this.#options = options;
  }

  /** Takes one `tool-call` part of the chat stream. */
  push(part: ChatStreamPart & { type: 'tool-call' }): void {
    let call = this.#calls.get(part.index);
    if (call === undefined) {
      if (this.#calls.size >= this.#options.maxCalls) throw this.#options.tooLarge('maxCalls');
      call = {
        id: undefined,
        name: undefined,
        pending: '',
        handle: undefined,
        started: false,
        finished: false,
        chars: 0,
      };
      this.#calls.set(part.index, call);
    }
    call.chars += part.arguments.length;
    if (call.chars > this.#options.maxArgumentsChars) {
      throw this.#options.tooLarge('maxArgumentsChars');
    }
    if (call.finished) throw this.#options.malformed();
    if (this.#current !== undefined && this.#current !== call) this.#finish(this.#current);
    this.#current = call;
    call.id ??= part.id;
    call.name ??= part.name;
    const target = call;
    if (!target.started && target.name !== undefined) {
      target.started = true;
      const start = { name: target.name, ...(target.id ? { callId: target.id } : {}) };
      this.#options.write(() => {
        target.handle = this.#options.output.functionCall(start);
      });
    }
    const delta = target.pending + part.arguments;
    if (!target.started) target.pending = delta;
    else if (delta !== '') {
      target.pending = '';
      this.#options.write(() => target.handle?.arguments(delta));
    }
  }

  /** The stream ended: the open call is done (a call that never got a name is malformed). */
  end(): void {
    if (this.#current !== undefined) this.#finish(this.#current);
  }

  #finish(call: StreamedCall): void {
    if (call.finished) return;
    if (!call.started) throw this.#options.malformed();
    call.finished = true;
    this.#options.write(() => call.handle?.done());
  }
}
