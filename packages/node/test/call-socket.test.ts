import {
  parseRelayConfig,
  type RelayFeatureFactory,
  type RelaySession,
  startRelaySession,
} from '@rtwire/relay';
import { createSimulatorConnector } from '@rtwire/relay/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { CallSocket } from '../src/calls/call-socket.ts';
import { type Event, SidebandSocket, TestTransport, until } from './call-doubles.ts';

const parsed = parseRelayConfig({});
if (!parsed.ok) throw new Error('config');
const limits = parsed.config;

const sessions: RelaySession[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.close(1000, 'test over');
});

/** A call on the simulator: the relay session's client is the call socket. */
function startCall(options: { pace?: 'fast' | 'realtime'; now?: () => number } = {}) {
  const transport = new TestTransport();
  const socket = new CallSocket(transport, options.now ? { now: options.now } : {});
  const upstreamTypes: string[] = [];
  const clientTypes: string[] = [];
  const watch: RelayFeatureFactory = () => ({
    name: 'watch',
    clientTypes: '*',
    onClientEvent(event) {
      clientTypes.push(event.type);
      return undefined;
    },
  });
  const session = startRelaySession({
    client: socket,
    connectUpstream: createSimulatorConnector({ pace: options.pace ?? 'fast' }),
    model: undefined,
    limits,
    features: [watch],
  });
  sessions.push(session);
  return { transport, socket, session, clientTypes, upstreamTypes };
}

const send = (transport: TestTransport, event: object) =>
  transport.handlers?.event(JSON.stringify(event));

/** Asks the simulator for a spoken reply to a typed line. */
function askForSpeech(transport: TestTransport, text: string) {
  send(transport, {
    type: 'conversation.item.create',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
  });
  send(transport, { type: 'response.create' });
}

