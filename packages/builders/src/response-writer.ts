import type {
  RealtimeConversationItem,
  RealtimeModality,
  RealtimeResponse,
  RealtimeResponseStatus,
  RealtimeResponseStatusDetails,
  RealtimeResponseUsage,
  RealtimeServerEvent,
} from '@rtwire/types';
import { createEventIds, type EventIdSource } from './event-ids.ts';
import { FunctionCallWriter } from './function-call-writer.ts';
import { ResponseEventBuilder } from './generated/context-builders.ts';
import type { ItemHost } from './item-host.ts';
import { type MessageModality, MessageWriter } from './message-writer.ts';
import { ResponseWriterError } from './response-writer-error.ts';
import { ServerEvents } from './server-events.ts';

/** Options of a {@link ResponseWriter}. */
export interface ResponseWriterOptions {
  /** The response id (`resp_…`). */
  readonly responseId: string;
  /** Receives every event, in protocol order, as it is made. */
  readonly emit: (event: RealtimeServerEvent) => void;
  /** Event ids (default: a fresh {@link createEventIds} generator). */
  readonly eventIds?: EventIdSource;
  /** The conversation the response belongs to (default `null`). */
  readonly conversationId?: string | null;
  /**
   * Whether output items are also announced as `conversation.item.added` / `.done`
   * (default `true`). `false` for an out-of-band response (`conversation: 'none'`).
   */
  readonly inConversation?: boolean;
  /** The item the first output item follows (`previous_item_id`; default `null`). */
  readonly previousItemId?: string | null;
  /** Reported in the response object. */
  readonly outputModalities?: readonly RealtimeModality[];
  /** Reported in the response object. */
  readonly audio?: RealtimeResponse['audio'];
  /** Reported in the response object. */
  readonly maxOutputTokens?: number | 'inf';
  /** Reported in the response object. */
  readonly metadata?: Readonly<Record<string, string>> | null;
}

/** How a response ends, given to {@link ResponseWriter.done}. */
export interface ResponseDoneOptions {
  /** Token usage, reported in `response.done`. */
  readonly usage?: RealtimeResponseUsage | null;
  /** `completed` (default), `incomplete` or `failed`; use {@link ResponseWriter.cancel} to cancel. */
  readonly status?: 'completed' | 'incomplete' | 'failed';
  /** Why (default: `null` when completed, else `{ type: status }`). */
  readonly statusDetails?: RealtimeResponseStatusDetails | null;
}

/** Why a response was cancelled. */
export type CancelReason = 'client_cancelled' | 'turn_detected';

/** The lifecycle of a {@link ResponseWriter}. */
export type ResponseWriterState = 'idle' | 'active' | 'finished';

/**
 * Emits one whole response in the live API's order, owning the ids, indexes and ordering so
 * a server cannot get them wrong:
 *
 * `response.created` → per item: `response.output_item.added` → `conversation.item.added` →
 * `response.content_part.added` → deltas → text / audio + transcript done →
 * `response.content_part.done` → `response.output_item.done` → `conversation.item.done` →
 * finally `response.done` with the finished items.
 *
 * One item is open at a time. Misuse (a delta after done, done twice, a second open item)
 * throws a {@link ResponseWriterError} and emits nothing.
 *
 * @example
 * ```ts
 * const writer = new ResponseWriter({ responseId: 'resp_1', emit: (e) => ws.send(JSON.stringify(e)) });
 * const message = writer.message({ itemId: 'item_1', modality: 'text' });
 * for await (const token of tokens) message.text(token);
 * message.done();
 * writer.done({ usage });
 * ```
 */
export class ResponseWriter {
  /** The response id. */
  readonly responseId: string;
  readonly #options: ResponseWriterOptions;
  readonly #events: ResponseEventBuilder;
  readonly #host: ItemHost;
  readonly #output: RealtimeConversationItem[] = [];
  #state: ResponseWriterState = 'idle';
  #open: MessageWriter | FunctionCallWriter | undefined;
  #lastItemId: string | null;
  #nextOutputIndex = 0;

