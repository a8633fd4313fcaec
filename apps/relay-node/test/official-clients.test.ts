import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { OpenAIRealtimeWebSocket } from '@openai/agents-realtime';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, startRelay, stopAll } from './helpers.ts';
import { answerWithText } from './scripted-upstream.ts';
import { selfSignedCertificate } from './tls-cert.ts';

afterEach(stopAll);

const TOKEN = 'relay-test-token';
const sdkClient = fileURLToPath(new URL('./fixtures/openai-sdk-client.mjs', import.meta.url));

/** Upstreams the official clients are tried against: the embedded simulator, and a real `ws` upstream. */
const upstreams = {
  simulator: async () => ({}),
  'UPSTREAM_URL (scripted)': async () => ({
    UPSTREAM_URL: (await startFakeUpstream((socket) => answerWithText(socket))).url,
  }),
};

function runSdkClient(
  baseURL: string,
  caPath: string,
): Promise<{ ok: boolean; text: string; types: string[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [sdkClient],
      {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        env: {
          ...process.env,
          NODE_EXTRA_CA_CERTS: caPath,
          RELAY_BASE_URL: baseURL,
          RELAY_TOKEN: TOKEN,
        },
        timeout: 20_000,
      },
      (error, stdout, stderr) => {
        const line = stdout.trim().split('\n').at(-1) ?? '';
        try {
          resolve(JSON.parse(line));
        } catch {
          reject(new Error(`sdk client failed: ${error?.message ?? ''} ${stdout} ${stderr}`));
        }
      },
    );
  });
}

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
      const result = await runSdkClient(`${relay.url}/v1`, certPath);
      expect(result).toMatchObject({ ok: true });
      expect(result.text.length).toBeGreaterThan(0);
      expect(result.types).toContain('session.created');
      expect(result.types).not.toContain('error');
    });

    it("@openai/agents-realtime's WebSocket transport holds a text conversation", async () => {
      const relay = await startRelay({ ...(await upstreamEnv()), RELAY_TOKENS: TOKEN });
      const transport = new OpenAIRealtimeWebSocket({ url: `${relay.wsUrl}?model=gpt-realtime` });
      const errors: unknown[] = [];
      const types: string[] = [];
      let text = '';
      transport.on('error', (error) => errors.push(error));
      transport.on('*', (event: { type: string }) => types.push(event.type));
      transport.on('output_text_delta', (event: { delta: string }) => {
        text += event.delta;
      });
      transport.on('audio_transcript_delta', (event: { delta: string }) => {
        text += event.delta;
      });
      const turnDone = new Promise((resolve, reject) => {
        transport.on('turn_done', resolve);
        transport.on('error', (error) =>
          reject(new Error(`transport error: ${JSON.stringify(error)}`)),
        );
      });
      await transport.connect({
        apiKey: TOKEN,
        model: 'gpt-realtime',
        initialSessionConfig: { outputModalities: ['text'] },
      });
      transport.sendMessage('Say hello.', {});
      await turnDone;
      transport.close();
      expect(text.length).toBeGreaterThan(0);
      expect(types).not.toContain('error');
      expect(errors).toEqual([]);
    });
  },
);
