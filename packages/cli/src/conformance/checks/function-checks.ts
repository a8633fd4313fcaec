import type { Check, CheckContext } from '../check.ts';
import type { ConformanceSession } from '../conformance-session.ts';
import {
  addUserText,
  configure,
  expect,
  expectStatus,
  type FinishedResponse,
  field,
  respond,
  shown,
} from '../steps.ts';

const WEATHER_TOOL = {
  type: 'function',
  name: 'get_weather',
  description: 'The current weather in a city.',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string', description: 'The city' } },
    required: ['city'],
  },
};

/** Asks for a call of `get_weather` and returns the response and its function_call item. */
async function callWeather(
  session: ConformanceSession,
  context: CheckContext,
): Promise<{ response: FinishedResponse; call: unknown }> {
  await configure(session, {
    output_modalities: ['text'],
    tools: [WEATHER_TOOL],
    tool_choice: 'required',
  });
  await addUserText(session, 'Call get_weather for the city of Paris.');
  const response = await respond(session, context);
  const output = field(response.done, 'response', 'output');
  const call = Array.isArray(output)
    ? output.find((item) => field(item, 'type') === 'function_call')
    : undefined;
  expect(call !== undefined, 'a function_call item in the output', 'none', response.done);
  return { response, call };
}

/**
 * Function calls: arguments streamed then done, the output sent back, a follow-up response.
 *
 * @example
 * ```ts
 * const ids = functionChecks.map((check) => check.id);
 * ```
 */
export const functionChecks: readonly Check[] = [
  {
    id: 'function.call',
    description: 'A function call: arguments streamed in deltas, done with valid JSON, a call_id',
    spec: [
      'RealtimeFunctionTool',
      'RealtimeServerEventResponseFunctionCallArgumentsDelta',
      'RealtimeServerEventResponseFunctionCallArgumentsDone',
    ],
    async run(context) {
      const session = await context.open();
      const { response, call } = await callWeather(session, context);
      expect(
        field(call, 'name') === 'get_weather',
        'name "get_weather"',
        shown(field(call, 'name')),
        call,
      );
      expect(
        typeof field(call, 'call_id') === 'string',
        'a call_id',
        shown(field(call, 'call_id')),
        call,
      );
      const args = field(call, 'arguments');
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(args));
      } catch {
        parsed = undefined;
      }
      expect(
        typeof parsed === 'object' && parsed !== null,
        'arguments that are a JSON object',
        'other',
        call,
      );
      const callId = field(call, 'call_id');
      const deltas = response.events.filter(
        (event) =>
          event.type === 'response.function_call_arguments.delta' && event.call_id === callId,
      );
      expect(
        deltas.length > 0,
        'response.function_call_arguments.delta events',
        'none',
        response.done,
      );
      const done = response.events.find(
        (event) =>
          event.type === 'response.function_call_arguments.done' && event.call_id === callId,
      );
      expect(done !== undefined, 'response.function_call_arguments.done', 'none', response.done);
      expect(done.arguments === args, 'the same arguments as the item', 'others', done);
    },
  },
  {
    id: 'function.output',
    description: 'A function_call_output item for the call, then a follow-up response that answers',
    spec: ['RealtimeConversationItemFunctionCallOutput', 'RealtimeClientEventResponseCreate'],
    async run(context) {
      const session = await context.open();
      const { call } = await callWeather(session, context);
      const mark = session.send({
        type: 'conversation.item.create',
        item: {
          type: 'function_call_output',
          call_id: field(call, 'call_id'),
          output: JSON.stringify({ temperature_c: 21, sky: 'clear' }),
        },
      });
      const added = await session.waitFor(mark, 'conversation.item.added');
      expect(
        field(added, 'item', 'type') === 'function_call_output',
        'the function_call_output added',
        shown(field(added, 'item', 'type')),
        added,
      );
      await configure(session, { tool_choice: 'none' });
      const followUp = await respond(session, context);
      expectStatus(followUp.done, 'completed');
      const output = field(followUp.done, 'response', 'output');
      const message = Array.isArray(output)
        ? output.find((item) => field(item, 'type') === 'message')
        : undefined;
      expect(message !== undefined, 'a message answering with the output', 'none', followUp.done);
    },
  },
];
