import { type ClientEventProblemCode, clientEventProblem } from '@rtwire/types';
import { isJsonObject, type JsonObject } from '../json-object.ts';
import { RELAY_EVENT_ID_PREFIX } from '../session/error-event.ts';
import type { ServerToolPolicy, TenantPolicy } from './relay-policy.ts';

type Json = JsonObject;

/** What policy makes of one client event. */
export type PolicyVerdict =
  /** Nothing in it is policy's business: forward the bytes that came. */
  | { readonly action: 'forward' }
  /** Forward this instead (re-encoded by the caller). */
  | { readonly action: 'rewrite'; readonly event: Json }
  /**
   * Refuse it: an `error` (`invalid_request_error`) with this `code` (`policy_violation`, or
   * what the API answers for the same mistake: `item_not_found`, `invalid_value`) and `param`,
   * the field as the engine and the live API name it: dotted, an array index in brackets
   * (`session.audio.output.voice`, `session.tools[1]`).
   */
  | {
      readonly action: 'refuse';
      readonly code: 'policy_violation' | 'item_not_found' | ClientEventProblemCode;
      readonly param: string;
      readonly message: string;
    };

/** What the session remembers for policy between events. */
export interface ClientPolicyState {
  /** The instructions the client last set: what it is shown of the session's instructions. */
  clientInstructions: string | undefined;
  /**
   * Ids of the conversation items the client never sees (hidden server tool calls and their
   * outputs): a client event naming one is answered as if the item did not exist.
   */
  readonly hiddenItems?: ReadonlySet<string>;
  /** The session's type as the upstream created it (`realtime`, `transcription`), once known. */
  sessionType: string | undefined;
}

/** A session type as the API names them (anything else is not remembered, nor shown). */
const SESSION_TYPE = /^[a-z_]{1,32}$/;

/** What the API answers for an item id it does not know (the engine's wording). */
const ITEM_NOT_FOUND = 'No conversation item with this id.';

/** Client events that name an existing item by `item_id`. */
const NAMES_AN_ITEM: ReadonlySet<string> = new Set([
  'conversation.item.retrieve',
  'conversation.item.delete',
  'conversation.item.truncate',
]);

/** A field policy forbids: where, and why (no value in it). */
interface Violation {
  readonly param: string;
  readonly message: string;
}

/**
 * Applies a tenant's policy to a client `session.update` or `response.create`, whatever its
 * `session.type` (a switch away from the type the upstream created is refused as
 * `invalid_value`). With `onViolation: 'reject'` the first forbidden field refuses the event;
 * with `clamp` every forbidden field is rewritten to what is allowed. Instructions are never a
 * violation: the operator's replace or prefix the client's, and the client's are remembered in
 * `state` for the client's view of the session. Server tools are added to any tool list the
 * client sends, since a client's list replaces the session's.
 *
 * An event that names an item the client never saw (a hidden server tool call or its output,
 * in `state.hiddenItems`) is refused as `item_not_found`, as the API answers an unknown item.
 * Every other event is forwarded as it came.
 *
 * Only the few objects policy may change are copied (the event's `session` or `response`, its
 * `audio`, `audio.input`, `audio.output`); nothing is walked, so a value of any depth costs
 * nothing here.
 *
 * @example
 * ```ts
 * const verdict = applyClientPolicy(policy, { type: 'session.update', session: { type: 'realtime', audio: { output: { voice: 'ash' } } } }, state);
 * if (verdict.action === 'refuse') sendError(verdict.param, verdict.message);
 * ```
 */
