// Test-only: hostile JSON values of any depth (to 100,000 levels and more), width and size,
// written as text without recursion, and the field paths of every client event to put them in.
// Runtime-neutral, so the Node and the Deno relay tests can share it.

/** How one hostile value is built: levels of nesting, siblings at each level, a leaf's size. */
export interface DeepValueRecipe {
  /** Levels of objects and arrays, alternating (0: the leaf alone). */
  readonly depth: number;
  /** Extra siblings beside the nested value at each level (kept small: they repeat per level). */
  readonly width: number;
  /** Characters of the string leaf. */
  readonly leafLength: number;
  /** Whether the outermost level is an object (else an array). */
  readonly objectFirst: boolean;
}

/**
 * The JSON text of a recipe's value, built from repeated pieces (no recursion, no
 * `JSON.stringify` of a deep value, which overflows the stack a few thousand levels down).
 */
export function deepValueText(recipe: DeepValueRecipe): string {
  const siblingsInObject = Array.from(
    { length: recipe.width },
    (_, index) => `"s${index}":${index}`,
  );
  const siblingsInArray = Array.from({ length: recipe.width }, (_, index) => `${index}`);
  const objectOpen = `{${siblingsInObject.map((sibling) => `${sibling},`).join('')}"k":`;
  const arrayOpen = `[${siblingsInArray.map((sibling) => `${sibling},`).join('')}`;
  const opens: string[] = [];
  const closes: string[] = [];
  for (let level = 0; level < recipe.depth; level++) {
    const object = (level % 2 === 0) === recipe.objectFirst;
    opens.push(object ? objectOpen : arrayOpen);
    closes.push(object ? '}' : ']');
  }
  return `${opens.join('')}"${'x'.repeat(recipe.leafLength)}"${closes.reverse().join('')}`;
}

/** One place in an event: the path of segments from the frame, and whether it adds a field. */
export interface FieldPath {
  readonly segments: readonly (string | number)[];
  /** The depth of the container the value goes into (the frame itself is level 1). */
  readonly containerDepth: number;
}

/**
 * Every place a value can go in `template`: each existing field and array element (replaced),
 * and one extra field on every object and one extra element on every array (added). The
 * frame's own `type` is left alone: without it there is no event to answer.
 */
export function fieldPaths(template: unknown): FieldPath[] {
  const paths: FieldPath[] = [];
  const pending: { value: unknown; segments: (string | number)[] }[] = [
    { value: template, segments: [] },
  ];
  while (pending.length > 0) {
    const { value, segments } = pending.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    const containerDepth = segments.length + 1;
    if (Array.isArray(value)) {
      value.forEach((element, index) => {
        paths.push({ segments: [...segments, index], containerDepth });
        pending.push({ value: element, segments: [...segments, index] });
      });
      paths.push({ segments: [...segments, value.length], containerDepth });
      continue;
    }
    for (const [key, element] of Object.entries(value)) {
      if (segments.length === 0 && key === 'type') continue;
      paths.push({ segments: [...segments, key], containerDepth });
      pending.push({ value: element, segments: [...segments, key] });
    }
    paths.push({ segments: [...segments, 'x_extra'], containerDepth });
  }
  return paths;
}

const PLACEHOLDER = '__rtwire_deep_value__';

/**
 * The JSON text of `template` with the value at `path` set to `valueText` (replaced or added),
 * and the frame's `event_id` set to `eventId`.
 */
export function frameWith(
  template: Record<string, unknown>,
  path: FieldPath,
  valueText: string,
  eventId: string,
): string {
  const frame = structuredClone(template);
  frame.event_id = eventId;
  let container: Record<string | number, unknown> = frame;
  for (const segment of path.segments.slice(0, -1)) {
    container = container[segment] as Record<string | number, unknown>;
  }
  container[path.segments.at(-1)!] = PLACEHOLDER;
  return JSON.stringify(frame).replace(`"${PLACEHOLDER}"`, () => valueText);
}

