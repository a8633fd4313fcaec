import { describe, expect, it } from 'vitest';
import { describeRelayConfig, parseRelayConfig } from './relay-config.ts';

describe('parseRelayConfig', () => {
  it('defaults to loopback, port 8787 and the simulator', () => {
    const result = parseRelayConfig({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      host: '127.0.0.1',
      port: 8787,
      upstreamUrl: undefined,
      relayTokens: [],
      maxFrameBytes: 16 * 1024 * 1024,
    });
  });

  it('reads lists, numbers and the upstream', () => {
    const result = parseRelayConfig({
      UPSTREAM_URL: 'wss://api.openai.com/v1/realtime',
      OPENAI_API_KEY: 'sk-test-123456',
      RELAY_TOKENS: ' a, b ,,',
      MAX_SESSIONS: '5',
      PORT: '0',
    });
    expect(result.ok && result.config.relayTokens).toEqual(['a', 'b']);
    expect(result.ok && result.config.maxSessions).toBe(5);
    expect(result.ok && result.config.port).toBe(0);
    expect(result.ok && result.config.upstreamUrl?.href).toBe('wss://api.openai.com/v1/realtime');
    if (result.ok)
      expect(JSON.stringify(describeRelayConfig(result.config))).not.toContain('sk-test');
  });

  it('names malformed variables without echoing them', () => {
    const result = parseRelayConfig({
      PORT: 'eighty',
      UPSTREAM_URL: 'https://x',
      TLS_CERT: 'cert.pem',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((error) => error.variable).sort()).toEqual([
      'PORT',
      'TLS_KEY',
      'UPSTREAM_URL',
    ]);
    expect(JSON.stringify(result.errors)).not.toContain('eighty');
  });
});