export function applyClientPolicy(
  policy: TenantPolicy,
  event: Json,
  state: ClientPolicyState,
): PolicyVerdict {
  const hidden = refusalForHiddenItem(event, state.hiddenItems);
  if (hidden !== undefined) return hidden;
  const key =
    event.type === 'session.update'
      ? 'session'
      : event.type === 'response.create'
        ? 'response'
        : undefined;
  if (key === undefined || !isJsonObject(event[key])) return { action: 'forward' };
  const original = event[key] as Json;
  // The API does not switch a session's type; a switch would also carry fields policy reads
  // under another type's rules.
  if (
    key === 'session' &&
    state.sessionType !== undefined &&
    typeof original.type === 'string' &&
    original.type !== state.sessionType
  ) {
    return {
      action: 'refuse',
      code: 'invalid_value',
      param: 'session.type',
      message: `the session's type is ${state.sessionType} and cannot change; event not forwarded`,
    };
  }
  // Policy judges the fields it knows; one the spec does not have (a beta client's
  // `session.modalities`, a typo) could carry what policy forbids past it, so it is refused
  // here as the live API would refuse it, before policy reads the rest.
  const problem = clientEventProblem(event as { readonly type: string });
  if (problem !== undefined) {
    return {
      action: 'refuse',
      code: problem.code,
      param: problem.param ?? key,
      message: `${problem.message} The relay's policy reads this event; event not forwarded`,
    };
  }
  const target = copyForPolicy(original);
  const violations: Violation[] = [];
  let changed = false;
  const clamp = policy.onViolation === 'clamp';
  // Named as the engine and the live API name a field: dotted, an array index in brackets
  // (`session.tools[1]`), so a client reads one convention whoever refused it.
  const at = (path: string) => `${key}.${path}`;

  const violate = (path: string, message: string, fix: () => void) => {
    violations.push({ param: at(path), message });
    if (clamp) fix();
    changed = true;
  };

  // Instructions: the operator's, never the client's alone; a stored prompt would bypass them.
  if (policy.instructions !== undefined) {
    if (typeof target.instructions === 'string') {
      if (key === 'session') state.clientInstructions = target.instructions;
      target.instructions = composeInstructions(policy.instructions, target.instructions);
      changed = true;
    }
    if (target.prompt !== undefined && target.prompt !== null) {
      violate(
        'prompt',
        'a stored prompt is not allowed: the operator sets the instructions',
        () => {
          delete target.prompt;
        },
      );
    }
  }

  if (key === 'session' && typeof target.model === 'string' && policy.models !== undefined) {
    const allowed = policy.models;
    if (!allowed.includes(target.model)) {
      violate('model', `the model is not allowed (allowed: ${allowed.join(', ')})`, () => {
        delete target.model;
      });
    }
  }

  const audio = isJsonObject(target.audio) ? target.audio : undefined;
  const output = audio && isJsonObject(audio.output) ? audio.output : undefined;
  if (output && typeof output.voice === 'string' && policy.voices !== undefined) {
    const voices = policy.voices;
    if (!voices.includes(output.voice)) {
      violate(
        'audio.output.voice',
        `the voice is not allowed (allowed: ${voices.join(', ')})`,
        () => {
          output.voice = voices[0];
        },
      );
    }
  }
  // A voice given as an object (a custom voice id) is not on any list of names.
  if (output && isJsonObject(output.voice) && policy.voices !== undefined) {
    violate('audio.output.voice', 'only the named voices are allowed', () => {
      output.voice = policy.voices?.[0];
    });
  }

  if (Array.isArray(target.output_modalities) && policy.outputModalities !== undefined) {
    const allowed: readonly string[] = policy.outputModalities;
    const kept = target.output_modalities.filter((modality) =>
      allowed.includes(modality as string),
    );
    if (kept.length !== target.output_modalities.length) {
      violate('output_modalities', `only ${allowed.join(', ')} output is allowed`, () => {
        target.output_modalities = kept.length > 0 ? kept : [allowed[0]];
      });
    }
  }

  if (policy.maxOutputTokens !== undefined && target.max_output_tokens !== undefined) {
    const cap = policy.maxOutputTokens;
    const asked = target.max_output_tokens;
    if (asked === 'inf' || (typeof asked === 'number' && asked > cap)) {
      violate('max_output_tokens', `at most ${cap} output tokens are allowed`, () => {
        target.max_output_tokens = cap;
      });
    }
  }

  const input = audio && isJsonObject(audio.input) ? audio.input : undefined;
  if (policy.turnDetection === 'locked' && input && Object.hasOwn(input, 'turn_detection')) {
    violate('audio.input.turn_detection', 'turn detection is set by the operator', () => {
      delete input.turn_detection;
    });
  }

  if (target.tool_choice !== undefined && policy.toolChoice !== undefined) {
    const allowed: readonly string[] = policy.toolChoice;
    const mode =
      typeof target.tool_choice === 'string'
        ? target.tool_choice
        : isJsonObject(target.tool_choice) && target.tool_choice.type === 'function'
          ? 'function'
          : 'mcp';
    if (!allowed.includes(mode)) {
      violate('tool_choice', `tool_choice may be ${allowed.join(', ')}`, () => {
        target.tool_choice = allowed.find((choice) => choice !== 'function') ?? 'auto';
      });
    }
  }

  if (Array.isArray(target.tools)) {
    const tools = target.tools as unknown[];
    const kept: unknown[] = [];
    tools.forEach((tool, index) => {
      const name = isJsonObject(tool) && tool.type === 'function' ? tool.name : undefined;
      const reason =
        typeof name !== 'string'
          ? policy.clientTools !== undefined
            ? 'only the named function tools are allowed'
            : undefined
          : policy.serverTools.some((server) => server.name === name)
            ? "a tool of that name is the operator's"
            : policy.clientTools !== undefined && !policy.clientTools.includes(name)
              ? `the tool is not allowed (allowed: ${policy.clientTools.join(', ') || 'none'})`
              : undefined;
      if (reason === undefined) kept.push(tool);
      else violate(`tools[${index}]`, reason, () => {});
    });
    if (clamp || violations.length === 0) {
      target.tools = [...kept, ...policy.serverTools.map(declareServerTool)];
      if (policy.serverTools.length > 0) changed = true;
    }
  }

  const first = violations[0];
  if (first !== undefined && !clamp) {
    return {
      action: 'refuse',
      code: 'policy_violation',
      param: first.param,
      message: `${first.message}; event not forwarded`,
    };
  }
  if (!changed) return { action: 'forward' };
  return { action: 'rewrite', event: { ...event, [key]: target } };
}

