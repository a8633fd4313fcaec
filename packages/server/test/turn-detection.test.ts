import { ClientEvents } from '@rtwire/builders';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RealtimeModel, TurnDetectorContext, TurnDetectorFactory } from '../src/index.ts';
import { appendAudio, echoModel, openSession, types, userText } from './harness.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const PCM_MS = 48;

/** A model speaking 100 ms chunks of audio, one every 100 ms, until it is stopped. */
function speakingModel(chunks: number) {
  const seen = { signals: [] as AbortSignal[], writtenAfterAbort: 0 };
  const model: RealtimeModel = {
    async respond(_request, output, signal) {
      seen.signals.push(signal);
      for (let chunk = 0; chunk < chunks; chunk++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        if (signal.aborted) seen.writtenAfterAbort++;
        output.text(`word${chunk} `);
        output.audio(new Uint8Array(100 * PCM_MS));
      }
    },
  };
  return { model, seen };
}

/**
 * A detector that knows nothing of audio: a chunk whose first byte is 1 starts a turn, 2 ends
 * it, reported a tick later, as a detector running its model elsewhere would.
 */
function markerDetector(made: TurnDetectorContext[]): TurnDetectorFactory {
  return (context) => {
    made.push(context);
    return {
      append(chunk, span) {
        const marker = chunk[0];
        setTimeout(() => {
          if (marker === 1) context.report({ type: 'speech_started', audioStartMs: span.startMs });
          if (marker === 2) context.report({ type: 'speech_stopped', audioEndMs: span.endMs });
        }, 0);
      },
      reset() {},
    };
  };
}

const marked = (marker: number, ms: number) => {
  const bytes = new Uint8Array(ms * PCM_MS);
  bytes[0] = marker;
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return ClientEvents.inputAudioBufferAppend(undefined, btoa(binary));
};

describe('turn detection', () => {
  it('takes a custom detector, which may report late, and acts on its turns', async () => {
    const made: TurnDetectorContext[] = [];
    const harness = openSession(echoModel('heard you'), { turnDetector: markerDetector(made) });
    harness.send(
      ClientEvents.sessionUpdate(undefined, {
        type: 'realtime',
        output_modalities: ['text'],
        audio: { input: { turn_detection: { type: 'semantic_vad', eagerness: 'high' } } },
      }),
    );
    harness.send(marked(1, 200));
    harness.send(marked(0, 200));
    harness.send(marked(2, 100));
    const events = await harness.eventsAfterTimers();
    expect(made.at(-1)?.settings).toMatchObject({ type: 'semantic_vad', eagerness: 'high' });
    expect(types(events)).toEqual([
      'session.created',
      'session.updated',
      'input_audio_buffer.speech_started',
      'input_audio_buffer.speech_stopped',
      'input_audio_buffer.committed',
      'conversation.item.added',
      'conversation.item.done',
      'response.created',
      'response.output_item.added',
      'conversation.item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'conversation.item.done',
      'response.done',
    ]);
    expect(harness.only('input_audio_buffer.speech_started')[0]?.audio_start_ms).toBe(0);
    expect(harness.only('input_audio_buffer.speech_stopped')[0]?.audio_end_ms).toBe(500);
    expect(harness.only('input_audio_buffer.committed')[0]?.item_id).toBe(
      harness.only('input_audio_buffer.speech_started')[0]?.item_id,
    );
    harness.expectWellFormed();
  });

  it('makes a new detector when the settings change, and ignores the old one', async () => {
    const made: TurnDetectorContext[] = [];
    const harness = openSession(echoModel(), { turnDetector: markerDetector(made) });
    await harness.eventsAfterTimers();
    expect(made).toHaveLength(1);
    harness.send(
      ClientEvents.sessionUpdate(undefined, {
        type: 'realtime',
        audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 500 } } },
      }),
    );
    harness.send(ClientEvents.sessionUpdate(undefined, { type: 'realtime', instructions: 'x' }));
    expect(made).toHaveLength(2);
    made[0]?.report({ type: 'speech_started', audioStartMs: 0 });
    harness.send(
      ClientEvents.sessionUpdate(undefined, {
        type: 'realtime',
        audio: { input: { turn_detection: null } },
      }),
    );
    made[1]?.report({ type: 'speech_started', audioStartMs: 0 });
    expect(types(await harness.eventsAfterTimers())).toEqual([
      'session.updated',
      'session.updated',
      'session.updated',
    ]);
  });

  it('survives a detector that throws, and falls back to the built-in one when told to', async () => {
    const harness = openSession(echoModel(), {
      turnDetector: ({ settings }) =>
        settings.silence_duration_ms === 300
          ? undefined
          : {
              append() {
                throw new Error('detector broke');
              },
              reset() {
                throw new Error('detector broke');
              },
            },
    });
    harness.send(appendAudio(300, true));
    harness.send(ClientEvents.inputAudioBufferClear());
    expect(types(await harness.eventsAfterTimers())).toEqual([
      'session.created',
      'input_audio_buffer.cleared',
    ]);
    harness.send(
      ClientEvents.sessionUpdate(undefined, {
        type: 'realtime',
        audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 300 } } },
      }),
    );
    harness.send(appendAudio(300, true));
    harness.send(appendAudio(300, false));
    expect(types(await harness.eventsAfterTimers())).toEqual(
      expect.arrayContaining(['input_audio_buffer.speech_started', 'response.done']),
    );
  });

  it('barges in on a custom model: cancelled at once, signal aborted, nothing more of it', async () => {
    const { model, seen } = speakingModel(30);
    const harness = openSession(model);
    harness.send(userText('tell me a long story'));
    harness.send(ClientEvents.responseCreate());
    await vi.advanceTimersByTimeAsync(550);
    const before = harness.only('response.output_audio.delta').length;
    expect(before).toBe(5);
    const atBargeIn = harness.events.length;
    harness.send(appendAudio(200, true));
    // All of it at once, in the append's own turn: no delta can slip in between.
    expect(types(harness.events.slice(atBargeIn))).toEqual([
      'input_audio_buffer.speech_started',
      'response.output_audio.done',
      'response.output_audio_transcript.done',
      'response.content_part.done',
      'response.output_item.done',
      'conversation.item.done',
      'response.done',
    ]);
    await harness.eventsAfterTimers();
    const [done] = harness.only('response.done');
    expect(done?.response).toMatchObject({
      status: 'cancelled',
      status_details: { type: 'cancelled', reason: 'turn_detected' },
    });
    expect(harness.only('response.output_audio.delta')).toHaveLength(before);
    expect(seen.signals[0]?.aborted).toBe(true);
    // The model went on writing after the abort; none of it was sent.
    expect(seen.writtenAfterAbort).toBeGreaterThan(0);
    // The client heard 300 of the 500 ms and truncates the item there.
    const itemId = harness.only('response.output_item.done')[0]?.item.id as string;
    harness.send(ClientEvents.conversationItemTruncate(undefined, itemId, 0, 300));
    harness.send(ClientEvents.conversationItemRetrieve(undefined, itemId));
    expect(harness.only('conversation.item.truncated')[0]).toMatchObject({
      item_id: itemId,
      audio_end_ms: 300,
    });
    expect(harness.only('conversation.item.retrieved')[0]?.item).toMatchObject({
      content: [{ type: 'output_audio', transcript: '' }],
    });
    harness.expectWellFormed();
  });
});

