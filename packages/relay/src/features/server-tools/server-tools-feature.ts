import type { RealtimeClientEvent } from '@rtwire/types';
import { isJsonObject, type JsonObject } from '../../json-object.ts';
import { refusalForHiddenItem } from '../../policy/client-policy.ts';
import type { ServerToolPolicy } from '../../policy/relay-policy.ts';
import { errorOutput, runServerTool, type ServerToolHandler } from '../../policy/server-tools.ts';
import { nextRelayEventId, relayEventIdPrefix } from '../../session/error-event.ts';
import type {
  ClientVerdict,
  FeatureSession,
  RelayFeature,
  RelayFeatureFactory,
  UpstreamFrame,
  UpstreamVerdict,
} from '../../session/feature.ts';
import { peekResponsePlace } from '../../session/peek-fields.ts';
import { HiddenItems, itemOf, relayItemId } from './hidden-items.ts';
import {
  createToolCallQueue,
  DEFAULT_TOOL_CALL_LIMITS,
  type ToolCallLimits,
  type ToolCallQueue,
} from './tool-call-queue.ts';

/** Event ids of the outputs and responses the relay sends upstream for its tool calls. */
export const TOOL_EVENT_PREFIX = relayEventIdPrefix('tool');

/** Upstream types server tools always read (others only while outputs are renumbered). */
const WATCHED: ReadonlySet<string> = new Set([
  'response.output_item.added',
  'response.output_item.done',
  'response.function_call_arguments.delta',
  'response.function_call_arguments.done',
  'conversation.item.added',
  'conversation.item.done',
  'conversation.item.created',
  'conversation.item.retrieved',
  'conversation.item.deleted',
  'conversation.item.truncated',
  'response.done',
  'error',
  'input_audio_buffer.speech_started',
  'input_audio_buffer.committed',
]);

/** Client events that may name a hidden item, and the one that cancels calls. */
const CLIENT_TYPES: ReadonlySet<string> = new Set([
  'conversation.item.retrieve',
  'conversation.item.delete',
  'conversation.item.truncate',
  'conversation.item.create',
  'response.create',
  'response.cancel',
]);

/** What the model reads for a call past the session's queue. */
const TOO_MANY_CALLS = 'too many tool calls at once: the call was not run';

/** One call of a server tool the upstream made, from its first event to its output. */
interface ToolCall {
  readonly itemId: string;
  readonly callId: string;
  readonly name: string;
  readonly responseId: string;
  readonly hidden: boolean;
  /** Aborted by cancel, barge-in or the session's end. */
  readonly abort: AbortController;
  /** Set when the call was started (its handler runs once) or refused. */
  output: Promise<string> | undefined;
  /** Whether the session's queue was full: the handler never ran, the output says so. */
  refused: boolean;
  /** Whether a cancel or barge-in stopped it: its output is added, no response follows. */
  cancelled: boolean;
  /** Bytes the call holds (its arguments while it runs, then its output). */
  heldBytes: number;
}

/** What {@link serverToolsFeature} runs. */
export interface ServerToolsOptions {
  /** The tenant's server tools (declared upstream by the policy feature). */
  readonly tools: readonly ServerToolPolicy[];
  /** The handler of each server tool, by name. */
  readonly handlers: ReadonlyMap<string, ServerToolHandler>;
  /** The tenant, given to handlers. */
  readonly tenant?: string | undefined;
  /** How many calls run at once and wait (default {@link DEFAULT_TOOL_CALL_LIMITS}). */
  readonly limits?: ToolCallLimits;
}

/**
 * Runs the tenant's server tools for a session: a call the model makes of one is run by its
 * handler (a few at a time), its output goes upstream as a `function_call_output` item, and a
 * `response.create` follows once every call of the response has its output (unless the
 * response did not complete, a call was cancelled, or the client has calls of its own to
 * answer). A `hidden` tool's calls, outputs and every event about them never reach the client;
 * the output indices after a hidden item are renumbered, and a client naming a hidden item is
 * answered as the API answers an unknown one. `response.cancel` and barge-in abort running
 * calls. Only once an item is shown after a withheld one (a reply after a hidden call in the
 * same response) are other events of responses read, and then from their bytes (`response_id`,
 * `output_index`), parsed only when their index must move: a delta otherwise passes unread.
 *
 * @example
 * ```ts
 * startSessionPipe({ …, features: [serverToolsFeature({ tools: rules.serverTools, handlers })] });
 * ```
 */
export function serverToolsFeature(options: ServerToolsOptions): RelayFeatureFactory {
  return (session) => new ServerToolsFeature(session, options);
}

