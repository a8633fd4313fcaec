// Clients of the earlier beta Realtime protocol hold text and audio conversations through the
// relay, which translates their sessions to GA and back: openai-realtime-api@1.0.8 (in this
// process), the `openai` SDK 4.x's `beta.realtime` and Python `openai`'s
// `client.beta.realtime` (each in a process of its own), on the embedded simulator and on a
// fake GA upstream that checks every frame it gets against the GA spec.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CallTransport, CallTransportHandlers, WebRtcStack } from '@rtwire/node';
import { RealtimeClient } from 'openai-realtime-api';
import { afterEach, describe, expect, it } from 'vitest';
import { specErrors } from '../../../test-support/spec-validator.ts';
import { answerLikeGa } from './ga-conversation-upstream.ts';
import {
  connectClient,
  eventually,
  type FakeUpstream,
  startFakeUpstream,
  startRelay,
  stopAll,
  upgradeStatus,
} from './helpers.ts';
import { PYTHON_OPENAI, pythonWithOpenai } from './python-venv.ts';
import { selfSignedCertificate } from './tls-cert.ts';

afterEach(stopAll);

const TOKEN = 'relay-test-token';
type Mode = 'text' | 'audio';

/** What a beta client saw in one turn. */
interface BetaTurn {
  readonly ok: boolean;
  readonly message?: string;
  readonly types: string[];
  readonly errors: unknown[];
  readonly text: string;
  readonly transcript: string;
  readonly audioBytes: number;
  /** The finished response's `modalities` (beta's name). */
  readonly modalities: unknown;
  /** The assistant item's content part types. */
  readonly contentTypes: string[];
}

// Made once per run (or found from an earlier one): the tests that need it wait for it here.
const python = await pythonWithOpenai();
if ('reason' in python && process.env.CI !== 'true') {
  console.warn(
    `skipped: Python openai ${PYTHON_OPENAI}'s client.beta.realtime through the relay (${python.reason})`,
  );
}