describe("server VAD's idle timeout", () => {
  const withIdleTimeout = (ms: number) =>
    ClientEvents.sessionUpdate(undefined, {
      type: 'realtime',
      output_modalities: ['text'],
      audio: { input: { turn_detection: { type: 'server_vad', idle_timeout_ms: ms } } },
    });

  it('prompts a silent user: timeout_triggered, the silence committed, a response', async () => {
    const { model } = speakingModel(3);
    const harness = openSession(model);
    harness.send(
      ClientEvents.sessionUpdate(undefined, {
        type: 'realtime',
        audio: { input: { turn_detection: { type: 'server_vad', idle_timeout_ms: 5000 } } },
      }),
    );
    harness.send(ClientEvents.responseCreate());
    await vi.advanceTimersByTimeAsync(350);
    expect(harness.only('response.done')).toHaveLength(1);
    const doneAt = Date.now();
    // The user's microphone streams silence meanwhile.
    for (let sent = 0; sent < 5; sent++) {
      harness.send(appendAudio(1000, false));
      await vi.advanceTimersByTimeAsync(1000);
    }
    // 300 ms of the answer's audio still playing, then 5 s of silence.
    expect(harness.only('input_audio_buffer.timeout_triggered')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(300);
    const [triggered] = harness.only('input_audio_buffer.timeout_triggered');
    expect(Date.now() - doneAt).toBe(5300);
    expect(triggered).toMatchObject({ audio_start_ms: 0, audio_end_ms: 5000 });
    const index = harness.events.indexOf(triggered as never);
    expect(types(harness.events.slice(index, index + 5))).toEqual([
      'input_audio_buffer.timeout_triggered',
      'input_audio_buffer.committed',
      'conversation.item.added',
      'conversation.item.done',
      'response.created',
    ]);
    expect(harness.only('input_audio_buffer.committed')[0]?.item_id).toBe(triggered?.item_id);
    await vi.advanceTimersByTimeAsync(400);
    expect(harness.only('response.done')).toHaveLength(2);
    harness.session.close();
    expect(vi.getTimerCount()).toBe(0);
    harness.expectWellFormed();
  });

  it('is not triggered by a user who speaks, nor when the setting is off', async () => {
    const harness = openSession(echoModel());
    harness.send(withIdleTimeout(5000));
    harness.send(ClientEvents.responseCreate());
    await vi.advanceTimersByTimeAsync(4000);
    harness.send(appendAudio(300, true));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(harness.only('input_audio_buffer.timeout_triggered')).toHaveLength(0);
    harness.send(appendAudio(300, false));
    await vi.advanceTimersByTimeAsync(100);
    expect(harness.only('response.done')).toHaveLength(2);
    harness.send(
      ClientEvents.sessionUpdate(undefined, {
        type: 'realtime',
        audio: { input: { turn_detection: { type: 'server_vad', idle_timeout_ms: null } } },
      }),
    );
    harness.send(ClientEvents.responseCreate());
    await vi.advanceTimersByTimeAsync(60_000);
    expect(harness.only('input_audio_buffer.timeout_triggered')).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no timer armed after close', async () => {
    const harness = openSession(echoModel());
    harness.send(withIdleTimeout(5000));
    harness.send(ClientEvents.responseCreate());
    await vi.advanceTimersByTimeAsync(10);
    expect(vi.getTimerCount()).toBe(1);
    harness.session.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
