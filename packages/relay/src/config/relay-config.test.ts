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

  it('bounds the engine conversation and each session, 16 MiB and 76 MiB by default', () => {
    const defaults = parseRelayConfig({});
    expect(defaults.ok && defaults.config.maxConversationBytes).toBe(16 * 1024 * 1024);
    expect(defaults.ok && defaults.config.maxSessionBufferedBytes).toBe(76 * 1024 * 1024);
    expect(defaults.ok && defaults.config.resumeMaxPerSession).toBe(10);
    const set = parseRelayConfig({
      MAX_CONVERSATION_BYTES: '1048576',
      MAX_SESSION_BUFFERED_BYTES: '33554432',
      RESUME_MAX_PER_SESSION: '3',
    });
    expect(set.ok && set.config).toMatchObject({
      maxConversationBytes: 1048576,
      maxSessionBufferedBytes: 33554432,
      resumeMaxPerSession: 3,
    });
    const wrong = parseRelayConfig({ MAX_CONVERSATION_BYTES: '10', RESUME_MAX_PER_SESSION: '0' });
    expect(!wrong.ok && wrong.errors.map((error) => error.variable).sort()).toEqual([
      'MAX_CONVERSATION_BYTES',
      'RESUME_MAX_PER_SESSION',
    ]);
  });

  describe('cascade mode', () => {
    it('forwards data: image URLs only, unless MODEL_IMAGE_URLS names schemes or origins', () => {
      const base = { MODEL_BASE_URL: 'http://127.0.0.1:11434/v1', CHAT_MODEL: 'llama3.2' };
      const plain = parseRelayConfig(base);
      expect(plain.ok && plain.config.cascade?.imageUrls).toBeUndefined();
      const allowed = parseRelayConfig({
        ...base,
        MODEL_IMAGE_URLS: 'https:, https://images.example.com',
      });
      expect(allowed.ok && allowed.config.cascade?.imageUrls).toEqual({
        allow: ['https:', 'https://images.example.com'],
      });
      if (allowed.ok) {
        expect(describeRelayConfig(allowed.config)).toMatchObject({
          cascade: { imageUrls: ['data:', 'https:', 'https://images.example.com'] },
        });
      }
      const wrong = parseRelayConfig({
        ...base,
        MODEL_IMAGE_URLS: 'https:,file:///etc/passwd,https://x.example/path',
      });
      expect(wrong.ok).toBe(false);
      if (wrong.ok) return;
      expect(wrong.errors.map((error) => error.message)).toEqual([
        expect.stringMatching(/^entry 2: /),
        expect.stringMatching(/^entry 3: /),
      ]);
      expect(JSON.stringify(wrong.errors)).not.toContain('passwd');
      const alone = parseRelayConfig({ MODEL_IMAGE_URLS: 'https:' });
      expect(!alone.ok && alone.errors).toEqual([
        { variable: 'MODEL_IMAGE_URLS', message: 'needs MODEL_BASE_URL' },
      ]);
    });

    it('serves a model server when MODEL_BASE_URL and CHAT_MODEL are set, stages on their own URLs', () => {
      const result = parseRelayConfig({
        MODEL_BASE_URL: 'http://127.0.0.1:11434/v1',
        MODEL_API_KEY: 'sk-model-secret',
        CHAT_MODEL: 'llama3.2',
        TRANSCRIPTION_MODEL: 'whisper',
        TRANSCRIPTION_BASE_URL: 'http://127.0.0.1:8000/v1',
        SPEECH_MODEL: 'kokoro',
        SPEECH_VOICE: 'af_heart',
        SPEECH_API_KEY: 'sk-speech-secret',
        MODEL_TIMEOUT_MS: '5000',
      });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.config.cascade).toEqual({
        baseURL: 'http://127.0.0.1:11434/v1',
        apiKey: 'sk-model-secret',
        chatModel: 'llama3.2',
        transcriptionModel: 'whisper',
        speechModel: 'kokoro',
        voice: 'af_heart',
        endpoints: {
          transcription: { baseURL: 'http://127.0.0.1:8000/v1' },
          speech: { baseURL: 'http://127.0.0.1:11434/v1', apiKey: 'sk-speech-secret' },
        },
        timeoutMs: 5000,
      });
      const described = JSON.stringify(describeRelayConfig(result.config));
      expect(described).not.toContain('secret');
      expect(describeRelayConfig(result.config)).toMatchObject({
        upstream: 'cascade',
        cascade: {
          chat: { model: 'llama3.2', url: 'http://127.0.0.1:11434/v1', apiKey: 'set' },
          transcription: { model: 'whisper', url: 'http://127.0.0.1:8000/v1' },
          speech: { model: 'kokoro', apiKey: 'set' },
        },
      });
    });

    it.each([
      [
        { MODEL_BASE_URL: 'http://x/v1' },
        'CHAT_MODEL',
        'expected the chat model to use with MODEL_BASE_URL',
      ],
      [
        { MODEL_BASE_URL: 'ws://x/v1', CHAT_MODEL: 'm' },
        'MODEL_BASE_URL',
        'expected an http: or https: URL',
      ],
      [{ CHAT_MODEL: 'm' }, 'CHAT_MODEL', 'needs MODEL_BASE_URL'],
      [
        {
          MODEL_BASE_URL: 'http://x/v1',
          CHAT_MODEL: 'm',
          UPSTREAM_URL: 'wss://api.openai.com/v1/realtime',
        },
        'MODEL_BASE_URL',
        'set either UPSTREAM_URL (a Realtime API) or MODEL_BASE_URL (a model server), not both',
      ],
      [
        { MODEL_BASE_URL: 'http://x/v1', CHAT_MODEL: 'm', SPEECH_BASE_URL: 'http://y/v1' },
        'SPEECH_BASE_URL',
        'needs SPEECH_MODEL',
      ],
      [
        { MODEL_BASE_URL: 'http://x/v1', CHAT_MODEL: 'm', SPEECH_VOICE: 'alloy' },
        'SPEECH_VOICE',
        'needs SPEECH_MODEL',
      ],
      [
        { MODEL_BASE_URL: 'http://x/v1', CHAT_MODEL: 'm', CHAT_BASE_URL: 'nope' },
        'CHAT_BASE_URL',
        'expected an http: or https: URL',
      ],
    ])('names a bad or conflicting variable: %j', (env, variable, message) => {
      const result = parseRelayConfig(env);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors).toContainEqual({ variable, message });
    });
  });
});
