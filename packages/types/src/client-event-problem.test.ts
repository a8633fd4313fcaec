import { describe, expect, it } from 'vitest';
import { officialExamples } from '../test/spec.ts';
import {
  type Event,
  itemCreate,
  responseCreate,
  SECRET,
  session,
  userMessage,
  validClientEvents,
} from '../test/valid-client-events.ts';
import { type ClientEventProblem, clientEventProblem } from './client-event-problem.ts';
import { errorParamOf } from './decode-error.ts';
import { decodeClientEvent } from './decode-event.ts';

interface Row {
  readonly name: string;
  readonly event: Event;
  readonly code: string;
  readonly param: string | null;
  readonly message?: string;
}

/** What the live API refuses, as the task's table lists it, each carrying a secret to not echo. */
const rows: readonly Row[] = [
  {
    name: 'an unknown session field',
    event: session({ foo: SECRET }),
    code: 'unknown_parameter',
    param: 'session.foo',
    message: "Unknown parameter: 'session.foo'.",
  },
  {
    name: 'an unknown top-level field',
    event: { type: 'session.update', foo: SECRET, session: { type: 'realtime' } },
    code: 'unknown_parameter',
    param: 'foo',
    message: "Unknown parameter: 'foo'.",
  },
  {
    name: 'the beta modalities',
    event: session({ modalities: ['text'] }),
    code: 'unknown_parameter',
    param: 'session.modalities',
  },
  {
    name: 'the beta input_audio_format',
    event: session({ input_audio_format: 'pcm16' }),
    code: 'unknown_parameter',
    param: 'session.input_audio_format',
  },
  {
    name: 'the beta response voice',
    event: responseCreate({ voice: 'alloy' }),
    code: 'unknown_parameter',
    param: 'response.voice',
  },
  {
    name: 'an unknown item field',
    event: itemCreate(userMessage({ bar: 2 })),
    code: 'unknown_parameter',
    param: 'item.bar',
  },
  {
    name: 'a role no message has',
    event: itemCreate(userMessage({ role: SECRET })),
    code: 'invalid_value',
    param: 'item.role',
    message:
      "Invalid value for 'item.role'. Supported values are: 'system', 'user' and 'assistant'.",
  },
  {
    name: 'a content part of no known type',
    event: itemCreate(userMessage({ content: [{ type: SECRET, text: SECRET }] })),
    code: 'invalid_value',
    param: 'item.content[0].type',
    message:
      "Invalid value for 'item.content[0].type'. Supported values are: 'input_text', 'input_audio' and 'input_image'.",
  },
  {
    name: 'text that is a number',
    event: itemCreate(userMessage({ content: [{ type: 'input_text', text: 5 }] })),
    code: 'invalid_type',
    param: 'item.content[0].text',
    message: "Invalid type for 'item.content[0].text': expected a string, but got an integer.",
  },
  {
    name: 'a function_call_output without call_id',
    event: itemCreate({ type: 'function_call_output', output: SECRET }),
    code: 'missing_required_parameter',
    param: 'item.call_id',
    message: "Missing required parameter: 'item.call_id'.",
  },
  {
    name: 'an output modality that is none',
    event: responseCreate({ output_modalities: ['smell'] }),
    code: 'invalid_value',
    param: 'response.output_modalities[0]',
    message:
      "Invalid value for 'response.output_modalities[0]'. Supported values are: 'text' and 'audio'.",
  },
  {
    // The stored spec drops descriptions; the 1–4096 bound is the description's (generate.mjs).
    name: 'negative max_output_tokens',
    event: responseCreate({ max_output_tokens: -1 }),
    code: 'integer_below_min_value',
    param: 'response.max_output_tokens',
    message:
      "Invalid 'response.max_output_tokens': integer below minimum value. Expected a value >= 1.",
  },
  {
    name: 'a turn detection of no known type',
    event: session({ audio: { input: { turn_detection: { type: 'bogus' } } } }),
    code: 'invalid_value',
    param: 'session.audio.input.turn_detection.type',
    message:
      "Invalid value for 'session.audio.input.turn_detection.type'. Supported values are: 'server_vad' and 'semantic_vad'.",
  },
  {
    name: 'an idle timeout below the minimum',
    event: session({
      audio: { input: { turn_detection: { type: 'server_vad', idle_timeout_ms: 10 } } },
    }),
    code: 'integer_below_min_value',
    param: 'session.audio.input.turn_detection.idle_timeout_ms',
  },
  {
    name: 'instructions that are a number',
    event: session({ instructions: 5 }),
    code: 'invalid_type',
    param: 'session.instructions',
    message: "Invalid type for 'session.instructions': expected a string, but got an integer.",
  },
  {
    name: 'a tool_choice that is none of the options',
    event: session({ tool_choice: SECRET }),
    code: 'invalid_value',
    param: 'session.tool_choice',
    message:
      "Invalid value for 'session.tool_choice'. Supported values are: 'none', 'auto' and 'required'.",
  },
  {
    name: 'max_output_tokens above the maximum',
    event: session({ max_output_tokens: 99999 }),
    code: 'integer_above_max_value',
    param: 'session.max_output_tokens',
    message:
      "Invalid 'session.max_output_tokens': integer above maximum value. Expected a value <= 4096.",
  },
  // Beyond the table: the other constraints the spec states.
  {
    name: 'a session without its type',
    event: { type: 'session.update', session: { instructions: SECRET } },
    code: 'missing_required_parameter',
    param: 'session.type',
  },
  {
    name: 'a tool_choice function without its name',
    event: session({ tool_choice: { type: 'function' } }),
    code: 'missing_required_parameter',
    param: 'session.tool_choice.name',
  },
  {
    name: 'a tool_choice of the wrong kind',
    event: session({ tool_choice: 5 }),
    code: 'invalid_type',
    param: 'session.tool_choice',
    message:
      "Invalid type for 'session.tool_choice': expected a string or an object, but got an integer.",
  },
  {
    name: 'a speed above the maximum',
    event: session({ audio: { output: { speed: 3 } } }),
    code: 'decimal_above_max_value',
    param: 'session.audio.output.speed',
    message:
      "Invalid 'session.audio.output.speed': decimal above maximum value. Expected a value <= 1.5.",
  },
  {
    name: 'an input rate the format does not take',
    event: session({ audio: { input: { format: { type: 'audio/pcm', rate: 16000 } } } }),
    code: 'invalid_value',
    param: 'session.audio.input.format.rate',
    message: "Invalid value for 'session.audio.input.format.rate'. Supported values are: 24000.",
  },
  {
    name: 'an empty list of transcription languages',
    event: session({ audio: { input: { transcription: { languages: [] } } } }),
    code: 'empty_array',
    param: 'session.audio.input.transcription.languages',
  },
  {
    name: 'an event_id past the spec’s length',
    event: { type: 'input_audio_buffer.commit', event_id: SECRET.repeat(40) },
    code: 'string_above_max_length',
    param: 'event_id',
    message: "Invalid 'event_id': string too long. Expected a string with maximum length 512.",
  },
  {
    name: 'an event_id one character past the spec’s length, counted in characters',
    event: { type: 'input_audio_buffer.commit', event_id: '\u{1F600}'.repeat(513) },
    code: 'string_above_max_length',
    param: 'event_id',
  },
  {
    name: 'an unknown field of an append',
    event: { type: 'input_audio_buffer.append', audio: 'AAAA', commit: true },
    code: 'unknown_parameter',
    param: 'commit',
  },
  {
    name: 'a metadata value that is not a string',
    event: responseCreate({ metadata: { topic: 5 } }),
    code: 'invalid_type',
    param: 'response.metadata.topic',
  },
  {
    name: 'an unknown field of an item in response.input',
    event: responseCreate({ input: [userMessage(), userMessage({ bar: 1 })] }),
    code: 'unknown_parameter',
    param: 'response.input[1].bar',
  },
  {
    name: 'an MCP tool without its server_label',
    event: session({ tools: [{ type: 'mcp', server_url: 'https://example.com/mcp' }] }),
    code: 'missing_required_parameter',
    param: 'session.tools[0].server_label',
  },
  {
    name: 'a retention ratio out of range',
    event: session({ truncation: { type: 'retention_ratio', retention_ratio: 2 } }),
    code: 'decimal_above_max_value',
    param: 'session.truncation.retention_ratio',
  },
  {
    name: 'an assistant message with user content',
    event: itemCreate({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'input_text', text: SECRET }],
    }),
    code: 'invalid_value',
    param: 'item.content[0].type',
  },
  {
    name: 'an item of no known type',
    event: itemCreate({ type: SECRET }),
    code: 'invalid_value',
    param: 'item.type',
  },
];

