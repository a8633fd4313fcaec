// Holds the generated declarations against the spec with the TypeScript compiler itself, so a
// missing event, a missing field or a wrong optionality fails here even if the generator is wrong.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { eventSchemaNames, eventTypeOf, schemas } from '../test/spec.ts';
import { CLIENT_EVENT_TYPES, SERVER_EVENT_TYPES } from './generated/event-types.ts';
import {
  TRANSLATION_CLIENT_EVENT_TYPES,
  TRANSLATION_SERVER_EVENT_TYPES,
} from './generated/translation-event-types.ts';
import { TRANSLATION_AUDIO } from './translation-audio.ts';

const generatedPath = fileURLToPath(new URL('./generated/schema-types.ts', import.meta.url));
const source = ts.createSourceFile(
  generatedPath,
  readFileSync(generatedPath, 'utf8'),
  ts.ScriptTarget.Latest,
  true,
);

/** Interface name → its members (name → optional?). */
const interfaces = new Map<string, Map<string, boolean>>();
source.forEachChild((node) => {
  if (!ts.isInterfaceDeclaration(node)) return;
  const members = new Map<string, boolean>();
  for (const member of node.members) {
    if (ts.isPropertySignature(member) && member.name) {
      members.set(member.name.getText(source).replace(/^"|"$/g, ''), Boolean(member.questionToken));
    }
  }
  interfaces.set(node.name.text, members);
});

describe('generated types match realtime-schemas.json', () => {
  it('lists every server and client event type', () => {
    const server = eventSchemaNames('RealtimeServerEvent').map(eventTypeOf);
    const client = eventSchemaNames('RealtimeClientEvent').map(eventTypeOf);
    expect(server).toHaveLength(46);
    expect(client).toHaveLength(11);
    expect([...SERVER_EVENT_TYPES].sort()).toEqual([...server].sort());
    expect([...CLIENT_EVENT_TYPES].sort()).toEqual([...client].sort());
  });

  it('lists every translation server and client event type, apart from the realtime ones', () => {
    const server = eventSchemaNames('RealtimeTranslationServerEvent').map(eventTypeOf);
    const client = eventSchemaNames('RealtimeTranslationClientEvent').map(eventTypeOf);
    expect(server).toHaveLength(7);
    expect(client).toHaveLength(3);
    expect([...TRANSLATION_SERVER_EVENT_TYPES]).toEqual(server);
    expect([...TRANSLATION_CLIENT_EVENT_TYPES]).toEqual(client);
    // `session.update` names another event in each protocol: never merged into one union.
    expect(CLIENT_EVENT_TYPES).toContain('session.update');
    expect(CLIENT_EVENT_TYPES).not.toContain('session.input_audio_buffer.append');
    expect(SERVER_EVENT_TYPES).not.toContain('session.output_audio.delta');
  });

  it('TRANSLATION_AUDIO is what the spec says an output audio delta carries', () => {
    const fields = schemas.RealtimeTranslationServerEventSessionOutputAudioDelta!.properties!;
    const defaults = (key: string) => (fields[key] as { default?: unknown }).default;
    expect(TRANSLATION_AUDIO).toEqual({
      format: fields.format!.enum![0],
      sample_rate: defaults('sample_rate'),
      channels: defaults('channels'),
    });
    expect(fields.format!.enum).toHaveLength(1);
  });

  for (const union of [
    'RealtimeServerEvent',
    'RealtimeClientEvent',
    'RealtimeTranslationServerEvent',
    'RealtimeTranslationClientEvent',
  ] as const) {
    for (const name of eventSchemaNames(union)) {
      it(`${name} declares every spec field with the spec's optionality`, () => {
        const members = interfaces.get(name);
        expect(members, `interface ${name}`).toBeDefined();
        const schema = schemas[name]!;
        const required = new Set(schema.required ?? []);
        for (const field of Object.keys(schema.properties ?? {})) {
          expect(members!.has(field), `${name}.${field}`).toBe(true);
          expect(members!.get(field), `${name}.${field} optional`).toBe(!required.has(field));
        }
      });
    }
  }

  it('declares every object schema of the spec', () => {
    for (const [name, schema] of Object.entries(schemas)) {
      if (!schema.properties) continue;
      const members = interfaces.get(name);
      expect(members, name).toBeDefined();
      for (const field of Object.keys(schema.properties))
        expect(members!.has(field), `${name}.${field}`).toBe(true);
    }
  });

  it('is what the generator produces from the committed spec', () => {
    const script = fileURLToPath(new URL('../scripts/generate.mjs', import.meta.url));
    expect(() =>
      execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' }),
    ).not.toThrow();
  });
});
