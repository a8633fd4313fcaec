// The acceptance runs of the suite: every check passes against the relay on its simulator,
// against @rtwire/server's example server, and against the cascade on the fake model backend
// with all three stages on. Durations are printed, never asserted.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadRelayFromEnv } from '@rtwire/node';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ChatReply,
  type FakeBackend,
  startFakeBackend,
  toolAwareChat,
} from '../../../test-support/fake-openai-backend.ts';
import { backwardsModel, serveRealtime } from '../../server/examples/custom-model-server.ts';
import { type ConformanceReport, runConformance } from '../src/conformance/index.ts';
import { type RelayServer, startRelayServer } from '../src/relay/index.ts';

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function relayOn(env: Record<string, string>): Promise<string> {
  const relay = await loadRelayFromEnv(
    { PORT: '0', SHUTDOWN_TIMEOUT_MS: '1000', LOG_LEVEL: 'error', CALLS: 'off', ...env },
    { write: () => {} },
  );
  if (!relay.ok) throw new Error(`bad config: ${JSON.stringify(relay.errors)}`);
  const server: RelayServer = await startRelayServer(relay);
  stops.push(() => server.shutdown());
  return `${server.url.replace(/^http/, 'ws')}/v1/realtime`;
}

/** What failed, as lines a test failure shows whole. */
function failures(report: ConformanceReport): string[] {
  return report.results
    .filter((result) => result.status !== 'passed')
    .map(
      (result) =>
        `${result.id} ${result.status}: ${result.reason ?? `expected ${result.expected}; received ${result.received}`}`,
    );
}

function printSummary(name: string, report: ConformanceReport): void {
  process.stdout.write(
    `conformance against ${name}: ${report.passed}/${report.results.length} passed in ${(report.durationMs / 1000).toFixed(1)} s\n`,
  );
}

describe('every check passes', () => {
  it('against the relay on its simulator (real-time pace)', async () => {
    const url = await relayOn({});
    const report = await runConformance({ url, model: 'gpt-realtime' });
    printSummary('the relay on its simulator', report);
    expect(failures(report)).toEqual([]);
    expect(report.passed).toBe(report.results.length);
    expect(report.latency['session.created']?.count).toBeGreaterThan(40);
  }, 240_000);

  it("against @rtwire/server's example server", async () => {
    const server: Server = createServer();
    const wss = serveRealtime(server, backwardsModel);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stops.push(
      () =>
        new Promise((resolve) => {
          for (const client of wss.clients) client.terminate();
          server.close(() => resolve());
        }),
    );
    const { port } = server.address() as AddressInfo;
    const report = await runConformance({ url: `ws://127.0.0.1:${port}/v1/realtime` });
    printSummary('the example server', report);
    expect(failures(report)).toEqual([]);
    expect(report.passed).toBe(report.results.length);
  }, 240_000);

  it('against the cascade on the fake model backend, its speech stage on', async () => {
    const backend: FakeBackend = await startFakeBackend({ chat: limitedChat });
    stops.push(() => backend.close());
    const url = await relayOn({
      MODEL_BASE_URL: backend.baseURL,
      CHAT_MODEL: 'chat',
      TRANSCRIPTION_MODEL: 'transcription',
      SPEECH_MODEL: 'speech',
    });
    const report = await runConformance({ url });
    printSummary('the cascade', report);
    expect(failures(report)).toEqual([]);
    expect(report.passed).toBe(report.results.length);
    // The audio checks ran on the speech stage, not around it.
    expect(backend.requestsTo('audio/speech').length).toBeGreaterThan(3);
    expect(backend.requestsTo('audio/transcriptions').length).toBeGreaterThan(0);
  }, 240_000);
});

/** The tool-aware chat script, cut at `max_tokens` as a model server cuts a reply. */
function limitedChat(body: Record<string, unknown>): ChatReply {
  // A model server streams its tokens over time, so a cancel or a barge-in can meet them.
  const reply = withDelay(toolAwareChat(body));
  const limit = body.max_tokens;
  if (reply.kind !== 'stream' || typeof limit !== 'number') return reply;
  const tokens = reply.tokens ?? [];
  if (tokens.length <= limit) return reply;
  return { ...reply, tokens: tokens.slice(0, limit), finishReason: 'length' };
}

function withDelay(reply: ChatReply): ChatReply {
  return reply.kind === 'stream' ? { ...reply, delayMs: 15 } : reply;
}
