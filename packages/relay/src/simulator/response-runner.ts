import { type CancelReason, ResponseWriter } from '@rtwire/builders';
import type { RealtimeResponseUsage, RealtimeServerEvent } from '@rtwire/types';
import type { Pacer } from './pacer.ts';
import { type AudioFormatType, createToneSynth, encodeBase64 } from './pcm.ts';
import { type SimulatedReply, toDeltas } from './reply.ts';

/** Milliseconds of audio per `response.output_audio.delta` (6,400 base64 chars of PCM16). */
export const AUDIO_CHUNK_MS = 100;
/** Spoken length of one character of the transcript. */
const MS_PER_CHARACTER = 60;
/** Pause between text deltas under realtime pacing. */
const TEXT_DELTA_MS = 25;

/** What a response is made of. */
export interface ResponsePlan {
  readonly responseId: string;
  readonly itemId: string;
  readonly callId: string;
  readonly reply: SimulatedReply;
  readonly modality: 'text' | 'audio';
  readonly outputFormat: AudioFormatType;
  readonly voice: string;
  readonly conversationId: string | null;
  readonly previousItemId: string | null;
  readonly metadata: Readonly<Record<string, string>> | null;
  readonly inputTokens: number;
}

/** A response being streamed. */
export interface RunningResponse {
  readonly responseId: string;
  /** Ends the response now with `status: 'cancelled'`. */
  cancel(reason: CancelReason): void;
  /** False once `response.done` was emitted. */
  readonly active: boolean;
}

/**
 * Streams one response through a {@link ResponseWriter} on the pacer: the writer gets the
 * order and the done payloads right, the pacer spaces audio at playback speed. Audio is a
 * synthetic tone as long as the transcript would take to say.
 */
export function runResponse(
  plan: ResponsePlan,
  pacer: Pacer,
  emit: (event: RealtimeServerEvent) => void,
  nextEventId: () => string,
  onDone: (audioMs: number) => void,
): RunningResponse {
  let active = true;
  let audioMs = 0;
  const writer = new ResponseWriter({
    responseId: plan.responseId,
    emit,
    eventIds: nextEventId,
    conversationId: plan.conversationId,
    inConversation: plan.conversationId !== null,
    previousItemId: plan.previousItemId,
    outputModalities: [plan.modality],
    maxOutputTokens: 'inf',
    metadata: plan.metadata,
    audio: { output: { format: formatObject(plan.outputFormat), voice: plan.voice } },
  });
  const finish = (outputText: string) => {
    active = false;
    writer.done({ usage: usageOf(plan.inputTokens, outputText, audioMs) });
    onDone(audioMs);
  };

  pacer.push(() => writer.start());
  if (plan.reply.kind === 'function_call') {
    const { name, arguments: args } = plan.reply;
    let call: ReturnType<ResponseWriter['functionCall']> | undefined;
    pacer.push(() => {
      call = writer.functionCall({ itemId: plan.itemId, callId: plan.callId, name });
    });
    for (const delta of args.match(/.{1,16}/gs) ?? []) {
      pacer.push(() => call?.arguments(delta), TEXT_DELTA_MS);
    }
    pacer.push(() => {
      call?.done();
      finish(args);
    });
  } else {
    const text = plan.reply.text;
    const deltas = toDeltas(text);
    let message: ReturnType<ResponseWriter['message']> | undefined;
    pacer.push(() => {
      message = writer.message({ itemId: plan.itemId, modality: plan.modality });
    });
    if (plan.modality === 'text') {
      for (const delta of deltas) pacer.push(() => message?.text(delta), TEXT_DELTA_MS);
    } else {
      const synth = createToneSynth(plan.outputFormat);
      const totalMs = Math.max(AUDIO_CHUNK_MS * 3, text.length * MS_PER_CHARACTER);
      const chunks = Math.ceil(totalMs / AUDIO_CHUNK_MS);
      // The transcript runs ahead of the audio, as the live API streams it.
      const transcriptEvery = Math.max(1, Math.floor(chunks / Math.max(1, deltas.length)));
      let nextDelta = 0;
      for (let chunk = 0; chunk < chunks; chunk++) {
        if (chunk % transcriptEvery === 0 && nextDelta < deltas.length) {
          const delta = deltas[nextDelta++] as string;
          pacer.push(() => message?.transcript(delta));
        }
        const durationMs = Math.min(AUDIO_CHUNK_MS, totalMs - chunk * AUDIO_CHUNK_MS);
        pacer.push(
          () => {
            message?.audio(encodeBase64(synth(durationMs)));
            audioMs += durationMs;
          },
          chunk === 0 ? 0 : AUDIO_CHUNK_MS,
        );
      }
      for (const delta of deltas.slice(nextDelta)) pacer.push(() => message?.transcript(delta));
    }
    pacer.push(() => {
      message?.done();
      finish(text);
    });
  }

  return {
    responseId: plan.responseId,
    get active() {
      return active;
    },
    cancel(reason) {
      if (!active) return;
      active = false;
      pacer.clear();
      writer.cancel(reason, usageOf(plan.inputTokens, '', audioMs));
      onDone(audioMs);
    },
  };
}

function formatObject(format: AudioFormatType) {
  return format === 'audio/pcm' ? { type: format, rate: 24_000 as const } : { type: format };
}

/** Token counts in the live API's shape; about four characters a token, 50 audio tokens a second. */
function usageOf(inputTokens: number, outputText: string, audioMs: number): RealtimeResponseUsage {
  const textTokens = Math.ceil(outputText.length / 4);
  const audioTokens = Math.ceil(audioMs / 20);
  const outputTokens = textTokens + audioTokens;
  return {
    total_tokens: inputTokens + outputTokens,
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    input_token_details: {
      text_tokens: inputTokens,
      audio_tokens: 0,
      image_tokens: 0,
      cached_tokens: 0,
      cached_tokens_details: { text_tokens: 0, audio_tokens: 0, image_tokens: 0 },
    },
    output_token_details: { text_tokens: textTokens, audio_tokens: audioTokens },
  };
}
