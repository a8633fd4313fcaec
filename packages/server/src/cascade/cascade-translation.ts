import { type SpeechSegment, SpeechSegmenter } from '../translation/speech-segmenter.ts';
import { translateBySegment } from '../translation/translate-by-segment.ts';
import type {
  TranslationModel,
  TranslationOutput,
  TranslationSettings,
} from '../translation/translation-model.ts';
import { WAV_HEADER_BYTES } from './audio-convert.ts';
import { CascadeBackendError } from './backend-error.ts';
import type { CascadeSettings, Stage } from './cascade-options.ts';
import { readChatStream } from './chat-stream.ts';
import { SentenceSplitter } from './sentence-splitter.ts';
import { speechRequest } from './speech-request.ts';
import { SpokenOutput } from './spoken-output.ts';
import { callOptions, stageCalls } from './stage-calls.ts';
import { within } from './text-bound.ts';
import { transcribeAudio } from './transcribe-audio.ts';

/** Speech longer than this without a pause is cut into segments of it (one WAV per segment). */
const MAX_SEGMENT_MS = 15_000;
/**
 * Segments heard and not yet spoken (being transcribed, waiting their turn, or being spoken):
 * at it the cascade stops reading input until one is spoken, so audio waits in the session's
 * bounded backlog, not here.
 */
const MAX_PENDING_SEGMENTS = 3;
/**
 * The most a segment's transcription answer may hold, in bytes: 16 s of speech is a few
 * hundred characters, so this is ample, and each segment waiting its turn holds at most this
 * (twice, as UTF-16) rather than a whole transcription answer's megabyte.
 */
const MAX_SEGMENT_ANSWER_BYTES = 64 * 1024;
/** Bytes of PCM16 24 kHz per ms. */
const BYTES_PER_MS = 48;

/** One segment on its way: its transcript (asked at once), then, in turn, its translation. */
interface Heard {
  /** Where the segment ends in the input: what its output is stamped with. */
  readonly endMs: number;
  /** The settings of its last chunk: the language it is translated into. */
  readonly settings: TranslationSettings;
  /** Resolves once the segment's transcript was reported (or failed): its words, or nothing. */
  readonly words: Promise<string | undefined>;
}

/**
 * The most a cascade's translation session holds in its own buffers, two bytes a character
 * and 48 bytes a ms of audio: each segment heard and not yet said (its audio, the WAV copy
 * of it a transcription in flight sends, its transcript), the segment being cut, one SSE
 * event being parsed and the translation waiting for speech. The session counts it in its
 * `heldBytes`, the figure a host bounds the session by, so nothing held is left out.
 *
 * @example
 * ```ts
 * model.maxTranslationHeldBytes = translationHeldBytes(settings);
 * ```
 */
export function translationHeldBytes(settings: CascadeSettings): number {
  // A segment is cut at the first chunk past the bound: the engine's chunks are at most 1 s.
  const segmentBytes = (MAX_SEGMENT_MS + 1000) * BYTES_PER_MS;
  // The input waits at MAX_PENDING_SEGMENTS heard, but the chunk before may have ended two.
  const heard = MAX_PENDING_SEGMENTS + 1;
  // All three at once, not one after the other: a transcription's answer is read while the
  // segment's audio and its WAV copy are still held.
  const eachHeard = segmentBytes + (WAV_HEADER_BYTES + segmentBytes) + 2 * MAX_SEGMENT_ANSWER_BYTES;
  const { maxEventChars, maxTextChars } = settings.bounds;
  return heard * eachHeard + segmentBytes + 2 * (maxEventChars + maxTextChars);
}

/**
 * A translation session over the cascade's three backends: the input is cut into segments of
 * speech by energy; each segment goes to `/audio/transcriptions` as soon as it ends (its
 * transcript is the input transcript, when the client asked for one), then, one segment
 * after the other, to a streamed `/chat/completions` asked to translate it into the
 * segment's language, whose sentences go to `/audio/speech` as they come (without a speech
 * model, the translation is text only). So the next segment is transcribed while the one
 * before is spoken. A backend's failure costs its segment only: the client hears an `error`
 * event with the cascade's code and message (as a failed response does) and the session goes
 * on. Without a transcription model nothing can be heard: the session ends at once with
 * `backend_not_configured`.
 *
 * @example
 * ```ts
 * const model: TranslationModel = { translate: cascadeTranslation(settings) };
 * ```
 */