/** Runs a client in a process of its own and reads the JSON line it ends with. */
function runProcess(command: string, args: string[], env: Record<string, string>) {
  return new Promise<BetaTurn>((resolve, reject) => {
    execFile(
      command,
      args,
      { env: { ...process.env, ...env }, timeout: 60_000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        try {
          resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? ''));
        } catch {
          reject(new Error(`client failed: ${error?.message ?? ''} ${stdout} ${stderr}`));
        }
      },
    );
  });
}

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Resolves with `promise`, or rejects after a generous hang guard. */
function within<T>(promise: Promise<T>, what: string, ms = 30_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${what} in time`)), ms);
    }),
  ]);
}

/** openai-realtime-api@1.0.8's RealtimeClient (on Node: `ws`, with `OpenAI-Beta: realtime=v1`). */
async function runRealtimeApi(url: string, mode: Mode): Promise<BetaTurn> {
  // Its defaults are the beta session: text and audio, pcm16 both ways, whisper-1, no VAD.
  const client = new RealtimeClient({
    url,
    apiKey: TOKEN,
    model: 'gpt-realtime',
    ...(mode === 'text' ? { sessionConfig: { modalities: ['text'] } } : {}),
  });
  const types: string[] = [];
  const errors: unknown[] = [];
  client.realtime.on('server.*', (event: { type: string; error?: { code?: unknown } }) => {
    types.push(event.type);
    if (event.type === 'error') errors.push(event.error?.code);
  });
  const created = client.realtime.waitForNext('server.session.created');
  const done = client.realtime.waitForNext('server.response.done') as unknown as Promise<{
    response: { modalities?: unknown };
  }>;
  await client.connect();
  await within(created, 'session.created');
  if (mode === 'text') {
    client.sendUserMessageContent([{ type: 'input_text', text: 'Say hello.' }]);
  } else {
    client.appendInputAudio(new Int16Array(7200)); // 300 ms of 24 kHz silence
    client.createResponse(); // no VAD: it commits the audio, then asks for a response
  }
  const { response } = await within(done, 'response.done');
  const assistant = client.conversation.getItems().find((item) => item.role === 'assistant');
  client.disconnect();
  return {
    ok: assistant !== undefined,
    types,
    errors,
    text: assistant?.formatted.text ?? '',
    transcript: assistant?.formatted.transcript ?? '',
    audioBytes: (assistant?.formatted.audio?.length ?? 0) * 2,
    modalities: response.modalities,
    contentTypes: (assistant?.content ?? []).map((part) => String(part.type)),
  };
}

/** What every beta client must have seen of a turn in `mode`, under beta names only. */
function expectBetaTurn(turn: BetaTurn, mode: Mode) {
  expect(turn.ok, turn.message).toBe(true);
  expect(turn.errors).toEqual([]);
  expect(turn.types).toContain('session.created');
  expect(turn.types).toContain('conversation.item.created');
  expect(turn.types).toContain('response.done');
  const gaNames = turn.types.filter((type) =>
    /^response\.output_(text|audio)|^conversation\.item\.(added|done)$/.test(type),
  );
  expect(gaNames).toEqual([]);
  if (mode === 'text') {
    expect(turn.types).toContain('response.text.delta');
    expect(turn.text.length).toBeGreaterThan(0);
    expect(turn.modalities).toEqual(['text']);
    expect(turn.contentTypes).toEqual(['text']);
  } else {
    expect(turn.types).toContain('response.audio.delta');
    expect(turn.types).toContain('response.audio_transcript.delta');
    expect(turn.audioBytes).toBeGreaterThan(0);
    expect(turn.transcript.length).toBeGreaterThan(0);
    expect(turn.modalities).toEqual(['text', 'audio']);
    expect(turn.contentTypes).toEqual(['audio']);
  }
}

/** The upstreams: the embedded simulator, and a GA fake that records what it is sent. */
const upstreams: Record<
  string,
  () => Promise<{ env: Record<string, string>; fake?: FakeUpstream }>
> = {
  simulator: async () => ({ env: {} }),
  'a fake GA upstream (UPSTREAM_URL)': async () => {
    const fake = await startFakeUpstream((socket) => answerLikeGa(socket));
    return { env: { UPSTREAM_URL: fake.url }, fake };
  },
};

/** Everything the relay sent a fake GA upstream was GA: spec-valid, no beta header. */
function expectGaUpstream(fake: FakeUpstream | undefined) {
  if (fake === undefined) return;
  expect(fake.received.flat().length).toBeGreaterThan(0);
  for (const frame of fake.received.flat()) {
    const event = JSON.parse(frame) as { type: string };
    expect(specErrors(event), event.type).toBeUndefined();
  }
  for (const handshake of fake.handshakes) expect(handshake.headers['openai-beta']).toBeUndefined();
}

describe.each(Object.entries(upstreams))('beta clients through the relay on %s', (_, upstream) => {
  describe.each(['text', 'audio'] as const)('a %s conversation', (mode) => {
    it('openai-realtime-api@1.0.8', async () => {
      const { env, fake } = await upstream();
      const relay = await startRelay({ ...env, RELAY_TOKENS: TOKEN });
      expectBetaTurn(await runRealtimeApi(`${relay.wsUrl}`, mode), mode);
      expectGaUpstream(fake);
    });

    it("the openai SDK 4.x's beta.realtime (Node)", async () => {
      const { env, fake } = await upstream();
      const { certPath, keyPath } = selfSignedCertificate();
      const relay = await startRelay({
        ...env,
        RELAY_TOKENS: TOKEN,
        TLS_CERT: certPath,
        TLS_KEY: keyPath,
      });
      const turn = await runProcess(process.execPath, [fixture('openai-v4-beta-client.mjs')], {
        NODE_EXTRA_CA_CERTS: certPath,
        RELAY_BASE_URL: `${relay.url}/v1`,
        RELAY_TOKEN: TOKEN,
        BETA_MODE: mode,
      });
      expectBetaTurn(turn, mode);
      expectGaUpstream(fake);
    });

    it(`Python openai ${PYTHON_OPENAI}'s client.beta.realtime`, async (context) => {
      if ('reason' in python) {
        // In CI a missing Python is a failure; locally the skip was said above.
        if (process.env.CI === 'true')
          throw new Error(`no Python for the beta client: ${python.reason}`);
        context.skip();
        return;
      }
      const { env, fake } = await upstream();
      const relay = await startRelay({ ...env, RELAY_TOKENS: TOKEN });
      const turn = await runProcess(python.python, [fixture('openai_beta_client.py')], {
        RELAY_WS_BASE: `${relay.wsUrl.replace(/\/realtime$/, '')}`,
        RELAY_TOKEN: TOKEN,
        BETA_MODE: mode,
      });
      expectBetaTurn(turn, mode);
      expectGaUpstream(fake);
    });
  });
});

