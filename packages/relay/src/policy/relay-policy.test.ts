import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RELAY_POLICY_SCHEMA } from './policy-schema.ts';
import {
  loadRelayPolicy,
  parseRelayPolicy,
  policyForTenant,
  RelayPolicyError,
} from './relay-policy.ts';

/** The example of the README and the issue, as users will copy it. */
const EXAMPLE = {
  tenants: {
    acme: {
      instructions: "You are Acme's support agent.",
      voices: ['marin', 'cedar'],
      maxOutputTokens: 512,
      onViolation: 'reject',
      clientTools: ['get_weather'],
      serverTools: [
        {
          name: 'lookup_order',
          description: 'Look up an order by its number.',
          parameters: {
            type: 'object',
            properties: { order: { type: 'string' } },
            required: ['order'],
          },
          url: 'https://internal.example/tools/lookup_order',
          timeoutMs: 3000,
        },
      ],
    },
  },
  default: { maxSessionSeconds: 600 },
};

describe('parseRelayPolicy', () => {
  it('reads the documented example, filling in defaults', () => {
    const result = parseRelayPolicy(EXAMPLE);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const acme = result.policy.tenants.acme;
    expect(acme).toMatchObject({
      voices: ['marin', 'cedar'],
      turnDetection: 'free',
      onViolation: 'reject',
    });
    expect(acme?.serverTools[0]).toMatchObject({
      name: 'lookup_order',
      visibility: 'hidden',
      timeoutMs: 3000,
      module: false,
    });
    expect(result.policy.default).toMatchObject({ maxSessionSeconds: 600, serverTools: [] });
  });

  it('names the path and what was expected for each problem', () => {
    const result = parseRelayPolicy({
      tenants: {
        acme: { voices: 'marin', maxOutputTokens: 0, onViolation: 'ignore', colour: 'red' },
      },
      extra: true,
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        { path: '/tenants/acme/voices', expected: 'an array' },
        { path: '/tenants/acme/maxOutputTokens', expected: 'at least 1' },
        { path: '/tenants/acme/onViolation', expected: 'one of "reject", "clamp"' },
        {
          path: '/tenants/acme/colour',
          expected: expect.stringMatching(/^no such field \(known: instructions, /),
        },
        { path: '/extra', expected: 'no such field (known: $schema, tenants, default, prices)' },
      ],
    });
  });

  it('checks what the schema cannot: url or module, unique names, no clash with client tools, secrets set', () => {
    const tool = { name: 't', parameters: { type: 'object' } };
    const result = parseRelayPolicy(
      {
        default: {
          clientTools: ['t'],
          serverTools: [
            tool,
            {
              ...tool,
              url: 'https://x.example',
              secretHeader: { name: 'x-secret', value: 'env:TOOL_SECRET' },
            },
          ],
        },
      },
      {},
    );
    expect(result.ok ? [] : result.errors).toEqual([
      { path: '/default/serverTools/0/name', expected: 'a name that is not also a client tool' },
      { path: '/default/serverTools/0', expected: 'either "url" or "module": true' },
      { path: '/default/serverTools/1/name', expected: 'a name no other server tool has' },
      { path: '/default/serverTools/1/name', expected: 'a name that is not also a client tool' },
      {
        path: '/default/serverTools/1/secretHeader/value',
        expected: 'the environment variable TOOL_SECRET to be set',
      },
    ]);
    const withSecret = parseRelayPolicy(
      {
        default: {
          serverTools: [
            {
              ...tool,
              url: 'https://x.example',
              secretHeader: { name: 'x-secret', value: 'env:S' },
            },
          ],
        },
      },
      { S: 'hunter2' },
    );
    expect(withSecret.ok && withSecret.policy.default?.serverTools[0]?.secretHeader).toEqual({
      name: 'x-secret',
      value: 'hunter2',
    });
  });
});

