import { ClientEvents } from '@rtwire/builders';
import { decodeClientEvent } from '@rtwire/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { echoModel, type Harness, openSession, types } from './harness.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const ID = 'evt_refused';
// A marker no spec value contains: if it shows up in an error, the engine echoed the payload.
const SECRET = 'sk-SECRETPAYLOAD';

type Json = Record<string, unknown>;

const session = (fields: Json) => ({
  type: 'session.update',
  event_id: ID,
  session: { type: 'realtime', ...fields },
});
const item = (fields: Json) => ({ type: 'conversation.item.create', event_id: ID, item: fields });
const userMessage = (fields: Json = {}) =>
  item({
    type: 'message',
    role: 'user',
    content: [{ type: 'input_text', text: SECRET }],
    ...fields,
  });
const response = (fields: Json) => ({ type: 'response.create', event_id: ID, response: fields });

interface Row {
  readonly frame: Json;
  readonly code: string;
  readonly param: string | null;
}

/** The client events the live API refuses for their parameters, and how it names each. */
const rows: readonly Row[] = [
  { frame: session({ foo: SECRET }), code: 'unknown_parameter', param: 'session.foo' },
  {
    frame: { type: 'session.update', event_id: ID, foo: SECRET, session: { type: 'realtime' } },
    code: 'unknown_parameter',
    param: 'foo',
  },
  {
    frame: session({ modalities: ['text'] }),
    code: 'unknown_parameter',
    param: 'session.modalities',
  },
  {
    frame: session({ input_audio_format: 'pcm16' }),
    code: 'unknown_parameter',
    param: 'session.input_audio_format',
  },
  { frame: response({ voice: 'alloy' }), code: 'unknown_parameter', param: 'response.voice' },
  { frame: userMessage({ bar: 2 }), code: 'unknown_parameter', param: 'item.bar' },
  { frame: userMessage({ role: 'wizard' }), code: 'invalid_value', param: 'item.role' },
  {
    frame: userMessage({ content: [{ type: 'nope', text: SECRET }] }),
    code: 'invalid_value',
    param: 'item.content[0].type',
  },
  {
    frame: userMessage({ content: [{ type: 'input_text', text: 5 }] }),
    code: 'invalid_type',
    param: 'item.content[0].text',
  },
  {
    frame: item({ type: 'function_call_output', output: SECRET }),
    code: 'missing_required_parameter',
    param: 'item.call_id',
  },
  {
    frame: response({ output_modalities: ['smell'] }),
    code: 'invalid_value',
    param: 'response.output_modalities[0]',
  },
  {
    frame: response({ max_output_tokens: -1 }),
    code: 'integer_below_min_value',
    param: 'response.max_output_tokens',
  },
  {
    frame: session({ audio: { input: { turn_detection: { type: 'bogus' } } } }),
    code: 'invalid_value',
    param: 'session.audio.input.turn_detection.type',
  },
  {
    frame: session({
      audio: { input: { turn_detection: { type: 'server_vad', idle_timeout_ms: 10 } } },
    }),
    code: 'integer_below_min_value',
    param: 'session.audio.input.turn_detection.idle_timeout_ms',
  },
  { frame: session({ instructions: 5 }), code: 'invalid_type', param: 'session.instructions' },
  {
    frame: session({ tool_choice: 'sometimes' }),
    code: 'invalid_value',
    param: 'session.tool_choice',
  },
  {
    frame: session({ max_output_tokens: 99999 }),
    code: 'integer_above_max_value',
    param: 'session.max_output_tokens',
  },
  {
    frame: { type: 'input_audio_buffer.append', event_id: ID, audio: 'AAAA', commit: true },
    code: 'unknown_parameter',
    param: 'commit',
  },
  {
    frame: { type: 'conversation.item.delete', event_id: ID, item_id: 'item_1', force: true },
    code: 'unknown_parameter',
    param: 'force',
  },
];

/** A session that has announced itself, so what comes next answers the next frame. */
async function open(instructions?: string): Promise<Harness> {
  const harness = openSession(echoModel(), instructions === undefined ? {} : { instructions });
  await vi.runAllTimersAsync();
  return harness;
}

