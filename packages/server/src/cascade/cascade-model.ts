import type { RealtimeConversationItem } from '@rtwire/types';
import {
  type RealtimeModel,
  RealtimeModelError,
  type ResponseOutput,
  type ResponseRequest,
} from '../model.ts';
import { decodeBase64 } from '../pcm.ts';
import type { TranslationModel } from '../translation/translation-model.ts';
import { CascadeBackendError } from './backend-error.ts';
import {
  type CascadeModelOptions,
  type CascadeSettings,
  heldBytesOf,
  resolveCascadeOptions,
  type Stage,
} from './cascade-options.ts';
import { cascadeTranslation, translationHeldBytes } from './cascade-translation.ts';
import { chatMessages, chatToolChoice, chatTools, type HeardText } from './chat-request.ts';
import { readChatStream } from './chat-stream.ts';
import { SentenceSplitter } from './sentence-splitter.ts';
import { speechRequest } from './speech-request.ts';
import { SpokenOutput } from './spoken-output.ts';
import { callOptions, stageCalls } from './stage-calls.ts';
import { within } from './text-bound.ts';
import { ToolCallStream } from './tool-call-stream.ts';
import { type TranscribeAudioRequest, transcribeAudio } from './transcribe-audio.ts';

export type { CascadeModelOptions } from './cascade-options.ts';

/**
 * A Realtime model made of three plain OpenAI HTTP APIs, for servers that have no Realtime
 * endpoint (Ollama, vLLM, LocalAI, speaches, llama.cpp): committed input audio goes to
 * `/audio/transcriptions`, the conversation to a streamed `/chat/completions` (tools as
 * `tools`, calls back as function-call items), and, in an audio response, each sentence to
 * `/audio/speech` while the chat stream goes on. The engine owns the protocol; this model
 * owns the HTTP calls. Cancelling a response aborts every request of it at once.
 *
 * What a backend sends is bounded: text per response (`maxTextChars`), calls per response
 * (`maxToolCalls`), arguments per call (`maxToolArgumentsChars`), and one SSE event (six
 * times the larger of the two character bounds, plus 64 KiB); the engine splits long deltas
 * into frames of at most 16,384 characters (audio: 32,768 bytes). Speech is read no faster
 * than the session sends (`ResponseOutput.ready`). So one response holds at most
 * {@link RealtimeModel.maxHeldBytes} in the cascade's own buffers. `input_image` URLs other
 * than `data:` are refused unless `imageUrls` allows them.
 *
 * The same object serves translation sessions (`translate`, for `createTranslationSession`):
 * speech segments transcribed, translated by the chat model into the session's language and
 * spoken sentence by sentence, the next segment transcribed while one is spoken.
 *
 * @example
 * ```ts
 * import { createCascadeModel, createRealtimeSession } from '@rtwire/server';
 *
 * const model = createCascadeModel({
 *   baseURL: 'http://127.0.0.1:11434/v1',
 *   chatModel: 'llama3.2',
 *   transcriptionModel: 'Systran/faster-whisper-small',
 *   speechModel: 'speaches-ai/Kokoro-82M-v1.0-ONNX',
 *   voice: 'af_heart',
 *   endpoints: { transcription: { baseURL: 'http://127.0.0.1:8000/v1' }, speech: { baseURL: 'http://127.0.0.1:8000/v1' } },
 * });
 * const session = createRealtimeSession({ model, send: (frame) => ws.send(frame, { binary: false }) });
 * ```
 */
export function createCascadeModel(options: CascadeModelOptions): RealtimeModel & TranslationModel {
  const settings = resolveCascadeOptions(options);
  const model: RealtimeModel & TranslationModel = {
    readsTranscripts: true,
    maxHeldBytes: heldBytesOf(settings),
    maxTranslationHeldBytes: translationHeldBytes(settings),
    respond: (request, output, signal) => respond(settings, request, output, signal),
    translate: cascadeTranslation(settings),
  };
  if (settings.transcription !== undefined) {
    model.transcribe = (request, signal) => transcribe(settings, request, signal);
  }
  return model;
}

/** Input audio through the transcription stage (configured: the caller checked). */
function transcribe(
  settings: CascadeSettings,
  request: Omit<TranscribeAudioRequest, 'model'>,
  signal: AbortSignal,
): Promise<string> {
  const stage = settings.transcription as Stage;
  return transcribeAudio(callOptions(settings, stage.endpoint, signal), {
    ...request,
    model: stage.model,
  });
}

type MessageItem = RealtimeConversationItem & { type: 'message' };

