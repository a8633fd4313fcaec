import { SERVER_EVENT_TYPES } from '@rtwire/types';
import { describe, expect, it } from 'vitest';
import {
  officialExample,
  serverSchemaNames,
  specErrors,
} from '../../../test-support/spec-validator.ts';
import { buildFromExample } from './build-from-example.ts';

/**
 * Two official examples type assistant content with the beta vocabulary (`text` / `audio`)
 * that their own GA schema rejects (`output_text` / `output_audio`). The schema wins.
 */
const BETA_CONTENT_EXAMPLES = new Set(['conversation.item.retrieved', 'response.output_item.done']);

function withGaContentTypes(example: Record<string, unknown>): Record<string, unknown> {
  const item = example.item as { content: { type: string }[] };
  for (const part of item.content) part.type = `output_${part.type}`;
  return example;
}

describe('every server event of the spec', () => {
  it('has a schema for each of the 46 types and a builder for each schema', () => {
    expect(SERVER_EVENT_TYPES).toHaveLength(46);
    expect([...serverSchemaNames.keys()].sort()).toEqual([...SERVER_EVENT_TYPES].sort());
    expect(Object.keys(buildFromExample).sort()).toEqual([...SERVER_EVENT_TYPES].sort());
  });

  describe.each([...serverSchemaNames])('%s', (type, schemaName) => {
    const build = buildFromExample[type as keyof typeof buildFromExample];

    it('rebuilds the official example exactly', () => {
      const example = officialExample(schemaName);
      // The spec's own dtmf example carries a stray space in its type.
      if (type === 'input_audio_buffer.dtmf_event_received') example.type = type;
      const built = build(example);
      expect(built).toEqual(example);
      expect(built.type).toBe(type);
    });

    it('validates against its schema', () => {
      let example = officialExample(schemaName);
      if (type === 'input_audio_buffer.dtmf_event_received') example.type = type;
      if (BETA_CONTENT_EXAMPLES.has(type)) {
        expect(specErrors(build(example))).toMatch(/content\/0\/type/);
        example = withGaContentTypes(example);
      }
      expect(specErrors(build(example))).toBeUndefined();
    });
  });
});