class ServerToolsFeature implements RelayFeature {
  readonly name = 'server-tools';
  readonly clientTypes = CLIENT_TYPES;
  readonly #session: FeatureSession;
  readonly #options: ServerToolsOptions;
  readonly #toolsByName: ReadonlyMap<string, ServerToolPolicy>;
  readonly #hiddenTools: ReadonlySet<string>;
  /** Server tool calls by item id. */
  readonly #calls = new Map<string, ToolCall>();
  /** Responses in which the model also called a client's tool: the client answers those. */
  readonly #clientCalls = new Set<string>();
  readonly #hidden = new HiddenItems();
  readonly #queue: ToolCallQueue;
  #sequence = 0;
  #heldBytes = 0;

  constructor(session: FeatureSession, options: ServerToolsOptions) {
    this.#session = session;
    this.#options = options;
    this.#toolsByName = new Map(options.tools.map((tool) => [tool.name, tool]));
    this.#hiddenTools = new Set(
      options.tools.filter((tool) => tool.visibility === 'hidden').map((tool) => tool.name),
    );
    this.#queue = createToolCallQueue(options.limits ?? DEFAULT_TOOL_CALL_LIMITS);
  }

  readonly upstreamTypes = (type: string | undefined): boolean =>
    type !== undefined &&
    (WATCHED.has(type) || (this.#hidden.renumbering && type.startsWith('response.')));

  heldBytes(): number {
    return this.#heldBytes;
  }

  onEnd(): void {
    for (const call of this.#calls.values()) call.abort.abort();
  }

  onClientEvent(event: RealtimeClientEvent): ClientVerdict {
    if (event.type === 'response.cancel') {
      this.#cancelCalls();
      return undefined;
    }
    return refusalForHiddenItem(event as unknown as JsonObject, this.#hidden.ids);
  }

  /**
   * The upstream is gone (a resume or a failed rollover): the response that made the calls
   * never gets its `response.done` there, so nothing else would release them. Running handlers
   * are aborted, their bytes leave the budget, and the per-response state goes with them.
   * Hidden item ids are kept: the client still must not read them.
   */
  onUpstreamLost(): undefined {
    this.#cancelCalls();
    for (const call of this.#calls.values()) this.#hold(call, 0);
    this.#calls.clear();
    this.#hidden.forgetResponses();
    this.#clientCalls.clear();
    return undefined;
  }

  onUpstreamFrame(frame: UpstreamFrame): UpstreamVerdict {
    const { type } = frame;
    const hidden = this.#hidden;
    if (type === 'input_audio_buffer.speech_started') {
      this.#cancelCalls();
      return undefined;
    }
    if (!WATCHED.has(type as string)) return this.#renumberedFrame(frame);
    // Arguments and item echoes are only read while there is an item of the relay's to match.
    if (
      (type === 'response.function_call_arguments.delta' ||
        type === 'conversation.item.added' ||
        type === 'conversation.item.created' ||
        type === 'input_audio_buffer.committed') &&
      this.#calls.size === 0 &&
      hidden.empty
    ) {
      return undefined;
    }
    // What may name a hidden item is only read once there is one.
    if (
      (type === 'conversation.item.retrieved' ||
        type === 'conversation.item.deleted' ||
        type === 'conversation.item.truncated') &&
      hidden.ids.size === 0
    ) {
      return undefined;
    }
    const event = frame.event();
    if (event === undefined) return undefined;
    const show = (next: JsonObject | undefined): UpstreamVerdict =>
      next === undefined
        ? WITHHOLD
        : next === event
          ? undefined
          : { action: 'rewrite', event: next };

    switch (type) {
      case 'error': {
        const id = isJsonObject(event.error) ? event.error.event_id : undefined;
        if (typeof id !== 'string' || !id.startsWith(TOOL_EVENT_PREFIX)) return undefined;
        this.#session.logger.log('warn', 'tool.upstream_error', {
          session: this.#session.id,
          code: isJsonObject(event.error) ? event.error.code : undefined,
        });
        return WITHHOLD;
      }
      case 'response.output_item.added':
      case 'response.output_item.done':
        return show(this.#onOutputItem(event, type === 'response.output_item.done'));
      case 'response.function_call_arguments.delta':
      case 'response.function_call_arguments.done': {
        const call = typeof event.item_id === 'string' ? this.#calls.get(event.item_id) : undefined;
        if (call !== undefined && type.endsWith('.done') && typeof event.arguments === 'string') {
          this.#startCall(call, event.arguments);
        }
        if (call?.hidden) return WITHHOLD;
        return show(hidden.renumbered(event));
      }
      case 'conversation.item.added':
      case 'conversation.item.done':
      case 'conversation.item.created': {
        const id = itemOf(event)?.id;
        if (typeof id !== 'string') return undefined;
        if (hidden.relayItems.has(id) || this.#calls.get(id)?.hidden || hidden.ids.has(id)) {
          if (type !== 'conversation.item.done')
            hidden.rememberPrevious(id, event.previous_item_id);
          if (type !== 'conversation.item.added') hidden.relayItems.delete(id);
          return WITHHOLD;
        }
        return show(hidden.withVisiblePrevious(event));
      }
      case 'conversation.item.retrieved': {
        const item = itemOf(event);
        return item !== undefined && hidden.isHidden(item, this.#hiddenTools)
          ? { action: 'rewrite', event: itemNotFound() }
          : undefined;
      }
      case 'conversation.item.deleted':
      case 'conversation.item.truncated':
        return typeof event.item_id === 'string' && hidden.ids.has(event.item_id)
          ? WITHHOLD
          : undefined;
      case 'input_audio_buffer.committed':
        return show(hidden.withVisiblePrevious(event));
      case 'response.done':
        return show(this.#onResponseDone(event));
      default:
        return show(hidden.renumbered(event));
    }
  }

  /**
   * A response event no call concerns while outputs are withheld: its place is read from its
   * bytes, and it is parsed (and renumbered) only when an output before it was withheld.
   */
  #renumberedFrame(frame: UpstreamFrame): UpstreamVerdict {
    const place = frame.rewritten ? undefined : peekResponsePlace(frame.data);
    if (place !== undefined && !this.#hidden.shifts(place.responseId)) return undefined;
    const event = frame.event();
    if (event === undefined) return undefined;
    const renumbered = this.#hidden.renumbered(event);
    return renumbered === event ? undefined : { action: 'rewrite', event: renumbered };
  }

  /** Every running call is aborted: its output says so and no response follows it. */
  #cancelCalls(): void {
    for (const call of this.#calls.values()) {
      if (!call.abort.signal.aborted) {
        call.cancelled = true;
        call.abort.abort();
      }
    }
  }

  #onOutputItem(event: JsonObject, done: boolean): JsonObject | undefined {
    const item = itemOf(event);
    const responseId = typeof event.response_id === 'string' ? event.response_id : undefined;
    if (item?.type === 'function_call' && typeof item.id === 'string' && responseId !== undefined) {
      const tool = this.#toolsByName.get(item.name as string);
      if (tool === undefined) {
        this.#clientCalls.add(responseId);
      } else {
        let call = this.#calls.get(item.id);
        if (call === undefined) {
          call = newCall(item, responseId, tool.visibility === 'hidden', this.#session.signal);
          this.#calls.set(item.id, call);
          if (call.hidden) {
            this.#hidden.hide(item.id);
            this.#hidden.withhold(
              responseId,
              typeof event.output_index === 'number' ? event.output_index : undefined,
            );
          }
        }
        if (done && typeof item.arguments === 'string') this.#startCall(call, item.arguments);
        if (call.hidden) return undefined;
      }
    }
    if (!done && responseId !== undefined && typeof event.output_index === 'number') {
      this.#hidden.shown(responseId, event.output_index);
    }
    return this.#hidden.renumbered(event);
  }

  #startCall(call: ToolCall, argumentsText: string): void {
    if (call.output !== undefined) return;
    const session = this.#session;
    const tool = this.#toolsByName.get(call.name);
    const handler = this.#options.handlers.get(call.name);
    if (tool === undefined || handler === undefined) {
      call.output = Promise.resolve(errorOutput('the tool is not available'));
      return;
    }
    const scheduled = this.#queue.schedule(() => {
      session.logger.log('info', 'tool.call', { session: session.id, tool: call.name });
      return runServerTool(
        tool,
        handler,
        {
          name: call.name,
          argumentsText,
          callId: call.callId,
          session: session.id,
          tenant: this.#options.tenant,
        },
        call.abort.signal,
        (name, fields) => session.logger.log('warn', name, { session: session.id, ...fields }),
      );
    });
    if (scheduled === undefined) {
      call.refused = true;
      call.output = Promise.resolve(errorOutput(TOO_MANY_CALLS));
      return;
    }
    // The arguments are held until the handler ran, then its output until it goes upstream.
    this.#hold(call, argumentsText.length);
    call.output = scheduled.then((output) => {
      // A call forgotten with its upstream holds nothing more.
      if (this.#calls.get(call.itemId) === call) this.#hold(call, output.length);
      return output;
    });
  }

  /** Sets what `call` holds, in the session's budget. */
  #hold(call: ToolCall, bytes: number): void {
    this.#heldBytes += bytes - call.heldBytes;
    call.heldBytes = bytes;
    // Checked as it grows, not at the host's next look: outputs can arrive all at once.
    if (bytes > 0) this.#session.checkBudget();
  }

  #onResponseDone(event: JsonObject): JsonObject {
    const response = isJsonObject(event.response) ? event.response : undefined;
    const responseId = typeof response?.id === 'string' ? response.id : undefined;
    if (response === undefined || responseId === undefined) return event;
    // A call whose arguments never came as their own event is started from the finished item.
    if (Array.isArray(response.output)) {
      for (const item of response.output) {
        if (isJsonObject(item) && item.type === 'function_call') {
          this.#onOutputItem({ response_id: responseId, item }, true);
        }
      }
    }
    const calls = [...this.#calls.values()].filter((call) => call.responseId === responseId);
    const withheld = this.#hidden.withheld.get(responseId);
    this.#hidden.forgetResponse(responseId);
    const clientAnswers = this.#clientCalls.delete(responseId);
    // The follow-up answers in the modalities the model was asked for in the calling response.
    const modalities = Array.isArray(response.output_modalities)
      ? response.output_modalities
      : undefined;
    // Only a completed response is followed up: one cut short (cancelled, incomplete, failed)
    // gets its outputs, and the next turn is the client's.
    const respond = !clientAnswers && response.status === 'completed';
    if (calls.length > 0) {
      this.#session.watch('tool.follow_up', this.#followUp(calls, respond, modalities));
    }
    if (withheld === undefined || !Array.isArray(response.output)) return event;
    const hiddenIds = new Set(calls.filter((call) => call.hidden).map((call) => call.itemId));
    const output = response.output.filter(
      (item) => !(isJsonObject(item) && typeof item.id === 'string' && hiddenIds.has(item.id)),
    );
    return { ...event, response: { ...response, output } };
  }

  /**
   * Once a response with server tool calls is done and every call has its output: each output
   * goes upstream as a `function_call_output` item, then (unless a call was cancelled, the
   * response did not complete, or the client has calls of its own to answer) a
   * `response.create`, as a model expects.
   */
  async #followUp(calls: ToolCall[], respond: boolean, modalities: unknown[] | undefined) {
    const outputs = await Promise.all(
      calls.map((call) => call.output ?? Promise.resolve(errorOutput('the call had no arguments'))),
    );
    const session = this.#session;
    for (const call of calls) this.#calls.delete(call.itemId);
    const refused = calls.filter((call) => call.refused).length;
    if (refused > 0) {
      session.logger.log('warn', 'tool.refused', {
        session: session.id,
        reason: 'too many calls at once',
        calls: refused,
      });
    }
    if (session.closed) return;
    calls.forEach((call, index) => {
      const itemId = relayItemId();
      if (call.hidden) this.#hidden.addRelayItem(itemId);
      this.#hold(call, 0);
      session.sendToUpstream({
        type: 'conversation.item.create',
        event_id: `${TOOL_EVENT_PREFIX}${++this.#sequence}`,
        item: {
          id: itemId,
          type: 'function_call_output',
          call_id: call.callId,
          output: outputs[index],
        },
      });
    });
    if (respond && !calls.some((call) => call.cancelled)) {
      session.sendToUpstream({
        type: 'response.create',
        event_id: `${TOOL_EVENT_PREFIX}${++this.#sequence}`,
        ...(modalities === undefined ? {} : { response: { output_modalities: modalities } }),
      });
    }
  }
}

function newCall(
  item: JsonObject,
  responseId: string,
  hidden: boolean,
  end: AbortSignal,
): ToolCall {
  const abort = new AbortController();
  if (end.aborted) abort.abort();
  return {
    itemId: item.id as string,
    callId: typeof item.call_id === 'string' ? item.call_id : '',
    name: item.name as string,
    responseId,
    hidden,
    abort,
    output: undefined,
    cancelled: false,
    refused: false,
    heldBytes: 0,
  };
}

/** The `error` the API answers a retrieve of an item it does not have with. */
function itemNotFound(): JsonObject {
  return {
    type: 'error',
    event_id: nextRelayEventId(),
    error: {
      type: 'invalid_request_error',
      code: 'item_not_found',
      message: 'No conversation item with this id.',
      param: 'item_id',
      event_id: null,
    },
  };
}

const WITHHOLD = { action: 'withhold' } as const;
