import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OutputPlayout, type PlayoutEvent } from '../src/calls/output-playout.ts';

const FRAME_BYTES = 20 * 48;

/** A playout whose frames and events are recorded in one log, in the order they happened. */
function recorded(maxQueuedMs = 60_000) {
  const log: Array<PlayoutEvent | { type: 'frame'; pcm: Uint8Array }> = [];
  const playout = new OutputPlayout({
    frameMs: 20,
    maxQueuedMs,
    frame: (pcm) => log.push({ type: 'frame', pcm }),
    event: (event) => log.push(event),
  });
  return { playout, log, types: () => log.map((entry) => entry.type) };
}

/** PCM whose every byte is `value`, so a frame's origin can be read off its bytes. */
const pcmOf = (bytes: number, value: number) => new Uint8Array(bytes).fill(value);

describe('OutputPlayout', () => {
  it('reports started before the first frame and stopped after the last of a finished response', () => {
    const { playout, types } = recorded();
    playout.push('resp_1', 'item_1', 0, pcmOf(FRAME_BYTES * 2, 1));
    playout.finish('resp_1');
    expect(types()).toEqual([]);
    expect(playout.tick(5)).toBe(2);
    expect(types()).toEqual([
      'output_audio_buffer.started',
      'frame',
      'frame',
      'output_audio_buffer.stopped',
    ]);
    expect(playout.sentMs('item_1')).toBe(40);
  });

  it('keeps playing while a response streams, and stops only once it is finished and played', () => {
    const { playout, types } = recorded();
    playout.push('resp_1', 'item_1', 0, pcmOf(FRAME_BYTES, 1));
    playout.tick(3); // ran dry, but the response is not finished
    expect(types()).toEqual(['output_audio_buffer.started', 'frame']);
    playout.push('resp_1', 'item_1', 0, pcmOf(FRAME_BYTES / 2, 2));
    playout.finish('resp_1');
    playout.tick(1);
    expect(types().slice(2)).toEqual(['frame', 'output_audio_buffer.stopped']);
    // The half frame is padded with silence, and counted as what it was: 10 ms.
    expect(playout.sentMs('item_1')).toBe(30);
  });

  it('never puts two responses in one frame', () => {
    const { playout, log } = recorded();
    playout.push('resp_1', 'item_1', 0, pcmOf(FRAME_BYTES / 2, 1));
    playout.finish('resp_1');
    playout.push('resp_2', 'item_2', 0, pcmOf(FRAME_BYTES, 2));
    playout.finish('resp_2');
    playout.tick(10);
    const frames = log.flatMap((entry) => (entry.type === 'frame' ? [entry.pcm] : []));
    expect(frames).toHaveLength(2);
    expect(new Set(frames[0])).toEqual(new Set([1, 0]));
    expect(new Set(frames[1])).toEqual(new Set([2]));
    expect(
      log.map((entry) =>
        'responseId' in entry ? `${entry.type}:${entry.responseId}` : entry.type,
      ),
    ).toEqual([
      'output_audio_buffer.started:resp_1',
      'frame',
      'output_audio_buffer.stopped:resp_1',
      'output_audio_buffer.started:resp_2',
      'frame',
      'output_audio_buffer.stopped:resp_2',
    ]);
  });

  it('clear drops what is queued at once and says where the item was cut', () => {
    const { playout, types } = recorded();
    playout.push('resp_1', 'item_1', 0, pcmOf(FRAME_BYTES * 50, 1));
    playout.tick(7);
    expect(playout.clear()).toEqual({
      responseId: 'resp_1',
      itemId: 'item_1',
      contentIndex: 0,
      sentMs: 140,
    });
    expect(types().at(-1)).toBe('output_audio_buffer.cleared');
    expect(playout.queuedMs).toBe(0);
    expect(playout.tick(10)).toBe(0);
    // Finishing a cleared response reports nothing more.
    playout.finish('resp_1');
    expect(types().filter((type) => type !== 'frame')).toEqual([
      'output_audio_buffer.started',
      'output_audio_buffer.cleared',
    ]);
  });

  it('clear with nothing queued or playing reports nothing', () => {
    const { playout, log } = recorded();
    expect(playout.clear()).toBeUndefined();
    playout.push('resp_1', 'item_1', 0, pcmOf(FRAME_BYTES, 1));
    playout.finish('resp_1');
    playout.tick(1);
    expect(playout.clear()).toBeUndefined();
    expect(log.filter((entry) => entry.type === 'output_audio_buffer.cleared')).toEqual([]);
  });

  it('clear before anything played drops the audio, cuts its item at 0 and announces nothing', () => {
    const { playout, log } = recorded();
    playout.push('resp_1', 'item_1', 0, pcmOf(FRAME_BYTES * 3, 1));
    expect(playout.clear()).toEqual({
      responseId: 'resp_1',
      itemId: 'item_1',
      contentIndex: 0,
      sentMs: 0,
    });
    expect(log).toEqual([]);
    expect(playout.queuedBytes).toBe(0);
  });

  it('refuses audio past its bound, queuing none of it', () => {
    const { playout } = recorded(100);
    expect(playout.push('resp_1', 'item_1', 0, pcmOf(48 * 100, 1))).toBe(true);
    expect(playout.push('resp_1', 'item_1', 0, pcmOf(2, 1))).toBe(false);
    expect(playout.queuedMs).toBe(100);
    playout.tick(1);
    expect(playout.push('resp_1', 'item_1', 0, pcmOf(48 * 20, 1))).toBe(true);
  });

  it('conserves audio and pairs every started with one stopped or cleared (property)', () => {
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('push' as const),
        response: fc.integer({ min: 0, max: 3 }),
        bytes: fc.integer({ min: 0, max: 3000 }).map((n) => n * 2),
      }),
      fc.record({ kind: fc.constant('finish' as const), response: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('tick' as const), frames: fc.integer({ min: 0, max: 6 }) }),
      fc.record({ kind: fc.constant('clear' as const) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const { playout, log } = recorded();
        let pushed = 0;
        let dropped = 0;
        for (const action of steps) {
          if (action.kind === 'push') {
            const id = `resp_${action.response}`;
            if (
              playout.push(
                id,
                `item_${action.response}`,
                0,
                pcmOf(action.bytes, action.response + 1),
              )
            )
              pushed += action.bytes;
          } else if (action.kind === 'finish') {
            playout.finish(`resp_${action.response}`);
          } else if (action.kind === 'tick') {
            playout.tick(action.frames);
          } else {
            dropped += playout.queuedBytes;
            playout.clear();
          }
        }
        // What went out on the track is what came, less what a clear dropped.
        let sent = 0;
        let open: string | undefined;
        for (const entry of log) {
          if (entry.type === 'frame') {
            expect(entry.pcm.length).toBe(FRAME_BYTES);
            expect(open).toBeDefined();
            sent += entry.pcm.filter((byte) => byte !== 0).length;
          } else if (entry.type === 'output_audio_buffer.started') {
            expect(open).toBeUndefined();
            open = entry.responseId;
          } else {
            expect(entry.responseId).toBe(open);
            open = undefined;
          }
        }
        expect(sent + dropped + playout.queuedBytes).toBe(pushed);
        expect(open === undefined).toBe(!playout.playing);
      }),
      { numRuns: 500 },
    );
  });
});
