import type { RealtimeTranslationServerEvent } from '@rtwire/types';
import { translationSpecErrors } from '../../../test-support/spec-validator.ts';
import { silencePcm, speechLikePcm } from '../../cli/src/conformance/speech.ts';
import {
  createTranslationSession,
  type TranslationModel,
  type TranslationSession,
  type TranslationSessionOptions,
} from '../src/index.ts';
import { encodeBase64 } from './harness.ts';
import { type RecordedSession, recordSession } from './recorded-session.ts';

/** A translation session under test: its frames (strings) parsed in order, its closes kept. */
export interface TranslationHarness
  extends RecordedSession<TranslationSession, RealtimeTranslationServerEvent> {
  readonly closes: { code: number; reason: string }[];
  /** Polls (real timers) until `predicate` holds; fails naming `what` after a generous guard. */
  until(predicate: () => boolean, what: string): Promise<void>;
  /** Every event validates against the spec's translation schemas. */
  expectWellFormed(): void;
}

/** Opens a translation session on `model` with deterministic ids, frames as strings. */
export function openTranslation(
  model: TranslationModel,
  options: Omit<Partial<TranslationSessionOptions<'string'>>, 'model' | 'send' | 'frames'> = {},
): TranslationHarness {
  const closes: { code: number; reason: string }[] = [];
  const recorded = recordSession<RealtimeTranslationServerEvent, TranslationSession>(
    (recording) =>
      createTranslationSession({
        ...recording.defaults,
        ids: (kind) => `${kind}_1`,
        close: (code, reason) => closes.push({ code, reason }),
        ...options,
        model,
        ...recording.sink,
      }),
    translationSpecErrors,
  );
  return {
    ...recorded,
    closes,
    until: (predicate, what) => until(predicate, what),
    expectWellFormed: () => recorded.expectSpecValid(),
  };
}

/** Polls `predicate` every 5 ms; a hang guard, not a measure of time. */
export async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Frames of audio as a client sends them: 200 ms each. */
const FRAME_MS = 200;

/** `session.input_audio_buffer.append` events for `pcm`, in 200 ms frames. */
export function appends(pcm: Uint8Array): object[] {
  const size = FRAME_MS * 48;
  const events: object[] = [];
  for (let offset = 0; offset < pcm.length; offset += size) {
    events.push({
      type: 'session.input_audio_buffer.append',
      audio: encodeBase64(pcm.subarray(offset, offset + size)),
    });
  }
  return events;
}

/** An utterance: `speechMs` of speech-like audio, then `pauseMs` of silence. */
export function utterance(speechMs: number, pauseMs = 800): Uint8Array {
  const speech = speechLikePcm(speechMs);
  const pause = silencePcm(pauseMs);
  const pcm = new Uint8Array(speech.length + pause.length);
  pcm.set(speech);
  pcm.set(pause, speech.length);
  return pcm;
}

/** `session.update` of the output language, input transcription on or off. */
export const setLanguage = (language: string, transcription = true) => ({
  type: 'session.update',
  session: {
    audio: {
      output: { language },
      input: { transcription: transcription ? { model: 'gpt-realtime-whisper' } : null },
    },
  },
});

/** The text of a transcript stream, joined. */
export const joined = (events: readonly { readonly delta: string }[]) =>
  events.map((event) => event.delta).join('');
