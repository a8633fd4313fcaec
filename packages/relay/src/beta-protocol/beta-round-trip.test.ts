import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientSchemaNames, serverSchemaNames } from '../../../../test-support/spec-validator.ts';
import { specEvents } from '../../test/spec-event-arbitrary.ts';
import { isJsonObject, type JsonObject } from '../json-object.ts';
import { ASSISTANT_CONTENT_TYPES, WITHHELD_FROM_BETA } from './beta-fields.ts';
import {
  BETA_CLIENT_TYPES,
  betaClientEventToGa,
  gaClientEventToBeta,
} from './translate-client-event.ts';
import {
  BETA_SERVER_TYPES,
  betaServerEventToGa,
  gaServerEventToBeta,
} from './translate-server-event.ts';

// The work is bounded, not the time: a few hundred events a property.
const RUNS = 400;

/**
 * What beta cannot tell apart, said GA's one way: an audio format is one of the three beta
 * names (24 kHz PCM, μ-law, A-law: a PCM format without a rate is 24 kHz), and the output
 * modalities are `['text']` or `['audio']` (GA refuses both at once). A walk over a generated
 * event (small and acyclic).
 */
function canonical(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    if (key === 'output_modalities') return value.includes('audio') ? ['audio'] : ['text'];
    return value.map((item) => canonical(item));
  }
  if (!isJsonObject(value)) return value;
  if (value.type === 'audio/pcm' && (key === 'format' || Object.hasOwn(value, 'rate'))) {
    return { type: 'audio/pcm', rate: 24000 };
  }
  if (key === 'format' && (value.type === 'audio/pcmu' || value.type === 'audio/pcma')) {
    return { type: value.type };
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonical(v, k)]));
}

const gaServerEvents = specEvents(serverSchemaNames).map((event) => canonical(event) as JsonObject);
const gaClientEvents = specEvents(clientSchemaNames).map((event) => canonical(event) as JsonObject);

/** GA events beta says another way or not at all: they cannot come back as they were. */
const ONE_WAY = new Set(['conversation.item.created', ...WITHHELD_FROM_BETA]);

/**
 * The GA-only fields left in a beta session or response, read apart from the translation's
 * tables: any value (but `null`, or an object holding nothing) under `audio`, whose every
 * field beta names at the top, and the GA names of the top fields beta renamed.
 */
function gaFieldsLeft(object: unknown, renamed: readonly string[]): string[] {
  if (!isJsonObject(object)) return [];
  const left = renamed.filter((name) => Object.hasOwn(object, name));
  const walk = (value: unknown, path: string) => {
    if (isJsonObject(value))
      for (const [key, child] of Object.entries(value)) walk(child, `${path}.${key}`);
    else if (value !== null && value !== undefined) left.push(path);
  };
  walk(object.audio, 'audio');
  return left;
}

/** The assistant parts typed as GA types them, anywhere in `value`. */
function gaAssistantParts(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, item) => n + gaAssistantParts(item), 0);
  if (!isJsonObject(value)) return 0;
  let found = 0;
  if (value.role === 'assistant' && Array.isArray(value.content)) {
    for (const part of value.content) {
      if (isJsonObject(part) && Object.hasOwn(ASSISTANT_CONTENT_TYPES, String(part.type))) found++;
    }
  }
  for (const child of Object.values(value)) found += gaAssistantParts(child);
  return found;
}

describe('GA → beta → GA over events generated from the spec', () => {
  it('the generator covers every server and client event type of the spec', () => {
    const seen = new Set<string>();
    for (const event of fc.sample(gaServerEvents, 3000)) seen.add(String(event.type));
    for (const event of fc.sample(gaClientEvents, 1000)) seen.add(String(event.type));
    const all = [...serverSchemaNames.keys(), ...clientSchemaNames.keys()];
    expect(all.filter((type) => !seen.has(type))).toEqual([]);
  });

  it('a server event comes back as it was, whatever beta made of it', () => {
    fc.assert(
      fc.property(gaServerEvents, (event) => {
        fc.pre(!ONE_WAY.has(String(event.type)));
        const beta = gaServerEventToBeta(event);
        expect(beta).toBeDefined();
        expect(betaServerEventToGa(beta as JsonObject)).toEqual(event);
      }),
      { numRuns: RUNS },
    );
  });

  it('a client event comes back as it was, whatever beta made of it', () => {
    fc.assert(
      fc.property(gaClientEvents, (event) => {
        expect(betaClientEventToGa(gaClientEventToBeta(event))).toEqual(event);
      }),
      { numRuns: RUNS },
    );
  });

  it('a beta client sees no GA name: moved fields at their beta names, parts as beta types them', () => {
    fc.assert(
      fc.property(gaServerEvents, (event) => {
        const beta = gaServerEventToBeta(event);
        if (beta === undefined) {
          expect(WITHHELD_FROM_BETA.has(String(event.type))).toBe(true);
          return;
        }
        expect(String(beta.type)).not.toMatch(
          /^response\.output_(text|audio)|^conversation\.item\.(added|done)$/,
        );
        expect(gaFieldsLeft(beta.session, ['output_modalities', 'max_output_tokens'])).toEqual([]);
        expect(gaFieldsLeft(beta.response, ['output_modalities'])).toEqual([]);
        expect(gaAssistantParts(beta)).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('a GA client event reaches GA as it is: a beta session translates only what is beta', () => {
    fc.assert(
      fc.property(gaClientEvents, (event) => {
        expect(betaClientEventToGa(event)).toEqual(event);
      }),
      { numRuns: RUNS },
    );
  });

  it('only the types the socket peeks for change (every other frame passes as it came)', () => {
    fc.assert(
      fc.property(gaServerEvents, gaClientEvents, (server, client) => {
        if (gaServerEventToBeta(server) !== server) {
          expect(BETA_SERVER_TYPES.has(String(server.type))).toBe(true);
        }
        const beta = gaClientEventToBeta(client);
        if (betaClientEventToGa(beta) !== beta) {
          expect(BETA_CLIENT_TYPES.has(String(beta.type))).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
