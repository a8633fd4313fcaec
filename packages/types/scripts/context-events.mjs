// The catalogue of context-scoped server events, derived from the spec, and the code the
// builders and the serializer derive from it. Every event whose fields include a response's
// context (`response_id`, then `item_id` / `output_index`, then `content_index`) is built by a
// context builder and encoded by a context encoder; both are generated here, so a field added
// to such an event in the spec reaches the builder, the encoder and their tests with one run of
// `pnpm --filter @rtwire/types generate`.

/** Context fields, outermost first, and the builder property each is held in. */
const CONTEXT_FIELDS = {
  response_id: 'responseId',
  item_id: 'itemId',
  output_index: 'outputIndex',
  content_index: 'contentIndex',
};

/** What the TSDoc of a builder method says after the event name, when there is more to say. */
const NOTES = {
  'output_audio_buffer.started': ' (WebRTC/SIP): the client began playing this response.',
  'output_audio_buffer.stopped': ' (WebRTC/SIP): playback of this response finished.',
  'output_audio_buffer.cleared': ' (WebRTC/SIP): the buffered audio was dropped.',
  'response.output_item.added':
    ". The spec gives this event no `item_id` field: the id travels inside `item`, so pass an item whose `id` is this builder's `itemId`.",
  'response.output_item.done': ': the finished item (see {@link outputItemAdded} on ids).',
  'response.function_call_arguments.done': ' with the complete arguments JSON text.',
  'response.mcp_call_arguments.delta': '; `obfuscation` `null` is written, `undefined` omitted.',
  'response.content_part.added':
    '. Parts here are typed `text` / `audio`, unlike the item content they become (`output_text` / `output_audio`).',
  'response.content_part.done': ' with the finished part.',
  'response.output_text.done': ' with the whole text.',
  'response.output_audio.delta': "; `delta` is base64 audio in the session's output format.",
  'response.output_audio.done': ' (carries no audio: clients keep what they played).',
  'response.output_audio_transcript.done': ' with the whole transcript.',
};

/** Parameter names that are not the field's camelCase (`arguments` cannot name a parameter). */
const PARAMETER_NAMES = { arguments: 'args' };

/** A string, or a string or null: written by the string writers. */
const isString = (node) =>
  node.type === 'string' ||
  ((node.anyOf ?? node.oneOf)?.every(
    (variant) => variant.type === 'string' || variant.type === 'null',
  ) ??
    false);

const camel = (text) => text.replace(/[._]([a-z])/g, (_, letter) => letter.toUpperCase());

/**
 * The context-scoped server events of the spec, in its order: each with its builder method,
 * its level (the innermost context it needs), the context fields it carries and its payload
 * fields (required ones in the spec's order, then optional ones), each a string or a value.
 */
export function contextEvents(schemas, serverEventNames) {
  const events = [];
  for (const name of serverEventNames) {
    const schema = schemas[name];
    const type = schema.properties.type.enum[0];
    const keys = Object.keys(schema.properties);
    if (!keys.includes('response_id')) continue;
    const required = schema.required ?? [];
    const ordered = [...required, ...keys.filter((key) => !required.includes(key)).sort()];
    const context = ordered.filter((key) => key in CONTEXT_FIELDS);
    const level = context.includes('content_index')
      ? 'content'
      : context.includes('output_index')
        ? 'item'
        : 'response';
    const payload = ordered
      .filter((key) => key !== 'type' && key !== 'event_id' && !(key in CONTEXT_FIELDS))
      .map((key) => ({
        key,
        name: PARAMETER_NAMES[key] ?? camel(key),
        kind: isString(schema.properties[key]) ? 'string' : 'value',
        optional: !required.includes(key),
      }));
    events.push({ type, method: camel(type.replace(/^response\./, '')), level, context, payload });
  }
  return events;
}

// ---------------------------------------------------------------------------------------------
// @rtwire/builders: the three context builders