function expectNoEcho(problem: ClientEventProblem | undefined) {
  expect(JSON.stringify(problem)).not.toContain(SECRET);
}

describe('clientEventProblem', () => {
  it.each(rows)('refuses $name as $code at $param', ({ event, code, param, message }) => {
    const problem = clientEventProblem(event);
    expect(problem).toMatchObject({ code, param });
    if (message !== undefined) expect(problem?.message).toBe(message);
    expectNoEcho(problem);
  });

  it('refuses the same rows when they come through the decoder as text', () => {
    for (const { event, code, param } of rows) {
      const decoded = decodeClientEvent(JSON.stringify(event));
      // What the decoder's merged shapes already refuse (a session without its type) it names
      // the same way; the rest reach the interpreter.
      if (!decoded.ok) expect(errorParamOf(decoded.error.path)).toBe(param);
      else expect(clientEventProblem(decoded.event)).toMatchObject({ code, param });
    }
  });

  it('takes every official example of a client event', () => {
    const examples = officialExamples('RealtimeClientEvent');
    expect(examples.length).toBeGreaterThan(5);
    for (const { example } of examples) {
      expect(clientEventProblem(example as Event)).toBeUndefined();
    }
  });

  it.each(validClientEvents)('takes $name', ({ event }) => {
    expect(clientEventProblem(event)).toBeUndefined();
  });

  it('returns undefined for a type it does not know (the decoder keeps those whole)', () => {
    expect(clientEventProblem({ type: 'session.destroy', foo: 1 } as Event)).toBeUndefined();
  });

  it('names the nearest safe parent for a key that does not look like a field name', () => {
    const hostile = [
      `${SECRET} with spaces`,
      `${SECRET}.dotted`,
      `${SECRET}${'x'.repeat(64)}`,
      `${SECRET}\u0000`,
      `'${SECRET}'`,
      `${SECRET}[0]`,
    ];
    for (const key of hostile) {
      const nested = clientEventProblem(session({ [key]: 1 }));
      expect(nested).toMatchObject({ code: 'unknown_parameter', param: 'session' });
      expect(nested?.message).toBe("Unknown parameter in 'session'.");
      expectNoEcho(nested);
      const top = clientEventProblem({ type: 'response.create', [key]: 1 } as Event);
      expect(top).toMatchObject({ code: 'unknown_parameter', param: null });
      expectNoEcho(top);
      const metadata = clientEventProblem(responseCreate({ metadata: { [key]: 1 } }));
      expect(metadata).toMatchObject({ code: 'invalid_type', param: 'response.metadata' });
      expect(metadata?.message).toContain("a field in 'response.metadata'");
      expectNoEcho(metadata);
      const variable = clientEventProblem(
        responseCreate({ prompt: { id: 'pmpt_1', variables: { [key]: { type: 'input_text' } } } }),
      );
      expect(variable).toMatchObject({
        code: 'missing_required_parameter',
        param: 'response.prompt.variables',
      });
      expectNoEcho(variable);
    }
  });

  it('treats keys that name Object.prototype members as unknown, not as spec fields', () => {
    const parsed = JSON.parse(
      '{"type":"session.update","session":{"type":"realtime","__proto__":{"instructions":5}}}',
    );
    expect(clientEventProblem(parsed)).toMatchObject({
      code: 'unknown_parameter',
      param: 'session.__proto__',
    });
    for (const key of ['constructor', 'toString', 'hasOwnProperty']) {
      expect(clientEventProblem(session({ [key]: 1 }))).toMatchObject({
        code: 'unknown_parameter',
        param: `session.${key}`,
      });
    }
  });

  it('never throws on a value that throws when read, and echoes nothing of it', () => {
    const trap = () => {
      throw new Error(SECRET);
    };
    const throwing = new Proxy(
      {},
      { get: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap },
    );
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    const getter = Object.defineProperty({ type: 'realtime' }, 'instructions', {
      enumerable: true,
      get() {
        throw new Error(SECRET);
      },
    });
    for (const value of [throwing, revocable.proxy, getter]) {
      const problem = clientEventProblem({ type: 'session.update', session: value } as Event);
      expect(problem).toMatchObject({ code: 'invalid_value', param: null });
      expectNoEcho(problem);
    }
    const hostileType = Object.defineProperty({}, 'type', {
      get() {
        throw new Error(SECRET);
      },
    }) as Event;
    expectNoEcho(clientEventProblem(hostileType));
  });

  it('does not walk into what the spec leaves open, however deep', () => {
    let deep: unknown = {};
    for (let level = 0; level < 100_000; level++) deep = { properties: deep };
    const event = session({ tools: [{ type: 'function', name: 'f', parameters: deep }] });
    expect(clientEventProblem(event)).toBeUndefined();
  });

  it('accepts null for optional fields, as the live API sends them, but not for required ones', () => {
    expect(
      clientEventProblem(
        session({
          instructions: null,
          tracing: null,
          audio: { input: { noise_reduction: null, turn_detection: null, transcription: null } },
        }),
      ),
    ).toBeUndefined();
    expect(clientEventProblem(itemCreate(userMessage({ content: null })))).toMatchObject({
      code: 'invalid_type',
      param: 'item.content',
    });
  });
});
