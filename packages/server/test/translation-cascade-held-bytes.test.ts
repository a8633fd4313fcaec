import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeBackend, startFakeBackend } from '../../../test-support/fake-openai-backend.ts';
import { speechLikePcm } from '../../cli/src/conformance/speech.ts';
import { createCascadeModel } from '../src/index.ts';
import { appends, openTranslation, setLanguage } from './translation-harness.ts';

let backend: FakeBackend;
beforeEach(async () => {
  backend = await startFakeBackend();
});
afterEach(async () => {
  await backend.close();
});

/** Bytes of PCM16 24 kHz a ms. */
const BYTES_PER_MS = 48;
/** The WAV header before the samples of a transcription's file. */
const WAV_HEADER = 44;

/**
 * A fetch to the fake backend that holds each transcription in flight (its WAV already made
 * and counted) until `release()`; every other request goes through at once.
 */
function holdingTranscriptions() {
  const wavBytes: number[] = [];
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const held: typeof fetch = async (input, init) => {
    if (init !== undefined && String(input).endsWith('/audio/transcriptions')) {
      const file = (init.body as FormData).get('file') as Blob;
      wavBytes.push(file.size);
      const signal = init.signal;
      await new Promise<void>((resolve, reject) => {
        released.then(resolve);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    return fetch(input, init);
  };
  return { fetch: held, wavBytes, release };
}

describe('what a translation session on the cascade says it holds', () => {
  it('declares its segments, their WAV copies in flight, the transcripts waiting and the translation', () => {
    const model = createCascadeModel({ baseURL: 'http://x', chatModel: 'm' });
    // A segment is cut at 15 s, on the first chunk past it (at most 1 s): 16,000 ms of PCM.
    const segment = 16_000 * BYTES_PER_MS;
    // Heard and not yet said: 3 before the input waits, one more when a chunk ends two. Each
    // holds its audio, the WAV copy sent to be transcribed, and its transcript (two bytes a
    // character of an answer of at most 64 KiB).
    const heard = 4 * (segment + (WAV_HEADER + segment) + 2 * 65_536);
    // The segment being cut, one SSE event of 1,638,400 characters and 262,144 of translation.
    expect(model.maxTranslationHeldBytes).toBe(heard + segment + 2 * (1_638_400 + 262_144));
  });

  it('counts the WAV copies of transcriptions in flight, then the transcripts waiting their turn', async () => {
    const holding = holdingTranscriptions();
    // Small text bounds: what the chat stage may hold does not hide the rest.
    backend.script = {
      transcription: () => ({ kind: 'text', text: 'w'.repeat(30_000) }),
      chat: () => ({ kind: 'hang' }),
    };
    const harness = openTranslation(
      createCascadeModel({
        baseURL: backend.baseURL,
        chatModel: 'llama3.2',
        transcriptionModel: 'whisper-small',
        timeoutMs: 120_000,
        maxTextChars: 1000,
        maxToolArgumentsChars: 1000,
        fetch: holding.fetch,
      }),
    );
    harness.send(setLanguage('es', false));
    // Speech without a pause: cut every 15 s, three segments in flight before the input waits.
    for (const event of appends(speechLikePcm(60_000))) {
      if (holding.wavBytes.length === 3) break;
      harness.send(event);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await harness.until(() => holding.wavBytes.length === 3, 'three transcriptions in flight');
    for (const wav of holding.wavBytes) {
      // Each WAV is a whole segment: at least the 15 s it is cut at, at most the chunk past it.
      expect(wav).toBeGreaterThanOrEqual(WAV_HEADER + 15_000 * BYTES_PER_MS);
      expect(wav).toBeLessThanOrEqual(WAV_HEADER + 16_000 * BYTES_PER_MS);
    }
    // Each segment in flight: its audio and the WAV copy of it.
    const inFlight = holding.wavBytes.reduce((sum, wav) => sum + (wav - WAV_HEADER) + wav, 0);
    expect(harness.session.heldBytes).toBeGreaterThanOrEqual(inFlight);

    holding.release();
    // The first segment is being translated (its chat hangs), the next two wait their turn.
    await harness.until(
      () =>
        backend.requestsTo('chat/completions').length === 1 &&
        backend.requestsTo('audio/transcriptions').filter((request) => request.finishedAt)
          .length === 3,
      'the three transcripts and the first translation',
    );
    const transcripts = 3 * 2 * 30_000;
    expect(harness.session.heldBytes).toBeGreaterThanOrEqual(transcripts);
    harness.session.close();
    expect(harness.session.heldBytes).toBe(0);
  });
});