const CLASSES = {
  response: {
    name: 'ResponseEventBuilder',
    doc: `/**
 * The context of one response: holds its \`response_id\` and builds the response-level events.
 * Immutable and reusable: descend with {@link ResponseEventBuilder.forItem}, which returns a
 * new builder and leaves this one unchanged.
 *
 * @example
 * \`\`\`ts
 * const response = new ResponseEventBuilder('resp_1');
 * const content = response.forItem('item_1', 0).forContent(0);
 * for (const [i, delta] of ['Hel', 'lo'].entries()) {
 *   socket.send(JSON.stringify(content.outputTextDelta(\`evt_\${i}\`, delta)));
 * }
 * \`\`\`
 */`,
    fields: ['response_id'],
    child: {
      method: 'forItem',
      doc: 'Descends to one output item of this response.',
      params: 'itemId: string, outputIndex: number',
      make: 'new ItemEventBuilder(this.responseId, itemId, outputIndex)',
      returns: 'ItemEventBuilder',
    },
  },
  item: {
    name: 'ItemEventBuilder',
    doc: `/**
 * The context of one output item of a response: \`response_id\`, \`item_id\`, \`output_index\`.
 * Builds the item-level events (output item, function-call and MCP arguments). Immutable
 * and reusable; {@link ItemEventBuilder.forContent} returns a new builder.
 *
 * @example
 * \`\`\`ts
 * const call = new ItemEventBuilder('resp_1', 'item_2', 1);
 * call.functionCallArgumentsDelta('evt_9', 'call_1', '{"city":');
 * \`\`\`
 */`,
    fields: ['response_id', 'item_id', 'output_index'],
    child: {
      method: 'forContent',
      doc: 'Descends to one content part of this item.',
      params: 'contentIndex: number',
      make: 'new ContentEventBuilder(this.responseId, this.itemId, this.outputIndex, contentIndex)',
      returns: 'ContentEventBuilder',
    },
  },
  content: {
    name: 'ContentEventBuilder',
    doc: `/**
 * The context of one content part: \`response_id\`, \`item_id\`, \`output_index\` and
 * \`content_index\`. This is the streaming hot path: build the context once per part and call
 * a terminal method per delta, passing only the event's own \`event_id\` and payload.
 *
 * Each terminal method returns a fresh plain object with the keys in wire order (\`type\`,
 * \`event_id\`, context, payload), the order \`@rtwire/serializer\`'s precomputed prefixes write.
 *
 * @example
 * \`\`\`ts
 * const content = new ResponseEventBuilder('resp_1').forItem('item_1', 0).forContent(0);
 * for await (const token of model.stream()) {
 *   socket.send(JSON.stringify(content.outputTextDelta(nextEventId(), token)));
 * }
 * \`\`\`
 */`,
    fields: ['response_id', 'item_id', 'output_index', 'content_index'],
  },
};

const FIELD_DOCS = {
  response_id: 'The `response_id` of every event this builder builds.',
  item_id: 'The `item_id` of the output item.',
  output_index: "The item's position in `response.output`.",
  content_index: "The part's position in the item's `content`.",
};

const FIELD_TYPES = {
  response_id: 'string',
  item_id: 'string',
  output_index: 'number',
  content_index: 'number',
};

function builderMethod(event) {
  const T = `E<'${event.type}'>`;
  const params = [
    'eventId: string',
    ...event.payload.map(
      (field) =>
        `${field.name}${field.optional ? '?' : ''}: ${field.kind === 'string' ? (field.optional ? 'string | null' : 'string') : `${T}['${field.key}']`}`,
    ),
  ];
  const members = [
    `type: '${event.type}'`,
    'event_id: eventId',
    ...event.context.map((key) => `${key}: this.${CONTEXT_FIELDS[key]}`),
    ...event.payload
      .filter((field) => !field.optional)
      .map((field) => (field.key === field.name ? field.key : `${field.key}: ${field.name}`)),
  ];
  const optional = event.payload.filter((field) => field.optional);
  const doc = `  /** \`${event.type}\`${NOTES[event.type] ?? '.'} */`;
  const signature = `  ${event.method}(${params.join(', ')}): ${T} {`;
  // Plain JavaScript gets no compiler: a wrong argument is a TypeError here, as in the encoder,
  // not an event the decoder later refuses. One typeof per argument.
  const where = `${CLASSES[event.level].name}.${event.method}`;
  const checks = [
    argumentCheck(where, 'eventId', 'string'),
    ...event.payload
      .filter((field) => !field.optional)
      .map((field) =>
        argumentCheck(where, field.name, field.kind === 'string' ? 'string' : 'value'),
      ),
  ].join('\n');
  if (optional.length === 0) {
    return `${doc}\n${signature}\n${checks}\n    return { ${members.join(', ')} };\n  }`;
  }
  const sets = optional
    .map((field) => `    setOptional(event, '${field.key}', ${field.name});`)
    .join('\n');
  return `${doc}\n${signature}\n${checks}\n    const event: ${T} = { ${members.join(', ')} };\n${sets}\n    return event;\n  }`;
}

