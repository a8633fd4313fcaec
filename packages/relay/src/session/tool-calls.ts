import type { ClientEventInput, ServerEventInput } from '@rtwire/serializer';
import { encodeClientEvent, encodeServerEvent } from '@rtwire/serializer';
import { isJsonObject, type JsonObject } from '../json-object.ts';
import { clientViewOfSession, POLICY_UPDATE_EVENT_ID } from '../policy/client-policy.ts';
import { errorOutput, runServerTool } from '../policy/server-tools.ts';
import { checkSessionBudget, sendTo } from './backpressure.ts';
import { nextRelayEventId } from './error-event.ts';
import { guardTask } from './fault-boundary.ts';
import {
  openingSessionUpdate,
  type ServerToolCallState,
  type SessionPolicy,
} from './session-policy.ts';
import type { SessionContext } from './session-state.ts';

type Json = JsonObject;

/** Upstream types that policy may have to read; every other frame passes unparsed. */
const WATCHED: ReadonlySet<string> = new Set([
  'session.created',
  'session.updated',
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

/**
 * Withheld items remembered (for `previous_item_id`, and to answer a client naming one as the
 * API answers an unknown item); the oldest are forgotten past this.
 */
const MAX_HIDDEN_REMEMBERED = 4096;

/** Upstream events about one item by `item_id` that the client never sees for a hidden item. */
const ABOUT_AN_ITEM: ReadonlySet<string> = new Set([
  'conversation.item.deleted',
  'conversation.item.truncated',
]);

/**
 * One upstream frame under a policy. Returns what goes to the client: the frame as it came
 * (`data`), a re-encoded rewrite, or `undefined` when it is withheld. Only the few types policy
 * reads are parsed (and others while a response's output is being renumbered), through `read`,
 * which shares one parse with the session's other steps.
 *
 * @example
 * ```ts
 * const shown = upstreamFrameUnderPolicy(context, policy, data, type, frameReader(data));
 * if (shown !== undefined) sendTo(context, 'client', shown, false);
 * ```
 */
export function upstreamFrameUnderPolicy(
  context: SessionContext,
  policy: SessionPolicy,
  data: string | Uint8Array,
  type: string | undefined,
  read: () => Json | undefined,
): string | Uint8Array | undefined {
  const { state } = policy;
  const watched = type !== undefined && WATCHED.has(type);
  if (!watched && state.withheld.size === 0) return data;
  if (!watched && !type?.startsWith('response.')) return data;
  // Arguments and item echoes are only read while there is an item of the relay's to match.
  if (
    (type === 'response.function_call_arguments.delta' ||
      type === 'conversation.item.added' ||
      type === 'conversation.item.created' ||
      type === 'input_audio_buffer.committed') &&
    state.calls.size === 0 &&
    state.relayItems.size === 0 &&
    state.withheld.size === 0 &&
    state.previousOfHidden.size === 0 &&
    (type === 'response.function_call_arguments.delta' || state.hiddenItems.size === 0)
  ) {
    return data;
  }
  // What may name a hidden item is only read once there is one.
  if (
    (type === 'conversation.item.retrieved' || ABOUT_AN_ITEM.has(type as string)) &&
    state.hiddenItems.size === 0
  ) {
    return data;
  }
  if (type === 'input_audio_buffer.speech_started') {
    cancelCalls(policy);
    return data;
  }
  const event = read();
  if (event === undefined) return data;
  const shown = (next: Json | undefined) =>
    next === undefined
      ? undefined
      : next === event
        ? data
        : encodeServerEvent(next as ServerEventInput);

  switch (type) {
    case 'session.created':
    case 'session.updated': {
      // The upstream answers the relay's opening update (sent right after it created the
      // session) with a session.updated the client did not ask for.
      if (type === 'session.created') {
        state.ownUpdates = openingSessionUpdate(context) === undefined ? 0 : 1;
      } else if (state.ownUpdates > 0) {
        state.ownUpdates--;
        return undefined;
      }
      const view = clientViewOfSession(policy.rules, event, state);
      return view === undefined ? data : encodeServerEvent(view as ServerEventInput);
    }
    case 'error': {
      const id = isJsonObject(event.error) ? event.error.event_id : undefined;
      if (id === POLICY_UPDATE_EVENT_ID && state.ownUpdates > 0) state.ownUpdates--;
      if (typeof id === 'string' && id.startsWith(RELAY_EVENT_PREFIX)) {
        context.logger.log('warn', 'tool.upstream_error', {
          session: context.id,
          code: isJsonObject(event.error) ? event.error.code : undefined,
        });
        return undefined;
      }
      return data;
    }
    case 'response.output_item.added':
    case 'response.output_item.done':
      return shown(onOutputItem(context, policy, event, type === 'response.output_item.done'));
    case 'response.function_call_arguments.delta':
    case 'response.function_call_arguments.done': {
      const call = typeof event.item_id === 'string' ? state.calls.get(event.item_id) : undefined;
      if (call !== undefined && type.endsWith('.done') && typeof event.arguments === 'string') {
        startCall(context, policy, call, event.arguments);
      }
      if (call?.hidden) return undefined;
      return shown(renumbered(policy, event));
    }
    case 'conversation.item.added':
    case 'conversation.item.done':
    case 'conversation.item.created': {
      const id = isJsonObject(event.item) ? event.item.id : undefined;
      if (typeof id !== 'string') return data;
      if (state.relayItems.has(id) || state.calls.get(id)?.hidden || state.hiddenItems.has(id)) {
        if (type !== 'conversation.item.done') rememberHidden(policy, id, event.previous_item_id);
        if (type !== 'conversation.item.added') state.relayItems.delete(id);
        return undefined;
      }
      return shown(withVisiblePrevious(policy, event));
    }
    case 'conversation.item.retrieved': {
      const item = isJsonObject(event.item) ? event.item : undefined;
      return item !== undefined && isHiddenItem(policy, item) ? itemNotFound() : data;
    }
    case 'conversation.item.deleted':
    case 'conversation.item.truncated':
      return typeof event.item_id === 'string' && state.hiddenItems.has(event.item_id)
        ? undefined
        : data;
    case 'input_audio_buffer.committed':
      return shown(withVisiblePrevious(policy, event));
    case 'response.done':
      return shown(onResponseDone(context, policy, event));
    default:
      return shown(renumbered(policy, event));
  }
}

/**
 * A client `response.cancel`: every running server tool call is aborted; its output says so
 * and no response follows it.
 *
 * @example
 * ```ts
 * if (event.type === 'response.cancel') cancelCalls(policy);
 * ```
 */
export function cancelCalls(policy: SessionPolicy): void {
  for (const call of policy.state.calls.values()) {
    if (!call.abort.signal.aborted) {
      call.cancelled = true;
      call.abort.abort();
    }
  }
}

/**
 * Forgets the calls of an upstream that is gone (a resume or a failed rollover): the response
 * that made them never gets its `response.done` there, so nothing else would release them.
 * Running handlers are aborted, their bytes leave the session's budget, and the per-response
 * state goes with them. Hidden item ids are kept: the client still must not read them.
 *
 * @example
 * ```ts
 * if (context.policy !== undefined) forgetCallsOfLostUpstream(context, context.policy);
 * ```
 */
export function forgetCallsOfLostUpstream(context: SessionContext, policy: SessionPolicy): void {
  cancelCalls(policy);
  const { state } = policy;
  for (const call of state.calls.values()) hold(context, call, 0);
  state.calls.clear();
  state.withheld.clear();
  state.clientCalls.clear();
}

/** Event ids of what the relay itself sends upstream; an `error` naming one is the relay's. */
export const RELAY_EVENT_PREFIX = 'event_relay_';

function onOutputItem(
  context: SessionContext,
  policy: SessionPolicy,
  event: Json,
  done: boolean,
): Json | undefined {
  const { state } = policy;
  const item = isJsonObject(event.item) ? event.item : undefined;
  const responseId = typeof event.response_id === 'string' ? event.response_id : undefined;
  if (item?.type === 'function_call' && typeof item.id === 'string' && responseId !== undefined) {
    const tool = policy.rules.serverTools.find((candidate) => candidate.name === item.name);
    if (tool === undefined) {
      state.clientCalls.add(responseId);
    } else {
      let call = state.calls.get(item.id);
      if (call === undefined) {
        call = newCall(context, policy, item, responseId, tool.visibility === 'hidden');
        state.calls.set(item.id, call);
        if (call.hidden) {
          rememberHiddenItem(policy, item.id);
          const indices = state.withheld.get(responseId) ?? [];
          if (typeof event.output_index === 'number') indices.push(event.output_index);
          state.withheld.set(responseId, indices);
        }
      }
      if (done && typeof item.arguments === 'string')
        startCall(context, policy, call, item.arguments);
      if (call.hidden) return undefined;
    }
  }
  return renumbered(policy, event);
}

function newCall(
  context: SessionContext,
  policy: SessionPolicy,
  item: Json,
  responseId: string,
  hidden: boolean,
): ServerToolCallState {
  const abort = new AbortController();
  // One listener per session aborts every call at its end (one per call would pile up on the
  // session's signal when a response makes thousands of calls).
  const { state } = policy;
  const session = context.abort.signal;
  if (session.aborted) abort.abort();
  else if (!state.watchingEnd) {
    state.watchingEnd = true;
    session.addEventListener(
      'abort',
      () => {
        for (const call of state.calls.values()) call.abort.abort();
      },
      { once: true },
    );
  }
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

function startCall(
  context: SessionContext,
  policy: SessionPolicy,
  call: ServerToolCallState,
  argumentsText: string,
): void {
  if (call.output !== undefined) return;
  const tool = policy.rules.serverTools.find((candidate) => candidate.name === call.name);
  const handler = policy.handlers.get(call.name);
  if (tool === undefined || handler === undefined) {
    call.output = Promise.resolve(errorOutput('the tool is not available'));
    return;
  }
  const { state } = policy;
  const scheduled = state.queue.schedule(() => {
    context.logger.log('info', 'tool.call', { session: context.id, tool: call.name });
    return runServerTool(
      tool,
      handler,
      {
        name: call.name,
        argumentsText,
        callId: call.callId,
        session: context.id,
        tenant: policy.tenant,
      },
      call.abort.signal,
      (name, fields) => context.logger.log('warn', name, { session: context.id, ...fields }),
    );
  });
  if (scheduled === undefined) {
    call.refused = true;
    call.output = Promise.resolve(errorOutput(TOO_MANY_CALLS));
    return;
  }
  // The arguments are held until the handler ran, then its output until it goes upstream.
  hold(context, call, argumentsText.length);
  call.output = scheduled.then((output) => {
    // A call forgotten with its upstream holds nothing more.
    if (state.calls.get(call.itemId) === call) hold(context, call, output.length);
    return output;
  });
}

/** What the model reads for a call past the session's queue. */
const TOO_MANY_CALLS = 'too many tool calls at once: the call was not run';

/** Sets what `call` holds, in the session's `toolBytes`. */
function hold(context: SessionContext, call: ServerToolCallState, bytes: number): void {
  context.state.toolBytes += bytes - call.heldBytes;
  call.heldBytes = bytes;
  // Checked as it grows, not at the host's next look: outputs can arrive all at once.
  if (bytes > 0) checkSessionBudget(context);
}

function onResponseDone(context: SessionContext, policy: SessionPolicy, event: Json): Json {
  const { state } = policy;
  const response = isJsonObject(event.response) ? event.response : undefined;
  const responseId = typeof response?.id === 'string' ? response.id : undefined;
  if (response === undefined || responseId === undefined) return event;
  // A call whose arguments never came as their own event is started from the finished item.
  if (Array.isArray(response.output)) {
    for (const item of response.output) {
      if (isJsonObject(item) && item.type === 'function_call') {
        onOutputItem(context, policy, { response_id: responseId, item }, true);
      }
    }
  }
  const calls = [...state.calls.values()].filter((call) => call.responseId === responseId);
  const withheld = state.withheld.get(responseId);
  state.withheld.delete(responseId);
  const clientAnswers = state.clientCalls.delete(responseId);
  // The follow-up answers in the modalities the model was asked for in the calling response.
  const modalities = Array.isArray(response.output_modalities)
    ? response.output_modalities
    : undefined;
  // Only a completed response is followed up: one cut short (cancelled, incomplete, failed)
  // gets its outputs, and the next turn is the client's.
  const respond = !clientAnswers && response.status === 'completed';
  if (calls.length > 0) {
    guardTask(context, 'tool.follow_up', followUp(context, policy, calls, respond, modalities));
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
async function followUp(
  context: SessionContext,
  policy: SessionPolicy,
  calls: ServerToolCallState[],
  respond: boolean,
  modalities: unknown[] | undefined,
): Promise<void> {
  const outputs = await Promise.all(
    calls.map((call) => call.output ?? Promise.resolve(errorOutput('the call had no arguments'))),
  );
  const { state } = policy;
  for (const call of calls) state.calls.delete(call.itemId);
  const refused = calls.filter((call) => call.refused).length;
  if (refused > 0) {
    context.logger.log('warn', 'tool.refused', {
      session: context.id,
      reason: 'too many calls at once',
      calls: refused,
    });
  }
  if (context.state.closed) return;
  calls.forEach((call, index) => {
    // Unpredictable: a client must not name the relay's items without having seen them.
    const itemId = relayItemId();
    if (call.hidden) {
      // Bounded like hiddenItems: an upstream that never echoes an item must not grow this.
      if (state.relayItems.size >= MAX_HIDDEN_REMEMBERED) {
        state.relayItems.delete(state.relayItems.values().next().value as string);
      }
      state.relayItems.add(itemId);
      rememberHiddenItem(policy, itemId);
    }
    const event = {
      type: 'conversation.item.create',
      event_id: `${RELAY_EVENT_PREFIX}tool_${++state.sequence}`,
      item: {
        id: itemId,
        type: 'function_call_output',
        call_id: call.callId,
        output: outputs[index],
      },
    };
    hold(context, call, 0);
    sendTo(context, 'upstream', encodeClientEvent(event as ClientEventInput), false);
  });
  if (respond && !calls.some((call) => call.cancelled)) {
    const event = {
      type: 'response.create',
      event_id: `${RELAY_EVENT_PREFIX}tool_${++state.sequence}`,
      ...(modalities === undefined ? {} : { response: { output_modalities: modalities } }),
    };
    sendTo(context, 'upstream', encodeClientEvent(event as ClientEventInput), false);
  }
}

/** A fresh id for an item the relay adds: `item_relay_` and 16 random hex digits. */
function relayItemId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(8));
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return `item_relay_${hex}`;
}

function rememberHiddenItem(policy: SessionPolicy, id: string): void {
  const items = policy.state.hiddenItems;
  if (items.has(id)) return;
  if (items.size >= MAX_HIDDEN_REMEMBERED) items.delete(items.values().next().value as string);
  items.add(id);
}

/**
 * Whether the client must never see `item`: one the relay withheld, or (when it has been
 * forgotten) a call of a hidden server tool.
 */
function isHiddenItem(policy: SessionPolicy, item: Json): boolean {
  if (typeof item.id === 'string' && policy.state.hiddenItems.has(item.id)) return true;
  return (
    item.type === 'function_call' &&
    policy.rules.serverTools.some((tool) => tool.visibility === 'hidden' && tool.name === item.name)
  );
}

/** The `error` the API answers a retrieve of an item it does not have with. */
function itemNotFound(): string | Uint8Array {
  return encodeServerEvent({
    type: 'error',
    event_id: nextRelayEventId(),
    error: {
      type: 'invalid_request_error',
      code: 'item_not_found',
      message: 'No conversation item with this id.',
      param: 'item_id',
      event_id: null,
    },
  });
}

function rememberHidden(policy: SessionPolicy, id: string, previous: unknown): void {
  const map = policy.state.previousOfHidden;
  if (map.size >= MAX_HIDDEN_REMEMBERED) map.delete(map.keys().next().value as string);
  map.set(id, typeof previous === 'string' ? previous : null);
}

/** The event with a `previous_item_id` naming a withheld item replaced by the last item shown. */
function withVisiblePrevious(policy: SessionPolicy, event: Json): Json {
  const map = policy.state.previousOfHidden;
  let previous = event.previous_item_id;
  if (typeof previous !== 'string' || !map.has(previous)) return event;
  for (let hops = 0; typeof previous === 'string' && map.has(previous) && hops < 64; hops++) {
    previous = map.get(previous);
  }
  return { ...event, previous_item_id: previous ?? null };
}

/** The event with its `output_index` moved down past the items withheld before it. */
function renumbered(policy: SessionPolicy, event: Json): Json {
  if (typeof event.response_id !== 'string' || typeof event.output_index !== 'number') return event;
  const withheld = policy.state.withheld.get(event.response_id);
  if (withheld === undefined) return event;
  const index = event.output_index;
  const before = withheld.filter((hidden) => hidden < index).length;
  return before === 0 ? event : { ...event, output_index: index - before };
}
