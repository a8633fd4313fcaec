import { ClientEvents } from '@rtwire/builders';
import type { RealtimeServerEvent } from '@rtwire/types';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RealtimeModel, ResponseOutput } from '../src/index.ts';
import {
  MAX_AUDIO_DELTA_BYTES,
  MAX_DELTA_CHARS,
  ResponseStream,
} from '../src/session/response-stream.ts';
import { openSession, userText } from './harness.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const base64Bytes = (text: string) => Uint8Array.from(atob(text), (char) => char.charCodeAt(0));

/** One response of `write` in a session of `format`; its events. */
async function respond(
  write: (output: ResponseOutput) => void | Promise<void>,
  format: 'audio/pcm' | 'audio/pcmu' = 'audio/pcm',
) {
  const model: RealtimeModel = { respond: (_request, output) => write(output) };
  const session = openSession(model);
  if (format !== 'audio/pcm') {
    session.send(
      ClientEvents.sessionUpdate(undefined, {
        type: 'realtime',
        audio: { output: { format: { type: format } } },
      }),
    );
  }
  session.send(userText('hi'));
  session.send(ClientEvents.responseCreate());
  await session.eventsAfterTimers();
  session.expectWellFormed();
  return session;
}

const audioOf = (events: readonly RealtimeServerEvent[]) =>
  events.flatMap((event) =>
    event.type === 'response.output_audio.delta' ? [base64Bytes(event.delta)] : [],
  );

/** A started audio response stream on its own, its frames parsed. */
function streamOf(format: 'audio/pcm' | 'audio/pcmu', sendReady?: () => Promise<void> | undefined) {
  const events: RealtimeServerEvent[] = [];
  const utf8 = new TextDecoder();
  let counter = 0;
  const stream = new ResponseStream(
    {
      responseId: 'resp_1',
      modality: 'audio',
      outputFormat: format,
      voice: 'marin',
      conversationId: null,
      previousItemId: null,
      maxOutputTokens: 'inf',
      metadata: null,
    },
    {
      sink: {
        format: 'string',
        event: (event) => events.push(event),
        text: (frame) => events.push(JSON.parse(frame)),
        bytes: (frame) => events.push(JSON.parse(utf8.decode(frame))),
      },
      nextEventId: () => `event_${++counter}`,
      frameEventId: () => `event_${++counter}`,
      nextItemId: () => `item_${++counter}`,
      nextCallId: () => `call_${++counter}`,
      onItem: () => {},
      onAudio: () => {},
      onEnd: () => {},
      ...(sendReady === undefined ? {} : { sendReady }),
    },
  );
  stream.start();
  return { stream, events };
}

