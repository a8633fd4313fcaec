import { execFile } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createSimulatorConnector } from '@rtwire/relay/engine';
import { decodeTranslationServerEvent, type RealtimeTranslationServerEvent } from '@rtwire/types';
import type { RealtimeTranslationServerEvent as SdkTranslationServerEvent } from 'openai/resources/realtime/realtime';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { translationSpecErrors } from '../../../test-support/spec-validator.ts';
import { TYPED_TRANSLATION_EVENTS } from './fixtures/translation-typed-events.mjs';
import { cascadeEnv, fakeBackendPerTest, startRelay } from './helpers.ts';
import { selfSignedCertificate } from './tls-cert.ts';

const TOKEN = 'relay-test-token';
const client = fileURLToPath(new URL('./fixtures/openai-translation-client.mjs', import.meta.url));

/** What openai-node's `OpenAIRealtimeTranslationWS` saw of one session (see the fixture). */
interface TranslationRun {
  readonly ok: boolean;
  readonly message?: string;
  readonly events: { type: string; [key: string]: unknown }[];
  readonly typed: string[];
  readonly input: string;
  readonly output: string;
  readonly audioBytes: number;
}

/** Holds one translation session with the SDK against the relay at `baseURL` (https). */
function runTranslationClient(baseURL: string, caPath: string, language: string) {
  return new Promise<TranslationRun>((resolve, reject) => {
    execFile(
      process.execPath,
      [client],
      {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        env: {
          ...process.env,
          NODE_EXTRA_CA_CERTS: caPath,
          RELAY_BASE_URL: baseURL,
          RELAY_TOKEN: TOKEN,
          TRANSLATE_TO: language,
        },
        timeout: 45_000,
      },
      (error, stdout, stderr) => {
        const line = stdout.trim().split('\n').at(-1) ?? '';
        try {
          resolve(JSON.parse(line));
        } catch {
          reject(
            new Error(`translation client failed: ${error?.message ?? ''} ${stdout} ${stderr}`),
          );
        }
      },
    );
  });
}

/**
 * A network upstream that speaks the translation protocol: a `ws` server on 127.0.0.1 whose
 * sessions are the engine's, on the simulator. Records each handshake's URL.
 */
async function startTranslationUpstream() {
  const connect = createSimulatorConnector({ pace: 'fast', frames: 'string' });
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const handshakes: IncomingMessage[] = [];
  server.on('connection', async (ws, request) => {
    handshakes.push(request);
    const url = new URL(request.url ?? '/', 'http://upstream.invalid');
    const engine = await connect({
      model: url.searchParams.get('model') ?? undefined,
      kind: url.pathname === '/v1/realtime/translations' ? 'translation' : 'realtime',
      signal: new AbortController().signal,
    });
    engine.listen({
      message: (data) => ws.send(data, { binary: false }),
      close: (code) => ws.close(code === 1005 ? 1000 : code),
      drain: () => {},
    });
    ws.on('message', (data) => engine.send(data.toString(), false));
    ws.on('close', () => engine.close(1000, ''));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/v1/realtime`,
    handshakes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of server.clients) socket.terminate();
        server.close(() => resolve());
      }),
  };
}

/**
 * Checked when the tests are type-checked: every translation event rtwire types (and so the
 * engine's builders write) is one openai-node's types accept.
 */
export const sdkAccepts = (event: RealtimeTranslationServerEvent): SdkTranslationServerEvent =>
  event;

/** What every run must show, whatever serves the session. */
function expectTranslation(run: TranslationRun) {
  expect(run, run.message).toMatchObject({ ok: true });
  for (const event of run.events) {
    expect(translationSpecErrors(event), event.type).toBeUndefined();
    expect(decodeTranslationServerEvent(event), event.type).toMatchObject({
      ok: true,
      known: true,
    });
  }
  // The SDK dispatches an event to its typed listener only once it checked the event's fields.
  for (const type of TYPED_TRANSLATION_EVENTS) expect(run.typed, type).toContain(type);
  expect(run.events.map((event) => event.type)).not.toContain('error');
  expect(run.input.trim().length).toBeGreaterThan(0);
  expect(run.output.trim().length).toBeGreaterThan(0);
  expect(run.audioBytes).toBeGreaterThan(0);
  const deltas = run.events.filter((event) => event.type === 'session.output_audio.delta');
  expect(deltas.every((event) => typeof event.elapsed_ms === 'number')).toBe(true);
}

const backend = fakeBackendPerTest();

describe("translation sessions through the relay, held by openai-node's OpenAIRealtimeTranslationWS", () => {
  it('on the embedded simulator: every event validates and the SDK types each one', async () => {
    const { certPath, keyPath } = selfSignedCertificate();
    const relay = await startRelay({ RELAY_TOKENS: TOKEN, TLS_CERT: certPath, TLS_KEY: keyPath });
    const spanish = await runTranslationClient(`${relay.url}/v1`, certPath, 'es');
    expectTranslation(spanish);
    const created = spanish.events.find((event) => event.type === 'session.created');
    expect(created).toMatchObject({
      session: { type: 'translation', model: 'gpt-realtime-translate' },
    });
    const updated = spanish.events.find((event) => event.type === 'session.updated');
    expect(updated).toMatchObject({ session: { audio: { output: { language: 'es' } } } });
    // The simulator's words depend on the language asked for.
    const french = await runTranslationClient(`${relay.url}/v1`, certPath, 'fr');
    expectTranslation(french);
    expect(french.output).not.toBe(spanish.output);
  });

  it('on a network upstream: the relay asks for /v1/realtime/translations and relays both ways', async () => {
    const upstream = await startTranslationUpstream();
    try {
      const { certPath, keyPath } = selfSignedCertificate();
      const relay = await startRelay({
        RELAY_TOKENS: TOKEN,
        TLS_CERT: certPath,
        TLS_KEY: keyPath,
        UPSTREAM_URL: upstream.url,
        OPENAI_API_KEY: 'sk-upstream-key',
      });
      expectTranslation(await runTranslationClient(`${relay.url}/v1`, certPath, 'es'));
      expect(upstream.handshakes).toHaveLength(1);
      const handshake = upstream.handshakes[0] as IncomingMessage;
      expect(new URL(handshake.url ?? '', 'http://x').pathname).toBe('/v1/realtime/translations');
      expect(new URL(handshake.url ?? '', 'http://x').searchParams.get('model')).toBe(
        'gpt-realtime-translate',
      );
      expect(handshake.headers.authorization).toBe('Bearer sk-upstream-key');
    } finally {
      await upstream.close();
    }
  });

  it('on the cascade (a fake OpenAI-compatible server): transcription, chat and speech each called', async () => {
    const { certPath, keyPath } = selfSignedCertificate();
    const relay = await startRelay({
      RELAY_TOKENS: TOKEN,
      TLS_CERT: certPath,
      TLS_KEY: keyPath,
      ...cascadeEnv(backend()),
    });
    expectTranslation(await runTranslationClient(`${relay.url}/v1`, certPath, 'es'));
    expect(backend().requestsTo('audio/transcriptions').length).toBeGreaterThan(0);
    expect(backend().requestsTo('audio/speech').length).toBeGreaterThan(0);
    const [chat] = backend().requestsTo('chat/completions');
    // The chat stage is asked to translate into the session's language.
    expect(JSON.stringify(chat?.json)).toMatch(/\bes\b|Spanish/);
  });
});