describe('limits and prices', () => {
  /** The metering example of the README and the issue, word for word. */
  const METERED = {
    prices: {
      'gpt-realtime': { textIn: 4, textOut: 16, audioIn: 32, audioOut: 64, cachedIn: 0.4 },
    },
    tenants: {
      acme: {
        limits: {
          concurrentSessions: 20,
          tokens: { perMinute: 200000, perDay: 5000000 },
          audioSeconds: { perDay: 36000 },
          budget: { usd: 50, per: 'month' },
        },
      },
    },
  };

  it('reads the documented limits, by window', () => {
    const result = parseRelayPolicy(METERED);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.policy.tenants.acme?.limits).toEqual({
      concurrentSessions: 20,
      tokens: { minute: 200000, day: 5000000 },
      inputTokens: {},
      outputTokens: {},
      audioSeconds: { day: 36000 },
      inputAudioSeconds: {},
      outputAudioSeconds: {},
      budget: { usd: 50, per: 'month' },
    });
    expect(result.policy.prices['gpt-realtime']?.cachedIn).toBe(0.4);
  });

  it('refuses a budget without prices, an unknown window and a price missing a rate, naming each path', () => {
    const result = parseRelayPolicy({
      prices: { 'gpt-realtime': { textIn: 4, textOut: 16, audioIn: 32 } },
      tenants: { acme: { limits: { tokens: { perWeek: 10 }, budget: { usd: 5, per: 'year' } } } },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      { path: '/prices/gpt-realtime/audioOut', expected: 'a value (required)' },
      {
        path: '/tenants/acme/limits/tokens/perWeek',
        expected: 'no such field (known: perMinute, perHour, perDay, perMonth, input, output)',
      },
      {
        path: '/tenants/acme/limits/budget/per',
        expected: 'one of "minute", "hour", "day", "month"',
      },
    ]);
    const unpriced = parseRelayPolicy({
      tenants: { acme: { limits: { budget: { usd: 5, per: 'day' } } } },
    });
    expect(!unpriced.ok && unpriced.errors.map((error) => error.path)).toEqual([
      '/tenants/acme/limits/budget',
    ]);
  });
});

describe('loadRelayPolicy', () => {
  it('takes inline JSON or a file, and throws an error naming the problem', () => {
    expect(loadRelayPolicy(JSON.stringify(EXAMPLE)).tenants.acme?.voices).toEqual([
      'marin',
      'cedar',
    ]);
    expect(
      loadRelayPolicy('policy.json', {}, () => JSON.stringify(EXAMPLE)).default?.maxSessionSeconds,
    ).toBe(600);
    expect(() => loadRelayPolicy('policy.json')).toThrow(
      'inline JSON (this runtime cannot read files)',
    );
    expect(() =>
      loadRelayPolicy('missing.json', {}, () => {
        throw new Error('ENOENT');
      }),
    ).toThrow('a readable file at missing.json');
    const error = (() => {
      try {
        loadRelayPolicy('{"default": {"voices": [1]}}');
      } catch (caught) {
        return caught;
      }
    })();
    expect(RelayPolicyError.isInstance(error)).toBe(true);
    expect((error as RelayPolicyError).message).toBe(
      'RELAY_POLICY is invalid: /default/voices/0: expected a string',
    );
    expect(() => loadRelayPolicy('{"default": ')).toThrow(/expected JSON text/);
  });
});

describe('policyForTenant', () => {
  it('gives a tenant its policy, a plain token or an unknown tenant the default', () => {
    const result = parseRelayPolicy(EXAMPLE);
    if (!result.ok) throw new Error('invalid');
    expect(policyForTenant(result.policy, 'acme')).toBe(result.policy.tenants.acme);
    expect(policyForTenant(result.policy, undefined)).toBe(result.policy.default);
    expect(policyForTenant(result.policy, 'toString')).toBe(result.policy.default);
    expect(policyForTenant(undefined, 'acme')).toBeUndefined();
  });
});

describe('the shipped JSON Schema', () => {
  it('is the schema the relay validates with', () => {
    const shipped = JSON.parse(
      readFileSync(new URL('../../policy.schema.json', import.meta.url), 'utf8'),
    );
    expect(shipped).toEqual(RELAY_POLICY_SCHEMA);
  });
});