  constructor(options: ResponseWriterOptions) {
    this.responseId = options.responseId;
    this.#options = options;
    this.#events = new ResponseEventBuilder(options.responseId);
    this.#lastItemId = options.previousItemId ?? null;
    this.#host = {
      emit: options.emit,
      nextEventId: options.eventIds ?? createEventIds(),
      inConversation: options.inConversation ?? true,
      finishItem: (item) => {
        this.#output.push(item);
        this.#open = undefined;
      },
    };
  }

  /** `idle` before `response.created`, `active` while streaming, `finished` after `response.done`. */
  get state(): ResponseWriterState {
    return this.#state;
  }

  /** The items finished so far, as `response.done` will report them. */
  get output(): readonly RealtimeConversationItem[] {
    return this.#output;
  }

  /** Emits `response.created`. Optional: the first item or `done()` starts the response. */
  start(): void {
    if (this.#state !== 'idle') {
      throw new ResponseWriterError(
        this.#state === 'finished' ? 'response_finished' : 'already_started',
        `ResponseWriter.start: response ${this.responseId} is ${this.#state}`,
      );
    }
    this.#state = 'active';
    this.#host.emit(
      ServerEvents.responseCreated(
        this.#host.nextEventId(),
        this.#response('in_progress', null, [], undefined),
      ),
    );
  }

  /**
   * Opens an assistant message and emits `response.output_item.added`,
   * `conversation.item.added` and `response.content_part.added`.
   */
  message(options: {
    readonly itemId: string;
    readonly modality: MessageModality;
    /** Default: the item before it (or the writer's `previousItemId`). */
    readonly previousItemId?: string | null;
  }): MessageWriter {
    const previous = this.#openItem('message', options.previousItemId);
    const writer = new MessageWriter(
      this.#host,
      this.#events.forItem(options.itemId, this.#nextOutputIndex++),
      options.modality,
      previous,
    );
    this.#lastItemId = options.itemId;
    this.#open = writer;
    return writer;
  }

  /** Opens a function call and emits `response.output_item.added` and `conversation.item.added`. */
  functionCall(options: {
    readonly itemId: string;
    readonly callId: string;
    readonly name: string;
    readonly previousItemId?: string | null;
  }): FunctionCallWriter {
    const previous = this.#openItem('functionCall', options.previousItemId);
    const writer = new FunctionCallWriter(
      this.#host,
      this.#events.forItem(options.itemId, this.#nextOutputIndex++),
      options.callId,
      options.name,
      previous,
    );
    this.#lastItemId = options.itemId;
    this.#open = writer;
    return writer;
  }

  /**
   * Emits `response.done` with the finished items and returns the final response object.
   * Every item must be finished first.
   */
  done(options: ResponseDoneOptions = {}): RealtimeResponse {
    this.#assertNotFinished('done');
    if (this.#open !== undefined) {
      throw new ResponseWriterError(
        'item_open',
        `ResponseWriter.done: item ${this.#open.itemId} is still open; finish it first`,
      );
    }
    const status = options.status ?? 'completed';
    const details =
      options.statusDetails !== undefined
        ? options.statusDetails
        : status === 'completed'
          ? null
          : { type: status };
    return this.#finish(status, details, options.usage);
  }

  /**
   * Cancels the response: an open item is closed as `incomplete` (its done events carry
   * what was written), then `response.done` reports `status: 'cancelled'`.
   */
  cancel(
    reason: CancelReason = 'client_cancelled',
    usage?: RealtimeResponseUsage | null,
  ): RealtimeResponse {
    this.#assertNotFinished('cancel');
    this.#open?.interrupt();
    return this.#finish('cancelled', { type: 'cancelled', reason }, usage);
  }

  #finish(
    status: 'completed' | 'incomplete' | 'failed' | 'cancelled',
    details: RealtimeResponseStatusDetails | null,
    usage: RealtimeResponseUsage | null | undefined,
  ): RealtimeResponse {
    if (this.#state === 'idle') this.start();
    this.#state = 'finished';
    // The finished items are the writer's own snapshots (each event got its own copy), and
    // nothing writes to them once the response is done, so response.done takes them as they are.
    const response = this.#response(status, details, [...this.#output], usage);
    this.#host.emit(ServerEvents.responseDone(this.#host.nextEventId(), response));
    return response;
  }

  #openItem(operation: string, previousItemId: string | null | undefined): string | null {
    this.#assertNotFinished(operation);
    if (this.#open !== undefined) {
      throw new ResponseWriterError(
        'item_open',
        `ResponseWriter.${operation}: item ${this.#open.itemId} is still open; finish it first`,
      );
    }
    if (this.#state === 'idle') this.start();
    return previousItemId === undefined ? this.#lastItemId : previousItemId;
  }

  #assertNotFinished(operation: string): void {
    if (this.#state === 'finished') {
      throw new ResponseWriterError(
        'response_finished',
        `ResponseWriter.${operation}: response ${this.responseId} is already finished`,
      );
    }
  }

  /**
   * The response object of `response.created` and `response.done`, with the fields, field
   * order and copies `RealtimeResponseBuilder` gives, built in one go: the fluent builder's
   * copy per setter cost more than the rest of a short response.
   */
  #response(
    status: RealtimeResponseStatus,
    details: RealtimeResponseStatusDetails | null,
    output: RealtimeConversationItem[],
    usage: RealtimeResponseUsage | null | undefined,
  ): RealtimeResponse {
    const options = this.#options;
    const response: Record<string, unknown> = {
      object: 'realtime.response',
      id: this.responseId,
      status,
      status_details: details,
      output,
      conversation_id: options.conversationId ?? null,
    };
    if (options.outputModalities !== undefined) {
      response.output_modalities = [...options.outputModalities];
    }
    if (options.maxOutputTokens !== undefined) response.max_output_tokens = options.maxOutputTokens;
    if (options.audio !== undefined) response.audio = options.audio;
    response.usage = usage ?? null;
    response.metadata = options.metadata == null ? null : { ...options.metadata };
    return response as RealtimeResponse;
  }
}
