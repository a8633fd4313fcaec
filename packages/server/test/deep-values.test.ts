import type { RealtimeServerEvent } from '@rtwire/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deepFreeze, frozenCopy } from '../src/frozen.ts';
import {
  argumentsFromSchema,
  createRealtimeSession,
  createSimulatorModel,
  type EngineSession,
  type ResponseOutput,
  type ResponseRequest,
} from '../src/index.ts';
import { NestingLimitError } from '../src/nesting-limit-error.ts';
import {
  defaultSession,
  isSessionUpdateError,
  mergeSession,
} from '../src/session/session-config.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** `{"a":{"a":…1…}}`, `depth` objects deep, built without recursion. */
function deepObject(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let level = 0; level < depth; level++) value = { a: value };
  return value;
}

/** The JSON text of a value `depth` levels deep, with `width` siblings at each level. */
function deepJson(shape: {
  readonly depth: number;
  readonly arrays: 'none' | 'all' | 'mixed';
  readonly width: number;
  readonly leaf: string;
}): string {
  const opens: string[] = [];
  const closes: string[] = [];
  for (let level = 0; level < shape.depth; level++) {
    const asArray = shape.arrays === 'all' || (shape.arrays === 'mixed' && level % 2 === 1);
    if (asArray) {
      opens.push(`[${'0,'.repeat(shape.width)}`);
      closes.push(']');
    } else {
      let siblings = '';
      for (let index = 0; index < shape.width; index++) siblings += `"s${index}":"x",`;
      opens.push(`{${siblings}"k":`);
      closes.push('}');
    }
  }
  return opens.join('') + JSON.stringify(shape.leaf) + closes.reverse().join('');
}

/**
 * Every field path a client fills, in every client event: `$V` is where the value goes. The
 * paths of issue 25 (tool parameters and extra tool fields, tracing, prompt variables, extra
 * fields under turn detection and transcription, tool_choice, extra fields on an item or a
 * content part, response metadata, tools, input, tool_choice) and the rest.
 */
const PATHS: readonly string[] = [
  '{"type":"session.update","session":{"type":"realtime","tools":[{"type":"function","name":"f","parameters":$V}]}}',
  '{"type":"session.update","session":{"type":"realtime","tools":[{"type":"function","name":"f","extra":$V}]}}',
  '{"type":"session.update","session":{"type":"realtime","tracing":$V}}',
  '{"type":"session.update","session":{"type":"realtime","prompt":{"id":"p","variables":$V}}}',
  '{"type":"session.update","session":{"type":"realtime","audio":{"input":{"turn_detection":{"type":"server_vad","extra":$V}}}}}',
  '{"type":"session.update","session":{"type":"realtime","audio":{"input":{"transcription":{"model":"whisper-1","extra":$V}}}}}',
  '{"type":"session.update","session":{"type":"realtime","tool_choice":$V}}',
  '{"type":"session.update","session":{"type":"realtime","instructions":$V}}',
  '{"type":"session.update","session":{"type":"realtime","extra":$V}}',
  '{"type":"session.update","session":$V}',
  '{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}],"extra":$V}}',
  '{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"hi","extra":$V}]}}',
  '{"type":"conversation.item.create","item":{"type":"function_call_output","call_id":"c","output":$V}}',
  '{"type":"conversation.item.create","previous_item_id":$V,"item":{"type":"message","role":"user","content":[]}}',
  '{"type":"conversation.item.retrieve","item_id":$V}',
  '{"type":"conversation.item.delete","item_id":"x","extra":$V}',
  '{"type":"conversation.item.truncate","item_id":"x","content_index":0,"audio_end_ms":$V}',
  '{"type":"input_audio_buffer.append","audio":$V}',
  '{"type":"input_audio_buffer.commit","extra":$V}',
  '{"type":"input_audio_buffer.clear","extra":$V}',
  '{"type":"response.create","response":{"output_modalities":["text"],"metadata":$V}}',
  '{"type":"response.create","response":{"output_modalities":["text"],"tools":[{"type":"function","name":"f","parameters":$V}]}}',
  '{"type":"response.create","response":{"output_modalities":["text"],"conversation":"none","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"hi","extra":$V}]}]}}',
  '{"type":"response.create","response":{"output_modalities":["text"],"tool_choice":$V}}',
  '{"type":"response.create","response":$V}',
  '{"type":"response.cancel","response_id":$V}',
  '{"type":"output_audio_buffer.clear","extra":$V}',
  '{"type":"session.update","event_id":$V,"session":{"type":"realtime"}}',
  '{"type":"future.event","extra":$V}',
];

