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
}

/**
 * Streamed `tool_calls` as the engine's function-call items: a call starts once its name is
 * known (arguments that came first are held), its argument deltas follow, and it is done when
 * the next call starts or the stream ends. Servers stream calls one after another; a piece for
 * a call already done is a malformed stream. Every write goes through `write`, so an audio
 * response can hold it until what was said before the call has been spoken.
 */
export class ToolCallStream {
  readonly #output: ResponseOutput;
  readonly #write: (doWrite: () => void) => void;
  readonly #malformed: () => Error;
  readonly #calls = new Map<number, StreamedCall>();
  #current: StreamedCall | undefined;

  constructor(
    output: ResponseOutput,
    write: (doWrite: () => void) => void,
    malformed: () => Error,
  ) {
    this.#output = output;
    this.#write = write;
    this.#malformed = malformed;
  }

  /** Takes one `tool-call` part of the chat stream. */
  push(part: ChatStreamPart & { type: 'tool-call' }): void {
    let call = this.#calls.get(part.index);
    if (call === undefined) {
      call = {
        id: undefined,
        name: undefined,
        pending: '',
        handle: undefined,
        started: false,
        finished: false,
      };
      this.#calls.set(part.index, call);
    }
    if (call.finished) throw this.#malformed();
    if (this.#current !== undefined && this.#current !== call) this.#finish(this.#current);
    this.#current = call;
    call.id ??= part.id;
    call.name ??= part.name;
    const target = call;
    if (!target.started && target.name !== undefined) {
      target.started = true;
      const start = { name: target.name, ...(target.id ? { callId: target.id } : {}) };
      this.#write(() => {
        target.handle = this.#output.functionCall(start);
      });
    }
    const delta = target.pending + part.arguments;
    if (!target.started) target.pending = delta;
    else if (delta !== '') {
      target.pending = '';
      this.#write(() => target.handle?.arguments(delta));
    }
  }

  /** The stream ended: the open call is done (a call that never got a name is malformed). */
  end(): void {
    if (this.#current !== undefined) this.#finish(this.#current);
  }

  #finish(call: StreamedCall): void {
    if (call.finished) return;
    if (!call.started) throw this.#malformed();
    call.finished = true;
    this.#write(() => call.handle?.done());
  }
}
