import type { BackendCall, CascadeEndpoint } from './backend-call.ts';
import type { CascadeStage } from './backend-error.ts';
import type { SpeechStream } from './spoken-output.ts';

/** The speech stage as a cascade is configured with it. */
interface SpeechStage {
  readonly endpoint: CascadeEndpoint;
  readonly model: string;
}

/**
 * What speaks one sentence for a `SpokenOutput`: a `POST /audio/speech` for raw PCM in
 * `voice`, its body streamed as it comes. A response's voice and a translation's default are
 * the callers' to choose; the request is the same.
 *
 * @example
 * ```ts
 * new SpokenOutput({ output, format, speak: speechRequest(call, settings.speech, 'marin') });
 * ```
 */
export function speechRequest(
  call: (stage: CascadeStage, endpoint: CascadeEndpoint) => BackendCall,
  speech: SpeechStage,
  voice: string,
): (sentence: string) => Promise<SpeechStream> {
  return async (sentence) => {
    const speaking = call('speech', speech.endpoint);
    const answer = await speaking.send('audio/speech', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: speech.model, input: sentence, voice, response_format: 'pcm' }),
    });
    return speaking.chunks(answer);
  };
}