/**
 * The `event_id` of the relay's own first `session.update`: an `error` naming it answers the
 * relay, not the client.
 *
 * @example
 * ```ts
 * if (error.event_id === POLICY_UPDATE_EVENT_ID) log('the upstream refused the policy');
 * ```
 */
export const POLICY_UPDATE_EVENT_ID = `${RELAY_EVENT_ID_PREFIX}policy`;

/**
 * The `session.update` the relay sends upstream first, before anything of the client's: the
 * operator's instructions and the server tools. `undefined` when policy sets neither.
 *
 * @example
 * ```ts
 * const first = initialSessionUpdate(policy);
 * if (first) upstream.send(encodeClientEvent(first), false);
 * ```
 */
export function initialSessionUpdate(policy: TenantPolicy): Json | undefined {
  const session: Json = { type: 'realtime' };
  if (policy.instructions !== undefined) {
    session.instructions = composeInstructions(policy.instructions, undefined);
  }
  if (policy.serverTools.length > 0) session.tools = policy.serverTools.map(declareServerTool);
  if (Object.keys(session).length === 1) return undefined;
  return { type: 'session.update', event_id: POLICY_UPDATE_EVENT_ID, session };
}

/**
 * What the client is shown of a `session.created` / `session.updated` from upstream: the
 * instructions it set itself (or none), and no hidden server tool. `undefined` when the event
 * needs no change. The session's `type` is remembered in `state` (a client may not switch it).
 *
 * @example
 * ```ts
 * const shown = clientViewOfSession(policy, JSON.parse(frame), state);
 * ```
 */