/** A simulator session whose frames are parsed as they come. */
function simulatorSession() {
  const events: RealtimeServerEvent[] = [];
  const closes: number[] = [];
  const session = createRealtimeSession({
    model: createSimulatorModel({ pace: 'fast' }),
    frames: 'string',
    send: (frame) => events.push(JSON.parse(frame)),
    close: (code) => closes.push(code),
  });
  return { session, events, closes };
}

const errorsIn = (events: readonly RealtimeServerEvent[]) =>
  events.filter((event) => event.type === 'error');

describe('values nested past the limit', () => {
  it('each of the issue-25 paths, 2,100 and 4,500 deep, gets exactly one error event and the session goes on', async () => {
    const { session, events, closes } = simulatorSession();
    await tick();
    for (const template of PATHS) {
      for (const depth of [2100, 4500]) {
        const before = events.length;
        const frame = template.replace(
          '$V',
          deepJson({ depth, arrays: 'mixed', width: 1, leaf: 'secret' }),
        );
        expect(() => session.receive(frame)).not.toThrow();
        const answer = events.slice(before);
        expect(errorsIn(answer), template).toHaveLength(1);
        expect(answer, template).toHaveLength(1);
        expect(JSON.stringify(answer)).not.toContain('secret');
      }
    }
    const before = events.length;
    session.receive('{"type":"conversation.item.retrieve","item_id":"nothing_here"}');
    expect(events.slice(before)).toMatchObject([
      { type: 'error', error: { code: 'item_not_found' } },
    ]);
    expect(closes).toEqual([]);
  });

  it('every client event path takes values of random depth (to 100,000), width and size: the normal answer or one error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            template: fc.constantFrom(...PATHS),
            depth: fc.oneof(
              fc.integer({ min: 0, max: 8 }),
              fc.integer({ min: 120, max: 135 }),
              fc.integer({ min: 136, max: 100_000 }),
            ),
            arrays: fc.constantFrom('none' as const, 'all' as const, 'mixed' as const),
            width: fc.integer({ min: 0, max: 3 }),
            leaf: fc.oneof(
              fc.string({ maxLength: 8 }),
              fc.string({ minLength: 1000, maxLength: 4000 }),
            ),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        async (frames) => {
          const { session, events, closes } = simulatorSession();
          await tick();
          for (const { template, ...shape } of frames) {
            const before = events.length;
            expect(() => session.receive(template.replace('$V', deepJson(shape)))).not.toThrow();
            expect(errorsIn(events.slice(before)).length).toBeLessThanOrEqual(1);
            if (shape.depth > 130) expect(errorsIn(events.slice(before))).toHaveLength(1);
            await tick();
          }
          session.receive('{"type":"conversation.item.retrieve","item_id":"nothing_here"}');
          expect(events.at(-1)).toMatchObject({ type: 'error', error: { code: 'item_not_found' } });
          expect(closes).toEqual([]);
          session.close();
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('walks over values built in process', () => {
  it('frozenCopy copies and freezes to the limit, and refuses deeper values with a typed error', () => {
    const within = deepObject(127, 'leaf');
    const copy = frozenCopy(within) as Record<string, unknown>;
    expect(copy).toEqual(within);
    expect(Object.isFrozen(copy)).toBe(true);
    expect(Object.isFrozen(copy.a)).toBe(true);
    for (const depth of [129, 100_000]) {
      let thrown: unknown;
      try {
        frozenCopy(deepObject(depth));
      } catch (error) {
        thrown = error;
      }
      expect(NestingLimitError.isInstance(thrown)).toBe(true);
      expect(thrown).toMatchObject({ code: 'too_deep' });
    }
    const cycle: Record<string, unknown> = { b: 1 };
    cycle.self = cycle;
    expect(() => frozenCopy(cycle)).toThrow(NestingLimitError);
  });

  it('deepFreeze freezes a value of any depth, and a cycle, without recursion', () => {
    const deep = deepObject(100_000) as Record<string, unknown>;
    deepFreeze(deep);
    let node: unknown = deep;
    let frozen = 0;
    while (typeof node === 'object' && node !== null) {
      if (Object.isFrozen(node)) frozen++;
      node = (node as Record<string, unknown>).a;
    }
    expect(frozen).toBe(100_000);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(Object.isFrozen(deepFreeze(cycle))).toBe(true);
  });

  it('mergeSession refuses an update it was handed undecoded past the limit, naming the field', () => {
    const current = deepFreeze(defaultSession('sess_1', 'gpt-realtime', 0, 'hi'));
    for (const update of [
      { type: 'realtime', tracing: deepObject(100_000) },
      { type: 'realtime', tools: [{ type: 'function', name: 'f', parameters: deepObject(5000) }] },
      {
        type: 'realtime',
        audio: { input: { turn_detection: { type: 'server_vad', x: deepObject(5000) } } },
      },
    ]) {
      const merged = mergeSession(current, update as never);
      expect(isSessionUpdateError(merged)).toBe(true);
      expect(merged).toMatchObject({ code: 'too_deep' });
    }
    // One audio side alone: the other (frozen, shared with the current session) is copied
    // before the turn detection defaults are applied, not written to.
    const output = mergeSession(current, {
      type: 'realtime',
      audio: { output: { format: { type: 'audio/pcmu' } } },
    } as never);
    expect(isSessionUpdateError(output)).toBe(false);
    expect(output).toMatchObject({
      audio: {
        input: { turn_detection: { type: 'server_vad' } },
        output: { format: { type: 'audio/pcmu' }, voice: 'marin' },
      },
    });
    const fine = mergeSession(current, { type: 'realtime', tracing: 'auto' } as never);
    expect(isSessionUpdateError(fine)).toBe(false);
    expect((fine as EngineSession & { tracing: unknown }).tracing).toBe('auto');
  });

  it('argumentsFromSchema answers a schema of any depth (combinators, const values) with a value JSON can hold', () => {
    let anyOf: unknown = { type: 'string' };
    for (let level = 0; level < 100_000; level++) anyOf = { anyOf: [anyOf] };
    expect(() => JSON.stringify(argumentsFromSchema(anyOf, 'w'))).not.toThrow();
    const deepConst = { type: 'object', properties: { a: { const: deepObject(100_000) } } };
    expect(() => JSON.stringify(argumentsFromSchema(deepConst, 'w'))).not.toThrow();
    const deepDefault = { type: 'object', properties: { a: { default: deepObject(100_000) } } };
    expect(() => JSON.stringify(argumentsFromSchema(deepDefault, 'w'))).not.toThrow();
  });

  it('argumentsFromSchema bounds what it makes, however wide the schema asks it to be', () => {
    let items: unknown = { type: 'string' };
    for (let level = 0; level < 6; level++) items = { type: 'array', minItems: 8, items };
    const properties: Record<string, unknown> = {};
    for (let index = 0; index < 20; index++) properties[`p${index}`] = items;
    const text = JSON.stringify(argumentsFromSchema({ type: 'object', properties }, 'w'));
    expect(text.length).toBeLessThan(256 * 1024);
  });

  it("the simulator answers a model's in-process tool schema of any depth", async () => {
    let parameters: unknown = { type: 'string' };
    for (let level = 0; level < 50_000; level++) parameters = { anyOf: [parameters] };
    const calls: string[] = [];
    let args = '';
    const output: ResponseOutput = {
      text: () => {},
      audio: () => {},
      usage: () => {},
      incomplete: () => {},
      ready: async () => {},
      functionCall: ({ name }) => {
        calls.push(name);
        return {
          arguments: (delta) => {
            args += delta;
          },
          done: () => {},
        };
      },
    };
    const items = [
      {
        id: 'item_1',
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: 'call deep_tool', extra: deepObject(50_000) }],
      },
    ] as unknown as ResponseRequest['items'];
    const request = {
      responseId: 'resp_1',
      items,
      outOfBand: false,
      instructions: undefined,
      tools: [{ type: 'function', name: 'deep_tool', parameters }],
      toolChoice: 'auto',
      modality: 'text',
      voice: 'marin',
      inputAudioFormat: 'audio/pcm',
      outputAudioFormat: 'audio/pcm',
      maxOutputTokens: 'inf',
      metadata: null,
      audioDurationMs: () => 0,
      transcript: async () => undefined,
    } satisfies ResponseRequest;
    await createSimulatorModel({ pace: 'fast' }).respond(
      request,
      output,
      new AbortController().signal,
    );
    expect(calls).toEqual(['deep_tool']);
    expect(() => JSON.parse(args)).not.toThrow();
  });
});
