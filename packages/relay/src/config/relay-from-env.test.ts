import { describe, expect, it } from 'vitest';
import type { UpstreamConnector } from '../upstream/upstream-connector.ts';
import { createRelayFromEnv, type RealtimeUpstreamSettings } from './relay-from-env.ts';

const lines: string[] = [];
const runtime = (frames: 'bytes' | 'string', dialed: RealtimeUpstreamSettings[] = []) => ({
  frames,
  write: (line: string) => lines.push(line),
  connectRealtime: (settings: RealtimeUpstreamSettings): UpstreamConnector => {
    dialed.push(settings);
    return () => Promise.reject(new Error('not dialed in this test'));
  },
});

/** The first frame an upstream sends, and whether it came as a string. */
async function firstFrame(connect: UpstreamConnector) {
  const socket = await connect({ model: undefined, signal: new AbortController().signal });
  const frame = await new Promise<string | Uint8Array>((resolve) =>
    socket.listen({ message: (data) => resolve(data), close() {}, drain() {} }),
  );
  socket.close(1000, 'done');
  return frame;
}

describe('createRelayFromEnv', () => {
  it('runs the simulator without UPSTREAM_URL, its frames in the runtime’s form', async () => {
    for (const frames of ['string', 'bytes'] as const) {
      const relay = createRelayFromEnv({}, runtime(frames));
      if (!relay.ok) throw new Error('the defaults did not parse');
      const frame = await firstFrame(relay.connectUpstream);
      expect(typeof frame === 'string' ? 'string' : 'bytes').toBe(frames);
      const text = typeof frame === 'string' ? frame : new TextDecoder().decode(frame);
      expect(JSON.parse(text).type).toBe('session.created');
    }
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
