import { createToneSynth } from '../pcm.ts';
import { type SpeechSegment, SpeechSegmenter } from '../translation/speech-segmenter.ts';
import { translateBySegment } from '../translation/translate-by-segment.ts';
import type { TranslationModel, TranslationOutput } from '../translation/translation-model.ts';
import { AUDIO_CHUNK_MS, MS_PER_CHARACTER, TEXT_DELTA_MS } from './pacing.ts';
import { toDeltas } from './reply.ts';
import { createStepClock, type StepClock } from './steps.ts';
import { heardWords, translatedWords } from './translation-words.ts';

/** Speech longer than this without a pause is cut into segments of it. */
const MAX_SEGMENT_MS = 4000;
/** The simulator "hears" a word per this much of a segment. */
const MS_PER_WORD = 500;
/**
 * Segments heard and not yet said (the one being said included): at it the simulator stops
 * reading input until one is said, so audio waits in the session's bounded backlog, not here.
 */
const MAX_PENDING_SEGMENTS = 4;

/**
 * The simulator's translation: input audio cut into segments of speech by energy (the
 * engine's energy detector; silence makes nothing), and for each segment, in order, its
 * input transcript (when the client asked for one), then its translation into the segment's
 * language as transcript deltas running ahead of a tone as long as the text takes to say,
 * streamed in {@link AUDIO_CHUNK_MS} chunks and paced like the simulator's responses. Words
 * are deterministic: the same audio and language give the same words, and each language its
 * own. Output is stamped with where its segment lies in the input audio.
 *
 * @example
 * ```ts
 * const model: TranslationModel = { translate: simulatedTranslation('fast') };
 * ```
 */
export function simulatedTranslation(pace: 'realtime' | 'fast'): TranslationModel['translate'] {
  return async (request, output, signal) => {
    await translateBySegment<SpeechSegment>({
      audio: request.audio,
      segmenter: new SpeechSegmenter({ keepAudio: false, maxSegmentMs: MAX_SEGMENT_MS }),
      signal,
      maxPending: MAX_PENDING_SEGMENTS,
      hear: (segment) => segment,
      say: sayer(output, createStepClock(pace, signal)),
    });
  };
}

/** Says one segment; stops where the session ended under it. */
function sayer(
  output: TranslationOutput,
  step: StepClock,
): (segment: SpeechSegment, index: number) => Promise<void> {
  const synth = createToneSynth('audio/pcm');
  return async (segment, index) => {
    const { startMs, endMs, settings } = segment;
    const spanMs = Math.max(0, endMs - startMs);
    const heard = heardWords(index, Math.max(1, Math.floor(spanMs / MS_PER_WORD)));
    /** Where a fraction of the segment lies in the input audio. */
    const at = (fraction: number) => startMs + fraction * spanMs;
    // Segments after the first are separated by a space, so the transcripts read on.
    const lead = index === 0 ? '' : ' ';
    if (settings.inputTranscription) {
      const deltas = withLead(lead, toDeltas(sentence(heard)));
      for (const [position, delta] of deltas.entries()) {
        if (!(await step(position === 0 ? 0 : TEXT_DELTA_MS))) return;
        output.inputTranscript(delta, at((position + 1) / deltas.length));
      }
    }
    const text = sentence(translatedWords(heard, settings.language));
    const deltas = withLead(lead, toDeltas(text));
    const totalMs = Math.max(AUDIO_CHUNK_MS * 3, text.length * MS_PER_CHARACTER);
    const chunks = Math.ceil(totalMs / AUDIO_CHUNK_MS);
    const transcriptEvery = Math.max(1, Math.floor(chunks / Math.max(1, deltas.length)));
    let nextDelta = 0;
    for (let chunk = 0; chunk < chunks; chunk++) {
      const fraction = (chunk + 1) / chunks;
      if (chunk % transcriptEvery === 0 && nextDelta < deltas.length) {
        if (!(await step(0))) return;
        output.outputTranscript(deltas[nextDelta++] as string, at(fraction));
      }
      if (!(await step(chunk === 0 ? 0 : AUDIO_CHUNK_MS))) return;
      const tone = synth(Math.min(AUDIO_CHUNK_MS, totalMs - chunk * AUDIO_CHUNK_MS));
      output.audio(new Int16Array(tone.buffer, tone.byteOffset, tone.length >> 1), at(fraction));
      // Under `fast` pacing, no faster than the client reads.
      await output.ready();
    }
    for (const delta of deltas.slice(nextDelta)) {
      if (!(await step(0))) return;
      output.outputTranscript(delta, endMs);
    }
  };
}

/** `deltas` with `lead` before the first, so a separating space rides on a word. */
function withLead(lead: string, deltas: string[]): string[] {
  if (deltas.length > 0) deltas[0] = lead + deltas[0];
  return deltas;
}

/** Words as a sentence: the first capitalized, a full stop at the end. */
function sentence(words: readonly string[]): string {
  const text = words.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}