/** Sends one refused frame; returns the error, after checking it was the only answer. */
function refuse(harness: Harness, frame: Json | string) {
  const before = harness.events.length;
  harness.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  const answer = harness.events.slice(before);
  expect(types(answer)).toEqual(['error']);
  const [event] = answer;
  if (event?.type !== 'error') throw new Error('no error');
  expect(JSON.stringify(event)).not.toContain(SECRET);
  return event.error;
}

/** The session goes on: a text response still runs to its end. */
async function stillAnswers(harness: Harness) {
  await vi.runAllTimersAsync();
  harness.send(ClientEvents.responseCreate());
  await vi.runAllTimersAsync();
  expect(harness.only('response.done').at(-1)?.response.status).toBe('completed');
  harness.expectWellFormed();
}

describe('client events with parameters the live API refuses', () => {
  it.each(rows)('refuses $frame.type as $code at $param, and goes on', async (row) => {
    const harness = await open('refusals');
    expect(refuse(harness, row.frame)).toMatchObject({
      type: 'invalid_request_error',
      code: row.code,
      param: row.param,
      event_id: ID,
    });
    await stillAnswers(harness);
  });

  it('refuses them the same when the relay hands the event decoded', async () => {
    const harness = await open();
    for (const row of rows) {
      const frame = JSON.stringify(row.frame);
      const decoded = decodeClientEvent(frame);
      if (!decoded.ok || !decoded.known) throw new Error('row did not decode');
      const before = harness.events.length;
      harness.session.receive(frame, decoded.event);
      expect(harness.events.slice(before)).toMatchObject([
        { type: 'error', error: { code: row.code, param: row.param, event_id: ID } },
      ]);
    }
  });

  it('applies nothing of a refused session.update, not even its valid fields', async () => {
    const harness = await open('as it was');
    refuse(harness, session({ instructions: 'changed', output_modalities: ['text'], foo: 1 }));
    harness.send(JSON.stringify(session({})));
    await vi.runAllTimersAsync();
    const updated = harness.only('session.updated').at(-1)?.session;
    expect(updated).toMatchObject({ instructions: 'as it was', output_modalities: ['audio'] });
  });

  it('adds no item for a refused conversation.item.create', async () => {
    const harness = await open();
    refuse(harness, userMessage({ id: 'item_refused', bar: 2 }));
    harness.send(JSON.stringify({ ...userMessage({ id: 'item_refused' }), event_id: 'evt_ok' }));
    await vi.runAllTimersAsync();
    expect(harness.only('error')).toHaveLength(1);
    expect(harness.only('conversation.item.added').map((event) => event.item.id)).toEqual([
      'item_refused',
    ]);
  });

  it('names the parent of a key that does not look like a field name, and never the key', async () => {
    const harness = await open();
    const error = refuse(harness, session({ [`${SECRET} key`]: 1 }));
    expect(error).toMatchObject({ code: 'unknown_parameter', param: 'session', event_id: ID });
  });

  it('does not echo an event_id past the spec’s 512 characters', async () => {
    const harness = await open();
    const error = refuse(harness, {
      type: 'input_audio_buffer.clear',
      event_id: SECRET.repeat(40),
    });
    expect(error).toMatchObject({
      code: 'string_above_max_length',
      param: 'event_id',
      event_id: null,
    });
  });

  it('takes what the official SDKs send, with nulls for what they leave unset', async () => {
    const harness = await open();
    harness.send(
      JSON.stringify(
        session({
          model: 'gpt-realtime',
          output_modalities: ['text'],
          audio: {
            input: {
              format: { type: 'audio/pcm', rate: 24000 },
              noise_reduction: null,
              transcription: { model: 'gpt-4o-mini-transcribe' },
              turn_detection: { type: 'semantic_vad' },
            },
            output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin', speed: 1 },
          },
          tool_choice: 'auto',
          tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object' } }],
          tracing: null,
        }),
      ),
    );
    harness.send(
      JSON.stringify(
        item({ type: 'mcp_approval_response', approval_request_id: 'item_1', approve: false }),
      ),
    );
    harness.send(JSON.stringify(response({ conversation: 'other', metadata: { topic: 'x' } })));
    await vi.runAllTimersAsync();
    expect(harness.only('error')).toEqual([]);
    expect(types(harness.events)).toContain('session.updated');
    expect(types(harness.events)).toContain('conversation.item.added');
    expect(harness.only('response.done').at(-1)?.response.status).toBe('completed');
  });
});