/** The line that throws when `name` is not a `kind` (a string, a number, or present at all). */
function argumentCheck(where, name, kind) {
  const test =
    kind === 'string'
      ? `typeof ${name} !== 'string'`
      : kind === 'number'
        ? `typeof ${name} !== 'number'`
        : `${name} === undefined`;
  const expected = kind === 'string' ? 'a string' : kind === 'number' ? 'a number' : 'given';
  return `    if (${test}) throw argumentError('${where}', '${name}', '${expected}');`;
}

/** `packages/builders/src/generated/context-builders.ts`. */
export function contextBuildersFile(events, header) {
  const classes = ['content', 'item', 'response'].map((level) => {
    const spec = CLASSES[level];
    const fields = spec.fields
      .map(
        (key) =>
          `  /** ${FIELD_DOCS[key]} */\n  readonly ${CONTEXT_FIELDS[key]}: ${FIELD_TYPES[key]};`,
      )
      .join('\n');
    const params = spec.fields
      .map((key) => `${CONTEXT_FIELDS[key]}: ${FIELD_TYPES[key]}`)
      .join(', ');
    const assigns = [
      ...spec.fields.map((key) =>
        argumentCheck(`new ${spec.name}`, CONTEXT_FIELDS[key], FIELD_TYPES[key]),
      ),
      ...spec.fields.map((key) => `    this.${CONTEXT_FIELDS[key]} = ${CONTEXT_FIELDS[key]};`),
    ].join('\n');
    const child = spec.child
      ? `\n\n  /** ${spec.child.doc} */\n  ${spec.child.method}(${spec.child.params}): ${spec.child.returns} {\n    return ${spec.child.make};\n  }`
      : '';
    const methods = events.filter((event) => event.level === level).map(builderMethod);
    return `${spec.doc}
export class ${spec.name} {
  /** The context depth, read by \`encoderFor\` in \`@rtwire/serializer\`. */
  readonly level = '${level}' as const;
${fields}

  constructor(${params}) {
${assigns}
  }${child}

${methods.join('\n\n')}
}`;
  });
  const needsOptional = events.some((event) => event.payload.some((field) => field.optional));
  return `${header}import type { ServerEventOf as E } from '@rtwire/types';
import { argumentError } from '../argument-error.ts';
${needsOptional ? "import { setOptional } from '../optional-fields.ts';\n" : ''}
${classes.join('\n\n')}
`;
}

// ---------------------------------------------------------------------------------------------
// @rtwire/serializer: the encoder tables and frame method types

const FRAMES = {
  response: {
    name: 'ResponseEventFrames',
    doc: 'The frame methods of a response context: each returns the frame its builder twin builds.',
  },
  item: { name: 'ItemEventFrames', doc: 'The frame methods of an item context.' },
  content: {
    name: 'ContentEventFramesOfSpec',
    doc: 'The frame methods of a content context that the spec defines (the encoder adds one for raw PCM).',
  },
};

function frameSignatures(event) {
  const params = [
    'eventId: EventId',
    ...event.payload.map(
      (field) =>
        `${field.name}${field.optional ? '?' : ''}: ${field.kind === 'string' ? (field.optional ? 'string | null' : 'string') : `ServerEventOf<'${event.type}'>['${field.key}']`}`,
    ),
  ].join(', ');
  const doc = event.payload.some((field) => field.optional)
    ? `  /** \`${event.type}\`; optional fields: \`null\` is written as \`null\`, \`undefined\` leaves the field out. */\n`
    : `  /** \`${event.type}\`. */\n`;
  // In the Into twin an optional field is still a position before the target: required, but
  // \`undefined\` leaves it out as it does elsewhere.
  const intoParams = [
    'eventId: EventId',
    ...event.payload.map(
      (field) =>
        `${field.name}: ${field.kind === 'string' ? (field.optional ? 'string | null | undefined' : 'string') : `ServerEventOf<'${event.type}'>['${field.key}']`}`,
    ),
    'target: Uint8Array',
    'offset?: number',
  ].join(', ');
  return `${doc}  ${event.method}(${params}): string;\n  /** \`${event.type}\`, as UTF-8 bytes. */\n  ${event.method}Bytes(${params}): Uint8Array;\n  /** Writes the bytes of {@link ${event.method}Bytes} into \`target\` at \`offset\` and returns their length. */\n  ${event.method}Into(${intoParams}): number;`;
}

