import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { OpenAIRealtimeWebSocket } from '@openai/agents-realtime';
import { afterEach, describe, expect, it } from 'vitest';
import {
  backwardsModel,
  serveRealtime,
} from '../../../packages/server/examples/custom-model-server.ts';
import { holdAgentsTurn } from '../../../test-support/agents-conversation.ts';
import { runSdkClient } from './sdk-client.ts';
import { selfSignedCertificate } from './tls-cert.ts';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  serveRealtime(server, backwardsModel);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('the @rtwire/server README example: a custom model served over ws', () => {
  it("holds a text and an audio conversation with openai's OpenAIRealtimeWS", async () => {
    const { certPath, keyPath } = selfSignedCertificate();
    const port = await listen(
      createHttpsServer({ cert: readFileSync(certPath), key: readFileSync(keyPath) }),
    );
    const baseURL = `https://127.0.0.1:${port}/v1`;
    const text = await runSdkClient(baseURL, certPath, 'any-key', 'text');
    expect(text).toMatchObject({ ok: true, text: 'hello. Say' });
    expect(text.types).not.toContain('error');
    const audio = await runSdkClient(baseURL, certPath, 'any-key', 'audio');
    expect(audio.ok).toBe(true);
    // The model reverses what it heard: "300 milliseconds of speech", a tone per word.
    expect(audio.text).toBe('speech of milliseconds 300');
    expect(audio.audioBytes).toBe(4 * 4800);
    expect(audio.types).toContain('conversation.item.input_audio_transcription.completed');
    expect(audio.types).not.toContain('error');
  });

  it("holds a text and an audio conversation with @openai/agents-realtime's WebSocket transport", async () => {
    const port = await listen(createHttpServer());
    const url = `ws://127.0.0.1:${port}/v1/realtime?model=gpt-realtime`;
    const turn = await holdAgentsTurn(
      new OpenAIRealtimeWebSocket({ url }),
      'any-key',
      'one two three',
    );
    expect(turn.text).toBe('three two one');
    expect(turn.errors).toEqual([]);

    const transport = new OpenAIRealtimeWebSocket({ url });
    let audioBytes = 0;
    let transcript = '';
    const errors: unknown[] = [];
    transport.on('audio', (event: { data: ArrayBuffer }) => {
      audioBytes += event.data.byteLength;
    });
    transport.on('audio_transcript_delta', (event: { delta: string }) => {
      transcript += event.delta;
    });
    transport.on('error', (error: unknown) => errors.push(error));
    const done = new Promise<void>((resolve) => transport.on('turn_done', () => resolve()));
    await transport.connect({
      apiKey: 'any-key',
      model: 'gpt-realtime',
      initialSessionConfig: {
        outputModalities: ['audio'],
        audio: { input: { turnDetection: null, transcription: { model: 'whisper-1' } } },
      } as never,
    });
    transport.sendAudio(new Uint8Array(48 * 200).buffer, { commit: true });
    transport.sendEvent({ type: 'response.create' });
    await done;
    transport.close();
    expect(transcript).toBe('speech of milliseconds 200');
    expect(audioBytes).toBe(4 * 4800);
    expect(errors).toEqual([]);
  });
});