describe('CallSocket: a WebRTC call as the client of a relay session', () => {
  it('paces calls that play at once on one timer, and a call whose track throws ends alone', async () => {
    const healthy = startCall();
    const broken = startCall();
    broken.transport.sendAudio = () => {
      throw new Error('the track broke');
    };
    for (const call of [healthy, broken]) {
      call.transport.handlers?.open();
      askForSpeech(call.transport, 'two calls speaking at the same time');
    }
    await until(() => broken.transport.closed, 'the broken call to end');
    await until(
      () => healthy.transport.types().includes('output_audio_buffer.stopped'),
      'the healthy call to play out',
    );
    expect(healthy.transport.closed).toBe(false);
    expect(healthy.transport.frames.length).toBeGreaterThan(10);
  });

  it('holds the session events until the data channel opens, then sends them in order', async () => {
    const { transport } = startCall();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(transport.events).toEqual([]);
    transport.handlers?.open();
    await until(() => transport.events.length > 0, 'session.created');
    expect(transport.types()[0]).toBe('session.created');
  });

  it('plays a reply on the track, never as deltas on the channel, between started and stopped', async () => {
    const { transport } = startCall();
    transport.handlers?.open();
    askForSpeech(transport, 'say something long enough to hear');
    await until(() => transport.types().includes('output_audio_buffer.stopped'), 'stopped');
    const types = transport.types();
    expect(types).not.toContain('response.output_audio.delta');
    const started = types.indexOf('output_audio_buffer.started');
    const stopped = types.indexOf('output_audio_buffer.stopped');
    expect(started).toBeGreaterThan(-1);
    // Every frame went out after started was sent and before stopped was.
    expect(transport.frames.length).toBeGreaterThan(0);
    for (const frame of transport.frames) {
      expect(frame.afterEvents).toBeGreaterThan(started);
      expect(frame.afterEvents).toBeLessThanOrEqual(stopped);
    }
    // The reply's audio, as the done item reports it, went out whole in 20 ms frames.
    const done = transport.events.find((event) => event.type === 'response.done') as Event;
    expect(done).toBeDefined();
    const responseId = (done.response as { id: string }).id;
    expect(transport.events[started]).toMatchObject({ response_id: responseId });
    expect(transport.events[stopped]).toMatchObject({ response_id: responseId });
    for (const frame of transport.frames) expect(frame.pcm.length).toBe(960);
  });

  it('paces the track by its clock: frame n leaves at n × 20 ms, never before, never held back', async () => {
    // The pacer reads a clock the test holds, and the real shared timer wakes it. Each frame is
    // stamped with the clock it left by, so the checks are exact whatever the machine's load:
    // a busy machine only wakes the timer later, and the test waits for it.
    const start = 1_000;
    let clock = start;
    const { transport } = startCall({ now: () => clock });
    const stamps: number[] = [];
    const sendAudio = transport.sendAudio.bind(transport);
    transport.sendAudio = (pcm) => {
      stamps.push(clock);
      sendAudio(pcm);
    };
    const stopped = () => transport.types().includes('output_audio_buffer.stopped');
    transport.handlers?.open();
    askForSpeech(transport, 'a reply of a second or more, so the pace can be seen');
    // The whole reply is queued once response.done has passed; the clock has not moved.
    await until(() => transport.types().includes('response.done'), 'response.done');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stamps).toEqual([start]);
    // Steps shorter than, equal to and longer than a frame: once the timer has seen the time,
    // every frame due by it has left, and (checked at the end) none before its slot.
    const steps = [7, 13, 20, 1, 19, 40, 3, 17, 60];
    for (const step of steps.concat(steps)) {
      clock += step;
      const due = Math.floor((clock - start) / 20) + 1;
      await until(() => stamps.length === due, `${due} frames at ${clock - start} ms`);
    }
    // A stall (the timer silent for 250 ms) sends five frames at once and restarts the clock
    // there, rather than bursting the backlog; then the track plays one frame per slot again.
    const before = stamps.length;
    clock += 250;
    const stall = clock;
    await until(() => stamps.length === before + 5, 'five frames after the stall');
    for (let slot = 1; !stopped(); slot++) {
      clock = stall + slot * 20;
      const due = before + Math.max(5, slot + 1);
      await until(() => stopped() || stamps.length === due, `${due} frames after the stall`);
    }
    expect(stamps.length).toBeGreaterThanOrEqual(50);
    // The queue ran dry in the last frame's slot: the next reply waits for the slot after it,
    // since sent at once it would put the track ahead of real time.
    const played = stamps.length;
    askForSpeech(transport, 'and a second reply right after the first');
    await until(() => transport.types().filter((t) => t === 'response.done').length === 2, 'done');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stamps.length).toBe(played);
    clock += 20;
    await until(() => stamps.length === played + 1, "the second reply's first frame");
    stamps.forEach((at, index) => {
      expect(at - start).toBeGreaterThanOrEqual(index * 20);
    });
  });

  it('output_audio_buffer.clear stops the track at once and truncates the item at what was sent', async () => {
    const { transport, socket } = startCall();
    transport.handlers?.open();
    askForSpeech(transport, 'talk for a while so that the caller can cut in');
    await until(() => transport.frames.length >= 5, 'five frames');
    send(transport, { type: 'output_audio_buffer.clear' });
    const framesAtCut = transport.frames.length;
    const started = transport.events.find((e) => e.type === 'output_audio_buffer.started') as Event;
    await until(() => transport.types().includes('conversation.item.truncated'), 'truncated');
    const truncated = transport.events.find(
      (e) => e.type === 'conversation.item.truncated',
    ) as Event;
    expect(transport.types()).toContain('output_audio_buffer.cleared');
    expect(transport.types()).not.toContain('output_audio_buffer.stopped');
    expect(transport.events.find((e) => e.type === 'output_audio_buffer.cleared')).toMatchObject({
      response_id: started.response_id,
    });
    // No frame after the cut, and the truncation is exactly the audio the track carried.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(transport.frames.length).toBe(framesAtCut);
    expect(truncated.audio_end_ms).toBe(socket.sentMs(truncated.item_id as string));
    expect(truncated.audio_end_ms).toBe(framesAtCut * 20);
  });

  it('turns track audio into input_audio_buffer.append events of 40 ms', async () => {
    const { transport, clientTypes } = startCall();
    transport.handlers?.open();
    // 200 ms of audio in odd-sized pieces.
    const audio = new Uint8Array(200 * 48).fill(1);
    for (let offset = 0; offset < audio.length; offset += 700) {
      transport.handlers?.audio(audio.subarray(offset, offset + 700));
    }
    await until(() => clientTypes.length >= 5, 'five appends');
    expect(clientTypes).toEqual(Array(5).fill('input_audio_buffer.append'));
  });

  it('a sideband sees the call events, speaks for the client, and is closed when the call ends', async () => {
    const { transport, socket, session } = startCall();
    transport.handlers?.open();
    const sideband = new SidebandSocket();
    socket.attachSideband(sideband);
    sideband.handlers?.message(
      JSON.stringify({
        type: 'conversation.item.create',
        item: {
          type: 'message',
          role: 'user',
          content: [{ type: 'input_text', text: 'from the server' }],
        },
      }),
      false,
    );
    await until(
      () => transport.types().includes('conversation.item.added'),
      'the item on the channel',
    );
    expect(sideband.events.map((event) => event.type)).toContain('conversation.item.added');
    transport.handlers?.gone('peer left');
    expect(await session.done).toBe(1001);
    expect(sideband.closedWith).toEqual({ code: 1000, reason: 'call ended: peer left' });
    expect(transport.closed).toBe(true);
  });
});