/** `packages/serializer/src/generated/context-events.ts`. */
export function contextEventsFile(events, header) {
  const table = (level) =>
    JSON.stringify(
      events
        .filter((event) => event.level === level)
        .map(({ type, method, context, payload }) => ({ type, method, context, payload })),
      null,
      2,
    );
  const interfaces = ['response', 'item', 'content'].map((level) => {
    const spec = FRAMES[level];
    const methods = events.filter((event) => event.level === level).map(frameSignatures);
    return `/** ${spec.doc} */\nexport interface ${spec.name} {\n${methods.join('\n')}\n}`;
  });
  return `${header}import type { ServerEventOf } from '@rtwire/types';
import type { EventId } from '../event-id-sequence.ts';

/** A payload field of a context event: its JSON key, parameter name and kind. */
export interface ContextEventField {
  readonly key: string;
  readonly name: string;
  /** \`string\` is written by the string writers (SIMD-checked when long), \`value\` as JSON. */
  readonly kind: 'string' | 'value';
  /** Optional: \`undefined\` leaves it out, \`null\` is written. */
  readonly optional: boolean;
}

/** One context-scoped server event: what its encoder method writes, in wire order. */
export interface ContextEvent {
  readonly type: string;
  readonly method: string;
  /** The context fields it carries, in wire order. */
  readonly context: readonly string[];
  readonly payload: readonly ContextEventField[];
}

/** The method name of every context event. */
export type ContextEventMethod =
${events.map((event) => `  | '${event.method}'`).join('\n')};

/** The events of a response context. */
export const RESPONSE_EVENTS: readonly ContextEvent[] = ${table('response')};

/** The events of an item context. */
export const ITEM_EVENTS: readonly ContextEvent[] = ${table('item')};

/** The events of a content context. */
export const CONTENT_EVENTS: readonly ContextEvent[] = ${table('content')};

${interfaces.join('\n\n')}

/** The text, bytes and \`Into\` methods bound for one event of a table. */
export interface BoundMethods {
  readonly text: unknown;
  readonly bytes: unknown;
  readonly into: unknown;
}

${['response', 'item', 'content']
  .map((level) =>
    assembler(
      level,
      events.filter((event) => event.level === level),
    ),
  )
  .join('\n\n')}
`;
}

const ASSEMBLERS = { response: 'Response', item: 'Item', content: 'Content' };

/** Methods the serializer adds by hand to an encoder level (raw PCM has no event of its own). */
const EXTRA_MEMBERS = { content: ['outputAudioDeltaFromPcm', 'outputAudioDeltaFromPcmInto'] };

/**
 * One object literal per level: encoders built property by property with computed names fall
 * into V8's dictionary mode, and every method call on them becomes a hash lookup.
 */
function assembler(level, events) {
  const name = `assemble${ASSEMBLERS[level]}Encoder`;
  const members = events
    .map(
      (event, index) =>
        `    ${event.method}: (methods[${index}] as BoundMethods).text,\n    ${event.method}Bytes: (methods[${index}] as BoundMethods).bytes,\n    ${event.method}Into: (methods[${index}] as BoundMethods).into,`,
    )
    .join('\n');
  const extras = EXTRA_MEMBERS[level] ?? [];
  const extraMembers = extras.map((member) => `\n    ${member}: extras.${member},`).join('');
  const extraParam =
    extras.length === 0
      ? ''
      : `, extras: { ${extras.map((member) => `readonly ${member}: unknown`).join('; ')} }`;
  return `/** The ${level} encoder of methods bound in the order of the ${level} table, as one object literal. */
export function ${name}(methods: readonly BoundMethods[]${extraParam}): Record<string, unknown> {
  return {
${members}${extraMembers}
  };
}`;
}