/**
 * A JSON writer with an explicit stack, for fakes that must echo what they were sent however
 * deep it is (the relay's job is to survive it, not the fake's).
 */
export function stringifyDeep(value: unknown): string {
  // The stack holds values still to write and, marked by a leading NUL, literal text.
  let out = '';
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (typeof next === 'string' && next.startsWith('\u0000')) {
      out += next.slice(1);
      continue;
    }
    if (typeof next !== 'object' || next === null) {
      out += JSON.stringify(next) ?? 'null';
      continue;
    }
    const array = Array.isArray(next);
    const entries = array
      ? next.map((element) => [undefined, element] as const)
      : Object.entries(next);
    out += array ? '[' : '{';
    const ordered: unknown[] = [];
    entries.forEach(([key, element], index) => {
      const name = key === undefined ? '' : `${JSON.stringify(key)}:`;
      ordered.push(`\u0000${index > 0 ? ',' : ''}${name}`, element);
    });
    ordered.push(array ? '\u0000]' : '\u0000}');
    for (let index = ordered.length - 1; index >= 0; index--) stack.push(ordered[index]);
  }
  return out;
}

/**
 * One event of each client type, each field the spec gives it filled in, nested objects
 * included (the official examples are shallow): the paths a hostile value is put into.
 * Voices and tools are what the policy scenarios allow.
 */
export const RICH_CLIENT_EVENTS: Readonly<Record<string, Record<string, unknown>>> = {
  'session.update': {
    type: 'session.update',
    session: {
      type: 'realtime',
      instructions: 'Answer briefly.',
      output_modalities: ['text'],
      max_output_tokens: 200,
      tool_choice: { type: 'function', name: 'get_weather' },
      tools: [
        {
          type: 'function',
          name: 'get_weather',
          description: 'The weather in a city.',
          parameters: {
            type: 'object',
            properties: { city: { type: 'string', enum: ['Paris'] } },
            required: ['city'],
          },
        },
      ],
      tracing: { workflow_name: 'support', group_id: 'g1', metadata: { team: 'a' } },
      prompt: { id: 'pmpt_1', version: '1', variables: { city: 'Paris' } },
      audio: {
        input: {
          format: { type: 'audio/pcm', rate: 24000 },
          transcription: { model: 'whisper-1', language: 'en', prompt: 'names' },
          turn_detection: { type: 'server_vad', threshold: 0.5, silence_duration_ms: 500 },
          noise_reduction: { type: 'near_field' },
        },
        output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin', speed: 1 },
      },
    },
  },
  'input_audio_buffer.append': { type: 'input_audio_buffer.append', audio: 'AAAAAAAAAAAAAAAA' },
  'input_audio_buffer.commit': { type: 'input_audio_buffer.commit' },
  'input_audio_buffer.clear': { type: 'input_audio_buffer.clear' },
  'conversation.item.create': {
    type: 'conversation.item.create',
    previous_item_id: null,
    item: {
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_text', text: 'hello there' },
        { type: 'input_audio', audio: 'AAAAAAAA', transcript: 'hi' },
      ],
    },
  },
  'conversation.item.retrieve': { type: 'conversation.item.retrieve', item_id: 'item_none' },
  'conversation.item.truncate': {
    type: 'conversation.item.truncate',
    item_id: 'item_none',
    content_index: 0,
    audio_end_ms: 100,
  },
  'conversation.item.delete': { type: 'conversation.item.delete', item_id: 'item_none' },
  'response.create': {
    type: 'response.create',
    response: {
      conversation: 'none',
      output_modalities: ['text'],
      instructions: 'Say one word.',
      max_output_tokens: 50,
      metadata: { topic: 'weather' },
      tool_choice: 'auto',
      tools: [
        {
          type: 'function',
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      ],
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'weather?' }] },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: '{"sunny":true}' },
      ],
    },
  },
  'response.cancel': { type: 'response.cancel', response_id: 'resp_none' },
  'output_audio_buffer.clear': { type: 'output_audio_buffer.clear' },
};