describe('a beta client that announces itself only by its subprotocol', () => {
  it('is selected the subprotocol it offered and translated from its first frame', async () => {
    const fake = await startFakeUpstream((socket) => answerLikeGa(socket));
    const relay = await startRelay({ UPSTREAM_URL: fake.url });
    const client = await connectClient(`${relay.wsUrl}?model=gpt-realtime`, {
      protocols: ['openai-beta.realtime-v1'],
    });
    expect(client.ws.protocol).toBe('openai-beta.realtime-v1');
    await client.waitFor((event) => event.type === 'session.created');
    client.send({ type: 'response.create', response: { modalities: ['text'], voice: 'ash' } });
    await client.waitFor((event) => event.type === 'response.done', 20_000);
    expect(client.events.map((event) => event.type)).toContain('response.text.delta');
    const create = fake.received[0]
      ?.map((frame) => JSON.parse(frame))
      .find((event) => event.type === 'response.create');
    expect(create).toEqual({
      type: 'response.create',
      response: { output_modalities: ['text'], audio: { output: { voice: 'ash' } } },
    });
  });
});

describe('BETA_PROTOCOL=refuse', () => {
  it('selects realtime at the handshake, never the beta subprotocol', async () => {
    const relay = await startRelay({ BETA_PROTOCOL: 'refuse' });
    const url = `${relay.wsUrl}?model=gpt-realtime`;
    // A browser beta client (openai-realtime-api) offers both: it gets a GA session.
    expect(
      await upgradeStatus(url, { protocols: ['realtime', 'openai-beta.realtime-v1'] }),
    ).toEqual({ status: 101, protocol: 'realtime' });
    // Offered alone, it is not half accepted: the answer asks for `realtime`.
    expect(await upgradeStatus(url, { protocols: ['openai-beta.realtime-v1'] })).toEqual({
      status: 400,
    });
  });

  it('answers a beta session.update with an error naming the beta field, and stays GA', async () => {
    const relay = await startRelay({ BETA_PROTOCOL: 'refuse' });
    const client = await connectClient(`${relay.wsUrl}?model=gpt-realtime`, {
      headers: { 'OpenAI-Beta': 'realtime=v1' },
    });
    await client.waitFor((event) => event.type === 'session.created');
    client.send({
      type: 'session.update',
      session: { modalities: ['text'], voice: 'sk-not-echoed' },
    });
    const error = await client.waitFor((event) => event.type === 'error');
    expect(error.error).toMatchObject({
      code: 'beta_protocol_not_supported',
      param: 'session.modalities',
    });
    expect((error.error as { message: string }).message).toMatch(/GA Realtime protocol/);
    expect(JSON.stringify(error)).not.toContain('sk-not-echoed');
    // The session speaks GA: its events keep their GA names.
    client.send({
      type: 'session.update',
      session: { type: 'realtime', output_modalities: ['text'] },
    });
    client.send({ type: 'response.create' });
    await client.waitFor((event) => event.type === 'response.done', 20_000);
    expect(client.events.map((event) => event.type)).toContain('response.output_text.delta');
  });
});

/** A WebRTC stack whose one call is driven by the test: its channel's events, its track's frames. */
class RecordingStack implements WebRtcStack {
  readonly events: { type: string }[] = [];
  audioFrames = 0;
  handlers: CallTransportHandlers | undefined;
  async answer(_offer: string): Promise<{ sdp: string; transport: CallTransport }> {
    const transport: CallTransport = {
      sendEvent: (text) => this.events.push(JSON.parse(text)),
      eventBufferedAmount: 0,
      sendAudio: () => {
        this.audioFrames++;
      },
      close: () => {},
      listen: (handlers) => {
        this.handlers = handlers;
      },
    };
    return { sdp: 'v=0\r\n', transport };
  }
  async close() {}
}

describe('a WebRTC call whose offer says OpenAI-Beta: realtime=v1', () => {
  it('stays GA: the reply audio is played on the track, the channel has GA names', async () => {
    const stack = new RecordingStack();
    const relay = await startRelay({}, undefined, stack);
    const created = await fetch(`${relay.url}/v1/realtime/calls?model=gpt-realtime`, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp', 'openai-beta': 'realtime=v1' },
      body: 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n',
    });
    expect(created.status).toBe(201);
    stack.handlers?.open();
    stack.handlers?.event(
      JSON.stringify({
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi.' }] },
      }),
    );
    stack.handlers?.event(JSON.stringify({ type: 'response.create' }));
    const types = () => stack.events.map((event) => event.type);
    await eventually(() => types().includes('response.done'), 30_000);
    expect(types()).toContain('conversation.item.added');
    expect(types()).toContain('response.output_audio_transcript.delta');
    expect(types().filter((type) => /^response\.(audio|text)\./.test(type))).toEqual([]);
    // The playout paces the reply's audio in real time: its end comes after response.done.
    await eventually(() => types().includes('output_audio_buffer.stopped'), 30_000);
    expect(stack.audioFrames).toBeGreaterThan(0);
  });
});
