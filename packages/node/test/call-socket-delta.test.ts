import { Buffer } from 'node:buffer';
import { ResponseEventBuilder } from '@rtwire/builders';
import { peekEventType } from '@rtwire/relay';
import { encoderFor, translationEncoder } from '@rtwire/serializer';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallSocket, type CallTransport } from '../src/calls/call-socket.ts';
import { OutputPlayout } from '../src/calls/output-playout.ts';
import {
  asFrame,
  type DeltaKind,
  damaged,
  realtimeDeltaText,
  translationDeltaText,
} from './delta-frames.ts';

const FRAME_MS = 20;
const DELTA_TYPE: Record<DeltaKind, string> = {
  realtime: 'response.output_audio.delta',
  translation: 'session.output_audio.delta',
};

/** A transport whose channel is open from the start, keeping the track's frames and nothing else. */
class TrackTransport implements CallTransport {
  readonly frames: Uint8Array[] = [];
  readonly eventBufferedAmount = 0;
  closed = false;
  sendEvent(): void {}
  sendAudio(pcm: Uint8Array): void {
    this.frames.push(pcm);
  }
  close(): void {
    this.closed = true;
  }
  listen(handlers: { open(): void }): void {
    handlers.open();
  }
  /** Every byte the track carried, in order. */
  played(): Buffer {
    return Buffer.concat(this.frames);
  }
}

const calls: CallSocket[] = [];
afterEach(() => {
  // Closed before the timers are real again: the shared pacer's timer is the fake one.
  for (const call of calls.splice(0)) call.close(1000, 'test over');
  vi.useRealTimers();
});

function openCall(protocol: DeltaKind, now: () => number = () => 0) {
  const transport = new TrackTransport();
  const socket = new CallSocket(transport, { protocol, now });
  socket.listen({ message() {}, close() {}, drain() {} });
  calls.push(socket);
  return { transport, socket };
}

/**
 * The track as CallSocket played it when it parsed every delta: the same playout, given each
 * delta's audio as `JSON.parse` reads the frame, its responses finished, played to the end.
 */
function playedByParse(kind: DeltaKind, frames: readonly (string | Uint8Array)[]) {
  const played: Uint8Array[] = [];
  const playout = new OutputPlayout({
    frameMs: FRAME_MS,
    maxQueuedMs: 600_000,
    frame: (pcm) => played.push(pcm),
    event() {},
  });
  const responses = new Set<string>();
  for (const frame of frames) {
    if (peekEventType(frame) !== DELTA_TYPE[kind]) continue;
    const text = typeof frame === 'string' ? frame : Buffer.from(frame).toString('utf8');
    const { response_id, item_id, content_index, delta } = JSON.parse(text);
    if (typeof delta !== 'string') continue;
    const pcm = Buffer.from(delta, 'base64');
    if (kind === 'translation') {
      playout.push('translation', 'translation', 0, pcm);
      responses.add('translation');
    } else if (typeof response_id === 'string' && typeof item_id === 'string') {
      playout.push(
        response_id,
        item_id,
        typeof content_index === 'number' ? content_index : 0,
        pcm,
      );
      responses.add(response_id);
    }
  }
  for (const response of responses) playout.finish(response);
  playout.tick(Number.MAX_SAFE_INTEGER);
  return { played: Buffer.concat(played), frames: played.length, responses };
}

/** The frames that end what was sent: each response done, or the translation session closed. */
const endings = (kind: DeltaKind, responses: Iterable<string>) =>
  kind === 'translation'
    ? ['{"type":"session.closed","event_id":"event_end"}']
    : [...responses].map((id) => JSON.stringify({ type: 'response.done', response: { id } }));

const deltasOf = (kind: DeltaKind) =>
  fc.array((kind === 'realtime' ? realtimeDeltaText : translationDeltaText).chain(asFrame), {
    minLength: 1,
    maxLength: 6,
  });

/** 100 ms of PCM16 24 kHz mono, every byte telling where it stands. */
const PCM_100_MS = Uint8Array.from({ length: 4_800 }, (_, index) => (index * 31) & 0xff);

describe('CallSocket: audio deltas read without a parse', () => {
  for (const kind of ['realtime', 'translation'] as const) {
    it(`plays on the track exactly the audio the parse-based path played (${kind}, property)`, () => {
      vi.useFakeTimers();
      fc.assert(
        fc.property(deltasOf(kind), (frames) => {
          const { transport, socket } = openCall(kind, () => Date.now());
          for (const frame of frames) socket.send(frame);
          const expected = playedByParse(kind, frames);
          for (const ending of endings(kind, expected.responses)) socket.send(ending);
          // The pacer plays 20 ms a frame on the shared timer: run the clock until it is all out.
          for (let step = 0; step < 1_000 && socket.bufferedAmount > 0; step++) {
            vi.advanceTimersByTime(100);
          }
          expect(transport.frames.length).toBe(expected.frames);
          expect(transport.played().equals(expected.played)).toBe(true);
          socket.close(1000, 'run over');
        }),
        { numRuns: 150 },
      );
    });
  }

  it('takes a well-formed delta’s audio without JSON.parse, as text or bytes, for either session', () => {
    // The engine's own frames: an encoder bound to the builder of the reply's audio content.
    const realtime = encoderFor(
      new ResponseEventBuilder('resp_AbC123').forItem('item_AbC123', 0).forContent(0),
    );
    const base64 = Buffer.from(PCM_100_MS).toString('base64');
    const apiLayout = `{"type":"response.output_audio.delta","event_id":"event_AbC123","response_id":"resp_AbC123","item_id":"item_AbC123","output_index":0,"content_index":0,"delta":"${base64}"}`;
    const cases: [DeltaKind, string | Uint8Array][] = [
      ['realtime', apiLayout],
      ['realtime', new TextEncoder().encode(apiLayout)],
      ['realtime', realtime.outputAudioDeltaFromPcm('event_1', PCM_100_MS)],
      ['realtime', realtime.outputAudioDelta('event_2', base64)],
      ['translation', translationEncoder.outputAudioDeltaFromPcm('event_3', PCM_100_MS, 100)],
      ['translation', translationEncoder.outputAudioDelta('event_4', base64, 100)],
    ];
    for (const [kind, frame] of cases) {
      const { transport, socket } = openCall(kind);
      const parse = vi.spyOn(JSON, 'parse');
      try {
        socket.send(frame);
        expect(parse.mock.calls.length, `JSON.parse calls for a ${kind} delta`).toBe(0);
      } finally {
        parse.mockRestore();
      }
      // All of it went to the track: the first frame at once (its slot was due), the rest queued.
      const played = transport.played();
      expect(played.length + socket.bufferedAmount).toBe(PCM_100_MS.length);
      expect(played.equals(PCM_100_MS.subarray(0, played.length))).toBe(true);
    }
  });

  it('never throws on a malformed delta, and the call goes on (property)', () => {
    const malformed = fc
      .tuple(
        fc.constantFrom<DeltaKind>('realtime', 'translation'),
        fc.array(fc.oneof(realtimeDeltaText, translationDeltaText).chain(damaged).chain(asFrame), {
          minLength: 1,
          maxLength: 4,
        }),
      )
      .map(([kind, frames]) => ({ kind, frames }));
    fc.assert(
      fc.property(malformed, ({ kind, frames }) => {
        const { transport, socket } = openCall(kind);
        for (const frame of frames) expect(() => socket.send(frame)).not.toThrow();
        expect(transport.closed).toBe(false);
        socket.close(1000, 'run over');
      }),
      { numRuns: 500 },
    );
  });
});