export function clientViewOfSession(
  policy: TenantPolicy,
  event: Json,
  state: ClientPolicyState,
): Json | undefined {
  if (!isJsonObject(event.session)) return undefined;
  const session = { ...event.session };
  if (typeof session.type === 'string' && SESSION_TYPE.test(session.type)) {
    state.sessionType = session.type;
  }
  let changed = false;
  if (policy.instructions !== undefined && Object.hasOwn(session, 'instructions')) {
    if (state.clientInstructions === undefined) delete session.instructions;
    else session.instructions = state.clientInstructions;
    changed = true;
  }
  const hidden = new Set(
    policy.serverTools.filter((tool) => tool.visibility === 'hidden').map((tool) => tool.name),
  );
  if (hidden.size > 0 && Array.isArray(session.tools)) {
    const tools = session.tools.filter(
      (tool) => !(isJsonObject(tool) && typeof tool.name === 'string' && hidden.has(tool.name)),
    );
    if (tools.length !== session.tools.length) {
      session.tools = tools;
      changed = true;
    }
  }
  return changed ? { ...event, session } : undefined;
}

/**
 * The function tool a server tool is declared upstream as.
 *
 * @example
 * ```ts
 * declareServerTool(policy.serverTools[0]); // { type: 'function', name, description, parameters }
 * ```
 */
export function declareServerTool(tool: ServerToolPolicy): Json {
  return {
    type: 'function',
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
  };
}

/**
 * The refusal (`item_not_found`, as the API answers an unknown item) for a client event naming
 * an item the client never saw: by `item_id` (retrieve, delete, truncate), as the
 * `previous_item_id` of a new item, or as an `item_reference` in a response's `input`.
 * `undefined` when it names none of `hiddenItems`.
 *
 * @example
 * ```ts
 * refusalForHiddenItem({ type: 'conversation.item.delete', item_id: 'item_h' }, new Set(['item_h'])); // { action: 'refuse', code: 'item_not_found', … }
 * ```
 */
export function refusalForHiddenItem(
  event: Json,
  hiddenItems: ReadonlySet<string> | undefined,
): Extract<PolicyVerdict, { action: 'refuse' }> | undefined {
  if (hiddenItems === undefined || hiddenItems.size === 0) return undefined;
  const notFound = (
    param: string,
    message = ITEM_NOT_FOUND,
  ): Extract<PolicyVerdict, { action: 'refuse' }> => ({
    action: 'refuse',
    code: 'item_not_found',
    param,
    message,
  });
  const type = event.type;
  if (typeof type !== 'string') return undefined;
  if (NAMES_AN_ITEM.has(type)) {
    return typeof event.item_id === 'string' && hiddenItems.has(event.item_id)
      ? notFound('item_id')
      : undefined;
  }
  if (type === 'conversation.item.create') {
    return typeof event.previous_item_id === 'string' && hiddenItems.has(event.previous_item_id)
      ? notFound('previous_item_id', 'previous_item_id names no item of the conversation.')
      : undefined;
  }
  if (type === 'response.create' && isJsonObject(event.response)) {
    const input = event.response.input;
    if (!Array.isArray(input)) return undefined;
    for (let index = 0; index < input.length; index++) {
      const entry: unknown = input[index];
      if (isJsonObject(entry) && typeof entry.id === 'string' && hiddenItems.has(entry.id)) {
        return notFound(`response.input[${index}].id`);
      }
    }
  }
  return undefined;
}

/**
 * A copy of a client's `session` / `response` that policy may change: the object itself and the
 * objects under it that policy writes to. Everything else is shared, never walked.
 */
function copyForPolicy(original: Json): Json {
  const target: Json = { ...original };
  if (isJsonObject(target.audio)) {
    const audio: Json = { ...target.audio };
    if (isJsonObject(audio.input)) audio.input = { ...audio.input };
    if (isJsonObject(audio.output)) audio.output = { ...audio.output };
    target.audio = audio;
  }
  return target;
}

/**
 * The instructions a session gets: the operator's string, or its prefix before the client's.
 *
 * @example
 * ```ts
 * composeInstructions({ prefix: 'Be kind.' }, 'Speak French.'); // 'Be kind.\n\nSpeak French.'
 * ```
 */
export function composeInstructions(
  operator: string | { readonly prefix: string },
  client: string | undefined,
): string {
  if (typeof operator === 'string') return operator;
  return client === undefined || client === ''
    ? operator.prefix
    : `${operator.prefix}\n\n${client}`;
}
