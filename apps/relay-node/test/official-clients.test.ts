import { OpenAIRealtimeWebSocket } from '@openai/agents-realtime';
import { afterEach, describe, expect, it } from 'vitest';
import { holdAgentsTurn } from '../../../test-support/agents-conversation.ts';
import { startFakeUpstream, startRelay, stopAll } from './helpers.ts';
import { answerWithText } from './scripted-upstream.ts';
import { runSdkClient } from './sdk-client.ts';
import { selfSignedCertificate } from './tls-cert.ts';

afterEach(stopAll);

const TOKEN = 'relay-test-token';
/** Upstreams the official clients are tried against: the embedded simulator, and a real `ws` upstream. */
const upstreams = {
  simulator: async () => ({}),
  'UPSTREAM_URL (scripted)': async () => ({
    UPSTREAM_URL: (await startFakeUpstream((socket) => answerWithText(socket))).url,
  }),
};

describe.each(Object.entries(upstreams))(
  'official clients through the relay on %s',
  (_name, upstreamEnv) => {
    it("openai's OpenAIRealtimeWS holds a text conversation over wss:", async () => {
      const { certPath, keyPath } = selfSignedCertificate();
      const relay = await startRelay({
        ...(await upstreamEnv()),
        RELAY_TOKENS: TOKEN,
        TLS_CERT: certPath,
        TLS_KEY: keyPath,
      });
      expect(relay.url).toMatch(/^https:/);
      const result = await runSdkClient(`${relay.url}/v1`, certPath, TOKEN);
      expect(result).toMatchObject({ ok: true });
      expect(result.text.length).toBeGreaterThan(0);
      expect(result.types).toContain('session.created');
      expect(result.types).not.toContain('error');
    });

    it("@openai/agents-realtime's WebSocket transport holds a text conversation", async () => {
      const relay = await startRelay({ ...(await upstreamEnv()), RELAY_TOKENS: TOKEN });
      const transport = new OpenAIRealtimeWebSocket({ url: `${relay.wsUrl}?model=gpt-realtime` });
      const turn = await holdAgentsTurn(transport, TOKEN, 'Say hello.');
      expect(turn.text.length).toBeGreaterThan(0);
      expect(turn.types).toContain('session.created');
      expect(turn.types).not.toContain('error');
      expect(turn.errors).toEqual([]);
    });
  },
);
