import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lockedSessionPatch } from './locked-session.ts';
import { parseRelayPolicy, type TenantPolicy } from './relay-policy.ts';

function rulesOf(tenant: unknown): TenantPolicy {
  const parsed = parseRelayPolicy({ tenants: { t: tenant } });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.policy.tenants.t as TenantPolicy;
}

const tool = {
  name: 'lookup_order',
  description: 'Looks an order up',
  parameters: { type: 'object', properties: {} },
  url: 'https://tools.example/lookup',
};

describe('lockedSessionPatch', () => {
  it('names what leaves the policy, with the locked value', () => {
    const rules = rulesOf({
      instructions: 'You are the Acme line.',
      voices: ['marin'],
      outputModalities: ['audio'],
      maxOutputTokens: 500,
      serverTools: [tool],
    });
    expect(
      lockedSessionPatch(rules, {
        type: 'realtime',
        instructions: 'Talk like a pirate.',
        tools: [{ type: 'function', name: 'mine' }],
        audio: { output: { voice: 'ash' } },
        output_modalities: ['text'],
        max_output_tokens: 'inf',
      }),
    ).toEqual({
      instructions: 'You are the Acme line.',
      tools: [
        { type: 'function', name: 'mine' },
        {
          type: 'function',
          name: 'lookup_order',
          description: tool.description,
          parameters: tool.parameters,
        },
      ],
      audio: { output: { voice: 'marin' } },
      output_modalities: ['audio'],
      max_output_tokens: 500,
    });
    expect(
      lockedSessionPatch(rules, {
        type: 'realtime',
        instructions: 'You are the Acme line.',
        tools: [{ type: 'function', name: 'lookup_order' }],
        audio: { output: { voice: 'marin' } },
        output_modalities: ['audio'],
        max_output_tokens: 200,
      }),
    ).toBeUndefined();
  });

  it("keeps a prefix in front of the client's instructions, and leaves a session that has it", () => {
    const rules = rulesOf({ instructions: { prefix: 'Be kind.' } });
    expect(lockedSessionPatch(rules, { type: 'realtime', instructions: 'Be rude.' })).toEqual({
      instructions: 'Be kind.\n\nBe rude.',
    });
    expect(
      lockedSessionPatch(rules, { type: 'realtime', instructions: 'Be kind.\n\nBe rude.' }),
    ).toBeUndefined();
  });

  it('is settled by its own patch, whatever the session (property)', () => {
    const rules = rulesOf({
      instructions: { prefix: 'Be kind.' },
      voices: ['marin', 'cedar'],
      outputModalities: ['audio'],
      maxOutputTokens: 100,
      serverTools: [tool],
    });
    const session = fc.record(
      {
        type: fc.constant('realtime'),
        instructions: fc.string({ maxLength: 30 }),
        tools: fc.array(
          fc.record({ type: fc.constant('function'), name: fc.constantFrom('a', 'lookup_order') }),
        ),
        audio: fc.record({
          output: fc.record({ voice: fc.constantFrom('ash', 'marin', 'cedar') }),
        }),
        output_modalities: fc.constantFrom(['audio'], ['text']),
        max_output_tokens: fc.oneof(fc.constant('inf'), fc.integer({ min: 1, max: 4096 })),
      },
      { requiredKeys: ['type'] },
    );
    fc.assert(
      fc.property(session, (reported) => {
        const patch = lockedSessionPatch(rules, reported);
        const merged = {
          ...reported,
          ...patch,
          ...(patch?.audio ? { audio: patch.audio } : {}),
        };
        expect(lockedSessionPatch(rules, merged)).toBeUndefined();
      }),
    );
  });
});