describe('output.audio sends whole samples', () => {
  it('carries an odd byte to the next chunk and drops one left at the end', async () => {
    const session = await respond((output) => {
      output.audio(Uint8Array.of(1, 2, 3));
      output.audio(Uint8Array.of(4, 5, 6, 7, 8));
      output.audio(Uint8Array.of(9));
    });
    expect(audioOf(session.events)).toEqual([Uint8Array.of(1, 2), Uint8Array.of(3, 4, 5, 6, 7, 8)]);
    const [done] = session.only('response.done');
    expect(done?.response.status).toBe('completed');
  });

  it('drops a held byte when a function call ends the message', async () => {
    const session = await respond((output) => {
      output.audio(Uint8Array.of(1, 2, 3));
      output.functionCall({ name: 'f' }).done();
      output.audio(Uint8Array.of(7, 8));
    });
    expect(audioOf(session.events)).toEqual([Uint8Array.of(1, 2), Uint8Array.of(7, 8)]);
  });

  it('in any chunking: every delta is whole samples, at most 32 KiB, and the audio is what was written', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.nat(9), fc.integer({ min: 0, max: 2 * MAX_AUDIO_DELTA_BYTES + 3 })), {
          maxLength: 8,
        }),
        fc.constantFrom('audio/pcm' as const, 'audio/pcmu' as const),
        (sizes, format) => {
          const written = new Uint8Array(sizes.reduce((total, size) => total + size, 0));
          for (let index = 0; index < written.length; index++) written[index] = index & 0xff;
          const { stream, events } = streamOf(format);
          let offset = 0;
          for (const size of sizes) {
            // A fresh copy each time: the engine must not keep a chunk the model may reuse.
            stream.output.audio(written.slice(offset, offset + size));
            offset += size;
          }
          stream.finish();
          const deltas = audioOf(events);
          const whole =
            format === 'audio/pcm' ? written.length - (written.length % 2) : written.length;
          const joined = new Uint8Array(deltas.reduce((total, delta) => total + delta.length, 0));
          let at = 0;
          for (const delta of deltas) {
            joined.set(delta, at);
            at += delta.length;
          }
          // Compared as bytes: toEqual walks a 512 KiB array element by element, which took
          // 30 s on a busy machine.
          expect(joined.length).toBe(whole);
          let firstDifference = -1;
          for (let index = 0; index < whole && firstDifference < 0; index++) {
            if (joined[index] !== written[index]) firstDifference = index;
          }
          expect(firstDifference).toBe(-1);
          for (const delta of deltas) {
            expect(delta.length).toBeLessThanOrEqual(MAX_AUDIO_DELTA_BYTES);
            if (format === 'audio/pcm') expect(delta.length % 2).toBe(0);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('no delta frame grows with what a model writes at once', () => {
  it('splits text, transcript and arguments deltas, never inside a surrogate pair', async () => {
    // An emoji straddles each cut: a naive split would leave a lone surrogate.
    const long = `${'a'.repeat(MAX_DELTA_CHARS - 1)}😀`.repeat(4);
    const session = await respond((output) => {
      output.text(long);
      const call = output.functionCall({ name: 'f' });
      call.arguments(long);
      call.done();
    });
    const transcripts = session.only('response.output_audio_transcript.delta').map((e) => e.delta);
    const args = session.only('response.function_call_arguments.delta').map((e) => e.delta);
    for (const deltas of [transcripts, args]) {
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.join('')).toBe(long);
      for (const delta of deltas) {
        expect(delta.length).toBeLessThanOrEqual(MAX_DELTA_CHARS);
        expect(delta).not.toMatch(LONE_SURROGATE);
      }
    }
    expect(session.only('response.output_audio_transcript.done')[0]?.transcript).toBe(long);
  });

  it('splits one large audio chunk into deltas of at most 32 KiB', async () => {
    const session = await respond((output) =>
      output.audio(new Uint8Array(5 * MAX_AUDIO_DELTA_BYTES + 2)),
    );
    const deltas = audioOf(session.events);
    expect(deltas.map((delta) => delta.length)).toEqual([
      ...Array(5).fill(MAX_AUDIO_DELTA_BYTES),
      2,
    ]);
  });
});

describe('output.ready', () => {
  /** A response stream whose send path is congested until `drain()`. */
  function congestedStream() {
    let waiting: { promise: Promise<void>; resolve: () => void } | undefined;
    const { stream } = streamOf('audio/pcm', () => waiting?.promise);
    return {
      stream,
      congest() {
        let resolve = () => {};
        const promise = new Promise<void>((done) => {
          resolve = done;
        });
        waiting = { promise, resolve };
      },
      drain() {
        waiting?.resolve();
        waiting = undefined;
      },
    };
  }

  const hasResolved = async (promise: Promise<void>) => {
    let done = false;
    promise.then(() => {
      done = true;
    });
    await vi.runAllTimersAsync();
    return done;
  };

  it('resolves at once while the session keeps up, and waits while its queue is above high water', async () => {
    const { stream, congest, drain } = congestedStream();
    expect(await hasResolved(stream.output.ready())).toBe(true);
    congest();
    const waiting = stream.output.ready();
    expect(await hasResolved(waiting)).toBe(false);
    drain();
    expect(await hasResolved(waiting)).toBe(true);
  });

  it('resolves when the response ends while it waits', async () => {
    const { stream, congest } = congestedStream();
    congest();
    const waiting = stream.output.ready();
    expect(await hasResolved(waiting)).toBe(false);
    stream.cancel('client_cancelled');
    expect(await hasResolved(waiting)).toBe(true);
    expect(await hasResolved(stream.output.ready())).toBe(true);
  });

  it('resolves at once for a session without a send path that reports congestion', async () => {
    const session = await respond(async (output) => {
      output.text('hi');
      await output.ready();
      output.text(' there');
    });
    expect(session.only('response.output_audio_transcript.done')[0]?.transcript).toBe('hi there');
  });
});