async function respond(
  settings: CascadeSettings,
  request: ResponseRequest,
  output: ResponseOutput,
  signal: AbortSignal,
): Promise<void> {
  // One signal for every request of this response: the engine's cancel, or a failed stage.
  const calls = stageCalls(settings, signal);
  try {
    const messages = await chatMessages(
      request,
      heardText(settings, request, calls.signal),
      settings.images,
    );
    const chat = calls.call('chat', settings.chat.endpoint);
    const response = await chat.send('chat/completions', {
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify(chatBody(settings, request, messages)),
    });
    const speech = request.modality === 'audio' ? settings.speech : undefined;
    const spoken =
      speech === undefined
        ? undefined
        : new SpokenOutput({
            output,
            format: request.outputAudioFormat,
            lookahead: settings.lookahead,
            speak: speechRequest(calls.call, speech, speech.voice ?? request.voice),
          });
    if (spoken !== undefined) spoken.onFailure = (error) => calls.abort(error);
    const splitter = spoken === undefined ? undefined : new SentenceSplitter();
    /** Writes in order: after the sentences queued for speech, or at once. */
    const write = (doWrite: () => void) =>
      spoken === undefined ? doWrite() : spoken.after(doWrite);
    const sayRest = () => {
      const rest = splitter?.flush();
      if (rest !== undefined) spoken?.say(rest);
    };
    const { bounds } = settings;
    const toolCalls = new ToolCallStream({
      output,
      write,
      malformed: () => chat.error({ failure: 'malformed' }),
      maxCalls: bounds.maxToolCalls,
      maxArgumentsChars: bounds.maxToolArgumentsChars,
      tooLarge: (which) =>
        which === 'maxCalls'
          ? chat.error({
              failure: 'too_large',
              bound: { option: 'maxToolCalls', limit: bounds.maxToolCalls, unit: 'calls' },
            })
          : chat.error({
              failure: 'too_large',
              bound: {
                option: 'maxToolArgumentsChars',
                limit: bounds.maxToolArgumentsChars,
                unit: 'characters of arguments in one call',
              },
            }),
    });
    let finishReason: string | undefined;
    let textLeft = bounds.maxTextChars;
    for await (const part of readChatStream(chat, response, bounds.maxEventChars)) {
      switch (part.type) {
        case 'text': {
          const delta = within(part.delta, textLeft);
          textLeft -= delta.length;
          if (splitter === undefined) output.text(delta);
          else for (const sentence of splitter.push(delta)) spoken?.say(sentence);
          if (delta.length < part.delta.length) finishReason = TEXT_BOUND;
          break;
        }
        case 'tool-call':
          // What was said before the call is spoken before it starts.
          sayRest();
          toolCalls.push(part);
          break;
        case 'usage':
          output.usage(part.usage);
          break;
        case 'finish':
          finishReason = part.reason;
          break;
      }
      // Past the text bound the rest of the stream is not read: the response ends here.
      if (finishReason === TEXT_BOUND) break;
      // Read no faster than the client reads (a no-op while the session keeps up).
      await output.ready();
    }
    sayRest();
    // A call cut off by the text bound is left open: the response ends it `incomplete`.
    if (finishReason !== TEXT_BOUND) toolCalls.end();
    await spoken?.finished();
    if (finishReason === 'length' || finishReason === TEXT_BOUND) {
      output.incomplete('max_output_tokens');
    } else if (finishReason === 'content_filter') output.incomplete('content_filter');
  } finally {
    // Whatever is still open (speech asked ahead, a body not read) closes with the response.
    calls.close();
  }
}

/** Not a backend's `finish_reason`: the cascade's own, for text past `maxTextChars`. */
const TEXT_BOUND = 'rtwire:max_text_chars';

function chatBody(
  settings: CascadeSettings,
  request: ResponseRequest,
  messages: readonly unknown[],
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: settings.chat.model,
    messages,
    stream: true,
    stream_options: { include_usage: true },
  };
  const tools = chatTools(request.tools);
  if (tools.length > 0) {
    body.tools = tools;
    const choice = chatToolChoice(request.toolChoice);
    if (choice !== undefined) body.tool_choice = choice;
  }
  if (typeof request.maxOutputTokens === 'number') {
    body[settings.maxTokensParameter] = request.maxOutputTokens;
  }
  return body;
}

/**
 * What user audio said: its transcript, the one the engine had made, or, for audio a client
 * put in an item itself, one made now. The last user turn must have been heard: a response
 * to words nobody could read fails, naming the transcription stage.
 */
function heardText(
  settings: CascadeSettings,
  request: ResponseRequest,
  signal: AbortSignal,
): HeardText {
  const lastUser = [...request.items]
    .reverse()
    .find((item): item is MessageItem => item.type === 'message' && item.role === 'user');
  return async (item, index) => {
    const part = item.content[index] as { transcript?: unknown; audio?: unknown } | undefined;
    let text: string | undefined =
      typeof part?.transcript === 'string' && part.transcript !== '' ? part.transcript : undefined;
    if (text === undefined && typeof item.id === 'string') {
      text = await request.transcript(item.id);
    }
    if (text === undefined && typeof part?.audio === 'string' && settings.transcription) {
      const audio = decodeBase64(part.audio);
      if (audio !== undefined && audio.length > 0) {
        text = await transcribe(
          settings,
          { audio, format: request.inputAudioFormat, settings: {} },
          signal,
        );
      }
    }
    if (text === undefined && item === lastUser && item.content.length === 1) {
      if (settings.transcription === undefined) {
        throw new CascadeBackendError({ stage: 'transcription', failure: 'not_configured' });
      }
      throw new RealtimeModelError(
        'transcription backend: the user audio has no transcript, so the chat model cannot answer it',
        { code: 'input_audio_not_transcribed', expose: true },
      );
    }
    return text;
  };
}
