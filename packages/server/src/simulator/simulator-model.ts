import { estimateHeldBytes } from '../held-bytes.ts';
import type { RealtimeModel } from '../model.ts';
import { createToneSynth } from '../pcm.ts';
import type { TranslationModel } from '../translation/translation-model.ts';
import { AUDIO_CHUNK_MS, MS_PER_CHARACTER, TEXT_DELTA_MS } from './pacing.ts';
import { deriveReply, toDeltas } from './reply.ts';
import { simulatedTranslation } from './simulated-translation.ts';
import { createStepClock } from './steps.ts';

/** Options of {@link createSimulatorModel}. */
export interface SimulatorModelOptions {
  /** `realtime` paces audio at playback speed (default); `fast` sends as fast as it is made. */
  readonly pace?: 'realtime' | 'fast';
}

/**
 * A deterministic stand-in for a realtime model, for tests and offline development: it
 * echoes the last user input (text, or the length of the audio), reports a tool's output,
 * and calls a function tool the user names, with arguments made from the tool's JSON Schema.
 * Audio is a soft tone as long as the transcript would take to say, streamed with the
 * transcript running ahead, as the live API streams it. A word counts as a token: a reply
 * longer than `max_output_tokens` stops there, `incomplete`. It transcribes input audio as its
 * length, e.g. `(1200 ms of audio)`.
 *
 * The same object serves translation sessions (`translate`): speech segments found by
 * energy, each transcribed and translated into deterministic words of the session's language,
 * and spoken as a tone as long as the translation takes to say; silence makes nothing.
 *
 * @example
 * ```ts
 * const simulator = createSimulatorModel({ pace: 'fast' });
 * const session = createRealtimeSession({ model: simulator, send });
 * const translation = createTranslationSession({ model: simulator, send });
 * ```
 */
export function createSimulatorModel(
  options: SimulatorModelOptions = {},
): RealtimeModel & TranslationModel {
  const pace = options.pace ?? 'realtime';
  return {
    translate: simulatedTranslation(pace),
    async respond(request, output, signal) {
      const step = createStepClock(pace, signal);
      const synth = createToneSynth(request.outputAudioFormat);
      // An estimate, as the rest of the simulator's usage: a walk that no depth or size can break.
      output.usage({ input_tokens: Math.ceil(estimateHeldBytes(request.items) / 16) });
      const reply = deriveReply(request.items, request.tools, request.audioDurationMs);
      if (!(await step(0))) return;
      if (reply.kind === 'function_call') {
        const call = output.functionCall({ name: reply.name });
        for (const delta of reply.arguments.match(/.{1,16}/gs) ?? []) {
          if (!(await step(TEXT_DELTA_MS))) return;
          call.arguments(delta);
        }
        call.done();
        return;
      }
      // A word is a token here: the reply stops at max_output_tokens, as a model's does.
      const limit = request.maxOutputTokens;
      const deltas = toDeltas(reply.text);
      if (limit !== 'inf' && deltas.length > limit) {
        for (const delta of deltas.slice(0, limit)) {
          if (!(await step(TEXT_DELTA_MS))) return;
          output.text(delta);
          if (request.modality === 'audio') output.audio(synth(AUDIO_CHUNK_MS));
        }
        output.incomplete('max_output_tokens');
        return;
      }
      if (request.modality === 'text') {
        for (const delta of deltas) {
          if (!(await step(TEXT_DELTA_MS))) return;
          output.text(delta);
        }
        return;
      }
      const totalMs = Math.max(AUDIO_CHUNK_MS * 3, reply.text.length * MS_PER_CHARACTER);
      const chunks = Math.ceil(totalMs / AUDIO_CHUNK_MS);
      const transcriptEvery = Math.max(1, Math.floor(chunks / Math.max(1, deltas.length)));
      let nextDelta = 0;
      for (let chunk = 0; chunk < chunks; chunk++) {
        if (chunk % transcriptEvery === 0 && nextDelta < deltas.length) {
          if (!(await step(0))) return;
          output.text(deltas[nextDelta++] as string);
        }
        if (!(await step(chunk === 0 ? 0 : AUDIO_CHUNK_MS))) return;
        output.audio(synth(Math.min(AUDIO_CHUNK_MS, totalMs - chunk * AUDIO_CHUNK_MS)));
      }
      for (const delta of deltas.slice(nextDelta)) {
        if (!(await step(0))) return;
        output.text(delta);
      }
    },
    async transcribe(request) {
      return `(${request.durationMs} ms of audio)`;
    },
  };
}
