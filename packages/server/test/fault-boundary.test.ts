import type { RealtimeServerEvent } from '@rtwire/types';
import { describe, expect, it } from 'vitest';
import {
  createRealtimeSession,
  createSimulatorModel,
  type RealtimeModel,
  type RealtimeSessionOptions,
  type TurnDetectorFactory,
} from '../src/index.ts';
import { pcmBase64 } from './harness.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A thrown value that throws again on any look at it, with a secret inside. */
const hostile = new Proxy(
  {},
  {
    get() {
      throw new Error('secret payload');
    },
    has() {
      throw new Error('secret payload');
    },
    getPrototypeOf() {
      throw new Error('secret payload');
    },
  },
);

/** One session with its frames (parsed) and what it told its host about closing. */
function open(
  model: RealtimeModel,
  options: Partial<Pick<RealtimeSessionOptions<'string'>, 'send' | 'turnDetector' | 'ids'>> = {},
) {
  const events: RealtimeServerEvent[] = [];
  const closes: { code: number; reason: string }[] = [];
  const session = createRealtimeSession({
    model,
    frames: 'string',
    send: options.send ?? ((frame) => events.push(JSON.parse(frame))),
    close: (code, reason) => closes.push({ code, reason }),
    ...(options.turnDetector === undefined ? {} : { turnDetector: options.turnDetector }),
    ...(options.ids === undefined ? {} : { ids: options.ids }),
  });
  const send = (event: object) => session.receive(JSON.stringify(event));
  return { session, events, closes, send };
}

async function until(condition: () => boolean): Promise<void> {
  for (let spins = 0; spins < 400 && !condition(); spins++) await tick();
}

/** A second session in the same process answers a text response start to end. */
async function expectAnswers(other: ReturnType<typeof open>): Promise<void> {
  const finished = () => other.events.filter((event) => event.type === 'response.done');
  const before = finished().length;
  other.send({
    type: 'conversation.item.create',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'still here?' }] },
  });
  other.send({ type: 'response.create', response: { output_modalities: ['text'] } });
  await until(() => finished().length > before);
  expect(finished()[before]).toMatchObject({ response: { status: 'completed' } });
  expect(other.closes).toEqual([]);
}

const transcribing = {
  type: 'session.update',
  session: {
    type: 'realtime',
    audio: { input: { turn_detection: null, transcription: { model: 'whisper-1' } } },
  },
};

describe('the engine fault boundary', () => {
  it('ends only the session whose model rejects with a value the engine cannot read: 1011, no payload', async () => {
    const faulty = open({
      async respond() {
        throw hostile;
      },
    });
    const other = open(createSimulatorModel({ pace: 'fast' }));
    faulty.send({ type: 'response.create' });
    await until(() => faulty.closes.length > 0);
    expect(faulty.closes).toEqual([{ code: 1011, reason: 'internal error' }]);
    const sent = faulty.events.length;
    faulty.send({ type: 'response.create' });
    await tick();
    expect(faulty.events.length).toBe(sent);
    expect(JSON.stringify(faulty.events)).not.toContain('secret');
    await expectAnswers(other);
  });

  it('ends the session whose model throws such a value synchronously; receive never throws', async () => {
    const faulty = open({
      respond() {
        throw hostile;
      },
    });
    const other = open(createSimulatorModel({ pace: 'fast' }));
    expect(() => faulty.send({ type: 'response.create' })).not.toThrow();
    await until(() => faulty.closes.length > 0);
    expect(faulty.closes.map((close) => close.code)).toEqual([1011]);
    await expectAnswers(other);
  });

  it('ends the session whose model transcription rejects with such a value', async () => {
    const simulator = createSimulatorModel({ pace: 'fast' });
    const faulty = open({
      respond: simulator.respond,
      async transcribe() {
        throw hostile;
      },
    });
    const other = open(simulator);
    faulty.send(transcribing);
    faulty.send({ type: 'input_audio_buffer.append', audio: pcmBase64(200, false) });
    faulty.send({ type: 'input_audio_buffer.commit' });
    await until(() => faulty.closes.length > 0);
    expect(faulty.closes.map((close) => close.code)).toEqual([1011]);
    await expectAnswers(other);
  });

  it('ends the session whose send callback throws, at once and once', async () => {
    let calls = 0;
    const faulty = open(createSimulatorModel({ pace: 'fast' }), {
      send: () => {
        calls++;
        if (calls > 1) throw new Error('socket gone');
      },
    });
    const other = open(createSimulatorModel({ pace: 'fast' }));
    await tick();
    expect(() => faulty.send({ type: 'response.create' })).not.toThrow();
    await until(() => faulty.closes.length > 0);
    await tick();
    expect(faulty.closes.map((close) => close.code)).toEqual([1011]);
    expect(calls).toBe(2);
    await expectAnswers(other);
  });

  it('ends the session whose ids callback throws while it handles a client event', async () => {
    const faulty = open(createSimulatorModel({ pace: 'fast' }), {
      ids: (kind) => {
        if (kind === 'item') throw new Error('id service down');
        return `${kind}_1`;
      },
    });
    const other = open(createSimulatorModel({ pace: 'fast' }));
    expect(() =>
      faulty.send({
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
      }),
    ).not.toThrow();
    await until(() => faulty.closes.length > 0);
    expect(faulty.closes.map((close) => close.code)).toEqual([1011]);
    await expectAnswers(other);
  });

  it("ends the session when handling its turn detector's late report throws, not the process", async () => {
    const turnDetector: TurnDetectorFactory = ({ report }) => ({
      append() {
        setTimeout(() => report({ type: 'speech_started', audioStartMs: 0 }), 0);
      },
      reset() {},
    });
    const faulty = open(createSimulatorModel({ pace: 'fast' }), {
      turnDetector,
      ids: (kind) => {
        if (kind === 'item') throw new Error('id service down');
        return `${kind}_1`;
      },
    });
    const other = open(createSimulatorModel({ pace: 'fast' }));
    faulty.send({ type: 'input_audio_buffer.append', audio: pcmBase64(100, true) });
    await until(() => faulty.closes.length > 0);
    expect(faulty.closes.map((close) => close.code)).toEqual([1011]);
    await expectAnswers(other);
  });

  it('goes on when its turn detector throws while it is replaced, as when it throws on audio', async () => {
    const turnDetector: TurnDetectorFactory = () => ({
      append() {
        throw new Error('detector broke');
      },
      reset() {},
      close() {
        throw new Error('detector broke');
      },
    });
    const session = open(createSimulatorModel({ pace: 'fast' }), { turnDetector });
    session.send({ type: 'input_audio_buffer.append', audio: pcmBase64(100, true) });
    expect(() =>
      session.send({
        type: 'session.update',
        session: { type: 'realtime', audio: { input: { turn_detection: null } } },
      }),
    ).not.toThrow();
    expect(session.events.at(-1)?.type).toBe('session.updated');
    await expectAnswers(session);
  });

  it('keeps the session when its model throws an ordinary error: the response fails, the next completes', async () => {
    let calls = 0;
    const simulator = createSimulatorModel({ pace: 'fast' });
    const session = open({
      respond(request, output, signal) {
        if (++calls === 1) throw new Error('backend said no: secret');
        return simulator.respond(request, output, signal);
      },
    });
    session.send({ type: 'response.create', response: { output_modalities: ['text'] } });
    await until(() => session.events.some((event) => event.type === 'response.done'));
    expect(session.events.find((event) => event.type === 'response.done')).toMatchObject({
      response: { status: 'failed' },
    });
    await expectAnswers(session);
    expect(JSON.stringify(session.events)).not.toContain('secret');
  });
});