describe('CallSocket: a translation call', () => {
  /** A translation call on the simulator, as the call server starts one. */
  function startTranslationCall() {
    const transport = new TestTransport();
    const socket = new CallSocket(transport, { protocol: 'translation' });
    const appended: string[] = [];
    const session = startRelaySession({
      client: socket,
      connectUpstream: createSimulatorConnector({ pace: 'fast' }),
      model: undefined,
      kind: 'translation',
      limits,
      features: [
        () => ({
          name: 'watch',
          clientTypes: '*',
          onClientEvent(event) {
            appended.push(event.type);
            return undefined;
          },
        }),
      ],
    });
    sessions.push(session);
    return { transport, socket, session, appended };
  }

  /** `ms` of a loud 220 Hz buzz, PCM16 24 kHz, as the track delivers it. */
  const buzz = (ms: number) => {
    const samples = new Int16Array(ms * 24);
    for (let i = 0; i < samples.length; i++) {
      samples[i] = Math.round(9000 * Math.sin((2 * Math.PI * 220 * i) / 24_000));
    }
    return new Uint8Array(samples.buffer);
  };

  it('appends track audio as session.input_audio_buffer.append and plays the translation on the track', async () => {
    const { transport, appended } = startTranslationCall();
    transport.handlers?.open();
    send(transport, { type: 'session.update', session: { audio: { output: { language: 'de' } } } });
    for (let chunk = 0; chunk < 60; chunk++) transport.handlers?.audio(buzz(20));
    for (let chunk = 0; chunk < 60; chunk++) transport.handlers?.audio(new Uint8Array(960));
    await until(
      () =>
        transport.types().includes('session.output_transcript.delta') &&
        transport.frames.length > 0,
      'the translation to be heard',
    );
    expect(appended).toContain('session.input_audio_buffer.append');
    expect(appended).not.toContain('input_audio_buffer.append');
    const types = transport.types();
    // The speech is on the track, never on the channel; a translation has no output buffer events.
    expect(types).not.toContain('session.output_audio.delta');
    expect(types.some((type) => type.startsWith('output_audio_buffer.'))).toBe(false);
    expect(transport.frames.every((frame) => frame.pcm.length === 960)).toBe(true);
  });

  it('passes output_audio_buffer.clear on to the session, which refuses it, instead of cutting the track', async () => {
    const { transport } = startTranslationCall();
    transport.handlers?.open();
    send(transport, { type: 'output_audio_buffer.clear', event_id: 'evt_clear' });
    await until(() => transport.types().includes('error'), 'the refusal');
    expect(transport.events.find((event) => event.type === 'error')).toMatchObject({
      error: { event_id: 'evt_clear' },
    });
  });
});