export function cascadeTranslation(settings: CascadeSettings): TranslationModel['translate'] {
  return async (request, output, signal) => {
    const transcription = settings.transcription;
    if (transcription === undefined) {
      throw new CascadeBackendError({ stage: 'transcription', failure: 'not_configured' });
    }
    // One signal for every request of the session: the engine's end, or the session closed.
    const session = stageCalls(settings, signal);
    /** The last segment's words: input transcripts go out in the order they were spoken. */
    let lastWords: Promise<unknown> = Promise.resolve();
    const hear = (segment: SpeechSegment): Heard => {
      const transcript = transcribeSegment(settings, transcription, segment, session.signal).catch(
        (error: unknown) => {
          if (!session.signal.aborted) output.error(error);
          return undefined;
        },
      );
      // Not the segment: its audio is let go once it is transcribed, not when it is said.
      const { endMs, settings: segmentSettings } = segment;
      const before = lastWords;
      const words = (async () => {
        const text = await transcript;
        await before;
        if (text !== undefined && text !== '' && segmentSettings.inputTranscription) {
          output.inputTranscript(text, endMs);
        }
        return text;
      })();
      lastWords = words;
      return { endMs, settings: segmentSettings, words };
    };
    const say = async (heard: Heard) => {
      const text = await heard.words;
      if (text === undefined || text.trim() === '' || session.signal.aborted) return;
      try {
        await translateSegment(settings, heard, text, output, session.signal);
      } catch (error) {
        if (!session.signal.aborted) output.error(error);
      }
    };
    try {
      await translateBySegment({
        audio: request.audio,
        segmenter: new SpeechSegmenter({ keepAudio: true, maxSegmentMs: MAX_SEGMENT_MS }),
        signal: session.signal,
        maxPending: MAX_PENDING_SEGMENTS,
        hear,
        say,
      });
    } finally {
      // Whatever is still open (a transcription of a segment never spoken) closes with it.
      session.close();
    }
  };
}

/**
 * One segment's words, from the transcription stage: its call is on the session's signal,
 * which it lets go of when it closes.
 */
function transcribeSegment(
  settings: CascadeSettings,
  stage: Stage,
  segment: SpeechSegment,
  signal: AbortSignal,
): Promise<string> {
  const pcm = segment.pcm ?? new Int16Array(0);
  return transcribeAudio(callOptions(settings, stage.endpoint, signal), {
    model: stage.model,
    audio: new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength),
    format: 'audio/pcm',
    // The source language is the speaker's, which the session does not say: detected.
    settings: {},
    maxAnswerBytes: MAX_SEGMENT_ANSWER_BYTES,
  });
}

/**
 * One segment's translation: the chat stream read as it comes, cut into sentences, each
 * said (its transcript, then its speech) while the next is asked for; every request of it
 * closes when it ends or fails.
 */
async function translateSegment(
  settings: CascadeSettings,
  segment: Pick<Heard, 'endMs' | 'settings'>,
  text: string,
  output: TranslationOutput,
  signal: AbortSignal,
): Promise<void> {
  const calls = stageCalls(settings, signal);
  const elapsedMs = segment.endMs;
  const said = {
    text: (delta: string) => output.outputTranscript(delta, elapsedMs),
    audio: (pcm: Uint8Array) => output.audio(samplesOf(pcm), elapsedMs),
    ready: () => output.ready(),
  };
  try {
    const chat = calls.call('chat', settings.chat.endpoint);
    const response = await chat.send('chat/completions', {
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        model: settings.chat.model,
        messages: [
          { role: 'system', content: translationInstructions(segment.settings.language) },
          { role: 'user', content: text },
        ],
        stream: true,
      }),
    });
    const speech = settings.speech;
    const spoken =
      speech === undefined
        ? undefined
        : new SpokenOutput({
            output: said,
            format: 'audio/pcm',
            lookahead: settings.lookahead,
            // A translation session has no voice setting: the cascade's, else the API's default.
            speak: speechRequest(calls.call, speech, speech.voice ?? 'marin'),
          });
    if (spoken !== undefined) spoken.onFailure = (error) => calls.abort(error);
    const splitter = spoken === undefined ? undefined : new SentenceSplitter();
    let textLeft = settings.bounds.maxTextChars;
    for await (const part of readChatStream(chat, response, settings.bounds.maxEventChars)) {
      // A translation is text: tool calls and usage have nowhere to go here.
      if (part.type !== 'text') continue;
      const delta = within(part.delta, textLeft);
      textLeft -= delta.length;
      if (splitter === undefined) said.text(delta);
      else for (const sentence of splitter.push(delta)) spoken?.say(sentence);
      // Past the text bound the rest of the stream is not read: the translation ends here.
      if (delta.length < part.delta.length) break;
      await output.ready();
    }
    const rest = splitter?.flush();
    if (rest !== undefined) spoken?.say(rest);
    await spoken?.finished();
  } finally {
    calls.close();
  }
}

/**
 * What the chat model is told: the target language by name and code (`Spanish (es)`), as
 * models follow a name better than a code; a code the platform cannot name goes as it is.
 *
 * @example
 * ```ts
 * translationInstructions('es'); // 'Translate the user's words into Spanish (es). …'
 * ```
 */
export function translationInstructions(language: string): string {
  return (
    `Translate the user's words into ${languageName(language)}. ` +
    'Answer with the translation only: no notes, no quotes, no other language.'
  );
}

/** English names of languages, made on first use. */
let languageNames: Intl.DisplayNames | undefined;

function languageName(code: string): string {
  try {
    languageNames ??= new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });
    const name = languageNames.of(code);
    return name === undefined || name === code ? code : `${name} (${code})`;
  } catch {
    // Not a well-formed language tag: said as the client wrote it.
    return code;
  }
}

/** PCM16 bytes as samples: a view when aligned, a copy when not. */
function samplesOf(pcm: Uint8Array): Int16Array {
  const aligned = pcm.byteOffset % 2 === 0 ? pcm : pcm.slice();
  return new Int16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >> 1);
}
