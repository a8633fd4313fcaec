import { describe, expect, it } from 'vitest';
import type { UpstreamConnector } from '../upstream/upstream-connector.ts';
import type { RelayConfig } from './relay-config.ts';
import { createRelayFromEnv, type RealtimeUpstreamSettings } from './relay-from-env.ts';

const lines: string[] = [];
/** What the stand-in engine was asked for: the config's cascade, and the frame form. */
const engineCalls: { cascade: boolean; frames: string }[] = [];
const notDialed: UpstreamConnector = () => Promise.reject(new Error('not dialed in this test'));
const runtime = (frames: 'bytes' | 'string', dialed: RealtimeUpstreamSettings[] = []) => ({
  frames,
  write: (line: string) => lines.push(line),
  connectRealtime: (settings: RealtimeUpstreamSettings): UpstreamConnector => {
    dialed.push(settings);
    return notDialed;
  },
  // A stand-in: the core never imports the engine (engine/engine-upstream.test.ts runs it).
  engine: (config: RelayConfig, form: 'bytes' | 'string'): UpstreamConnector => {
    engineCalls.push({ cascade: config.cascade !== undefined, frames: form });
    return notDialed;
  },
});

describe('createRelayFromEnv', () => {
  it('hands a config without UPSTREAM_URL to the runtime’s engine, with the runtime’s frame form', () => {
    engineCalls.length = 0;
    for (const frames of ['string', 'bytes'] as const) {
      const relay = createRelayFromEnv({}, runtime(frames));
      expect(relay.ok && relay.connectUpstream).toBe(notDialed);
    }
    const cascade = createRelayFromEnv(
      { MODEL_BASE_URL: 'http://127.0.0.1:1/v1', CHAT_MODEL: 'chat' },
      runtime('string'),
    );
    expect(cascade.ok).toBe(true);
    expect(engineCalls).toEqual([
      { cascade: false, frames: 'string' },
      { cascade: false, frames: 'bytes' },
      { cascade: true, frames: 'string' },
    ]);
  });

  it('without an engine, needs UPSTREAM_URL and says which package serves the rest', () => {
    const { engine: _none, ...realOnly } = runtime('string');
    const simulator = createRelayFromEnv({}, realOnly);
    expect(simulator.ok ? [] : simulator.errors.map((error) => error.variable)).toEqual([
      'UPSTREAM_URL',
    ]);
    expect(JSON.stringify(simulator)).toContain('@rtwire/relay/engine');
    const cascade = createRelayFromEnv(
      { MODEL_BASE_URL: 'http://127.0.0.1:1/v1', CHAT_MODEL: 'chat' },
      realOnly,
    );
    expect(cascade.ok ? [] : cascade.errors.map((error) => error.variable)).toEqual([
      'MODEL_BASE_URL',
    ]);
    const real = createRelayFromEnv(
      { UPSTREAM_URL: 'wss://upstream.example/v1/realtime' },
      realOnly,
    );
    expect(real.ok).toBe(true);
  });

  it('dials UPSTREAM_URL through the runtime with the config’s settings, the key masked in logs', () => {
    const dialed: RealtimeUpstreamSettings[] = [];
    const relay = createRelayFromEnv(
      {
        UPSTREAM_URL: 'wss://upstream.example/v1/realtime',
        OPENAI_API_KEY: 'sk-test-secret',
        UPSTREAM_HANDSHAKE_TIMEOUT_MS: '2500',
      },
      runtime('bytes', dialed),
    );
    if (!relay.ok) throw new Error(JSON.stringify(relay.errors));
    expect(dialed).toEqual([
      expect.objectContaining({
        url: new URL('wss://upstream.example/v1/realtime'),
        apiKey: 'sk-test-secret',
        handshakeTimeoutMs: 2500,
        maxFrameBytes: relay.config.maxFrameBytes,
        highWaterBytes: relay.config.highWaterBytes,
      }),
    ]);
    relay.logger.log('info', 'test', { note: 'key sk-test-secret here' });
    expect(lines.at(-1)).not.toContain('sk-test-secret');
  });

  it('names the variables it could not read, never their values', () => {
    const relay = createRelayFromEnv(
      { UPSTREAM_URL: 'http://not-a-websocket/secret-path', PORT: 'eighty' },
      runtime('string'),
    );
    expect(relay.ok).toBe(false);
    if (relay.ok) return;
    expect(relay.errors.map((error) => error.variable).sort()).toEqual(['PORT', 'UPSTREAM_URL']);
    expect(JSON.stringify(relay.errors)).not.toContain('secret-path');
  });

  it('reads RELAY_POLICY inline or from a file, and names every problem by JSON pointer', () => {
    const policy = '{"default":{"voices":["marin"]}}';
    const inline = createRelayFromEnv({ RELAY_POLICY: policy }, runtime('string'));
    expect(inline.ok && inline.policy?.default?.voices).toEqual(['marin']);
    const fromFile = createRelayFromEnv(
      { RELAY_POLICY: 'policy.json' },
      {
        ...runtime('string'),
        readTextFile: (path: string) => (path === 'policy.json' ? policy : ''),
      },
    );
    expect(fromFile.ok && fromFile.policy?.default?.voices).toEqual(['marin']);
    expect(createRelayFromEnv({}, runtime('string'))).toMatchObject({
      ok: true,
      policy: undefined,
    });
    expect(
      createRelayFromEnv({ RELAY_POLICY: '{"default":{"voices":[1],"x":2}}' }, runtime('string')),
    ).toEqual({
      ok: false,
      errors: [
        { variable: 'RELAY_POLICY', message: '/default/voices/0: expected a string' },
        {
          variable: 'RELAY_POLICY',
          message: expect.stringMatching(/^\/default\/x: expected no such field/),
        },
      ],
    });
  });

  it('refuses a module server tool without a handler, and takes the one the runtime has', () => {
    const policy = JSON.stringify({
      tenants: {
        acme: {
          serverTools: [{ name: 'lookup_order', parameters: { type: 'object' }, module: true }],
        },
      },
    });
    const env = { RELAY_POLICY: policy, RELAY_TOKENS: 'acme:tok_acme' };
    expect(createRelayFromEnv(env, runtime('string'))).toEqual({
      ok: false,
      errors: [
        {
          variable: 'RELAY_POLICY',
          message:
            '/tenants/acme/serverTools/0: expected RELAY_TOOLS_MODULE to export a handler named lookup_order',
        },
      ],
    });
    const handler = async () => 'ok';
    const relay = createRelayFromEnv(env, {
      ...runtime('string'),
      toolHandlers: { lookup_order: handler },
    });
    expect(relay.ok && relay.toolHandlers.lookup_order).toBe(handler);
  });

  it('refuses a policy that leaves some credential with no policy, and says who, never a token', () => {
    const policy = JSON.stringify({ tenants: { acme: { voices: ['marin'] } } });
    const refusal = (tokens: string | undefined) => {
      const relay = createRelayFromEnv(
        { RELAY_POLICY: policy, ...(tokens === undefined ? {} : { RELAY_TOKENS: tokens }) },
        runtime('string'),
      );
      return relay.ok ? undefined : relay.errors;
    };
    expect(refusal(undefined)).toEqual([
      {
        variable: 'RELAY_POLICY',
        message:
          '/default: expected a "default" policy: without one, every client (RELAY_TOKENS is not set) would run with no policy (add "default": {} to let them run unrestricted)',
      },
    ]);
    expect(refusal('acme:tok_acme,tok_plain_1,beta:tok_beta,tok_plain_2')).toEqual([
      {
        variable: 'RELAY_POLICY',
        message:
          '/default: expected a "default" policy: without one, 2 plain tokens and the tenant beta of RELAY_TOKENS would run with no policy (add "default": {} to let them run unrestricted)',
      },
    ]);
    expect(JSON.stringify(refusal('acme:tok_acme,tok_plain_1'))).not.toContain('tok_');
    // Every credential names a tenant of the policy, or a default covers the rest: it runs.
    expect(refusal('acme:tok_acme')).toBeUndefined();
    const withDefault = JSON.stringify({ tenants: { acme: {} }, default: {} });
    expect(createRelayFromEnv({ RELAY_POLICY: withDefault }, runtime('string')).ok).toBe(true);
  });
});
