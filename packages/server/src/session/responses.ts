import { ServerEvents } from '@rtwire/builders';
import type { ClientEventOf } from '@rtwire/types';
import { frozenCopy } from '../frozen.ts';
import type {
  FunctionCallOutput,
  RealtimeModel,
  ResponseOutput,
  ResponseRequest,
} from '../model.ts';
import type { ConversationItems } from './conversation-items.ts';
import type { EngineContext } from './engine-context.ts';
import type { InputAudio } from './input-audio.ts';
import type { InputTranscriptions } from './input-transcriptions.ts';
import { refusals } from './refusals.ts';
import { type ResponseParams, responseSetup } from './response-request.ts';
import { ResponseStream } from './response-stream.ts';
import type { RateLimit } from './session-options.ts';
import type { SessionSettings } from './session-settings.ts';

/**
 * What the responses concern reads and tells of its session.
 *
 * @example
 * ```ts
 * const responses = new Responses(context, {
 *   model, conversationId, settings, items, transcriptions, inputAudio,
 *   rateLimits: undefined, sendReady: undefined,
 * });
 * ```
 */
export interface ResponsesHost {
  readonly model: RealtimeModel;
  readonly conversationId: string;
  readonly settings: SessionSettings;
  readonly items: ConversationItems;
  readonly transcriptions: InputTranscriptions;
  /** Told when a response in the conversation starts and ends (the idle clock). */
  readonly inputAudio: Pick<InputAudio, 'responseStarted' | 'responseEnded'>;
  rateLimits:
    | ((response: { readonly responseId: string }) => readonly RateLimit[] | undefined)
    | undefined;
  /** Whether `send` can take more (see `RealtimeSessionOptions.sendReady`). */
  sendReady: (() => Promise<void> | undefined) | undefined;
}

/**
 * The responses concern: `response.create` (one at a time, in the conversation or out of
 * band), `response.cancel`, `output_audio_buffer.clear` and a barge-in's cancel, the model
 * asked and its output guarded, `rate_limits.updated` as each starts. A response streams
 * through a {@link ResponseStream}, which owns its events.
 *
 * @example
 * ```ts
 * const responses = new Responses(context, host);
 * responses.create(event); // response.created, rate_limits.updated, then the model's output
 * responses.cancel('turn_detected');
 * ```
 */
export class Responses {
  readonly #context: EngineContext;
  readonly #host: ResponsesHost;
  #current: ResponseStream | undefined;
  /** The running model's abort, until its `respond` settles. */
  #abort: AbortController | undefined;
  #lastResponseId: string | undefined;

  constructor(context: EngineContext, host: ResponsesHost) {
    this.#context = context;
    this.#host = host;
  }

  /** Whether a response is streaming (`response.done` still to come). */
  get active(): boolean {
    return this.#current?.active === true;
  }

  /** What the streaming response holds until `response.done` (0 when none streams). */
  get heldBytes(): number {
    const current = this.#current;
    return current?.active === true ? current.heldBytes : 0;
  }

  /** `response.create`: refused while another response streams. */
  create(event: ClientEventOf<'response.create'>): void {
    const current = this.#current;
    if (current?.active === true) {
      this.#context.refuse(refusals.responseActive(current.responseId), event.event_id);
      return;
    }
    this.start(event.response ?? {}, event.event_id);
  }

  /** Starts a response (a client's, or server VAD's with no `params`). */
  start(params: ResponseParams, eventId: string | null | undefined): void {
    const context = this.#context;
    const host = this.#host;
    const { items } = host;
    const setup = responseSetup(params, host.settings.realtime, () => ({
      responseId: context.id('resp'),
      conversationId: host.conversationId,
      items: items.items,
      lastItemId: items.lastItemId,
    }));
    if (!('plan' in setup)) {
      context.refuse(setup, eventId);
      return;
    }
    const { plan } = setup;
    const inConversation = plan.conversationId !== null;
    // An out-of-band response (a classifier, a summary) is not a turn: the idle clock runs on.
    if (inConversation) host.inputAudio.responseStarted();
    this.#lastResponseId = plan.responseId;
    const stream = new ResponseStream(plan, {
      sink: context.sink,
      nextEventId: context.nextEventId,
      frameEventId: context.frameEventId,
      nextItemId: () => context.id('item'),
      nextCallId: () => context.id('call'),
      onItem: inConversation ? (item, finished) => items.outputItem(item, finished) : () => {},
      onAudio: (itemId, ms) => items.outputAudio(itemId, ms),
      onEnd: (audioMs) => {
        if (inConversation) host.inputAudio.responseEnded(audioMs);
      },
      sendReady: () => (context.closed ? undefined : host.sendReady?.()),
    });
    const abort = new AbortController();
    this.#current = stream;
    this.#abort = abort;
    const request: ResponseRequest = {
      ...setup.request,
      audioDurationMs: (itemId) => items.audioMs(itemId),
      transcript: async (itemId) => {
        await host.transcriptions.finished(itemId);
        return items.transcriptOf(itemId);
      },
    };
    stream.start();
    this.#reportRateLimits(plan.responseId);
    let answer: Promise<void> | void;
    try {
      answer = host.model.respond(request, this.#guardedOutput(stream.output), abort.signal);
    } catch (error) {
      // A model's throw fails its response; a throw from failing it ends the session.
      stream.fail(error);
      return;
    }
    const settled = () => {
      // Nothing runs to be told to stop any more (and a close need not make an abort reason).
      if (this.#abort === abort) this.#abort = undefined;
    };
    Promise.resolve(answer).then(
      () => {
        settled();
        context.guard(() => stream.finish());
      },
      (error: unknown) => {
        settled();
        context.guard(() => stream.fail(error));
      },
    );
  }

  /** Ends the active response as cancelled and tells its model to stop. */
  cancel(reason: 'client_cancelled' | 'turn_detected'): void {
    const current = this.#current;
    if (current?.active !== true) return;
    current.cancel(reason);
    this.#abort?.abort();
  }

  /** `response.cancel`: refused when no response (or not the one named) streams. */
  cancelEvent(event: ClientEventOf<'response.cancel'>): void {
    const current = this.#current;
    const named = event.response_id;
    if (current?.active !== true || (typeof named === 'string' && named !== current.responseId)) {
      this.#context.refuse(refusals.cancelNotActive(), event.event_id);
      return;
    }
    this.cancel('client_cancelled');
  }

  /** `output_audio_buffer.clear`: the response cancelled, the client's playback cleared. */
  clearOutputAudio(event: ClientEventOf<'output_audio_buffer.clear'>): void {
    const context = this.#context;
    const responseId = this.#current?.responseId ?? this.#lastResponseId;
    if (responseId === undefined) {
      context.refuse(refusals.noOutputAudio(), event.event_id);
      return;
    }
    this.cancel('client_cancelled');
    context.emit({
      type: 'output_audio_buffer.cleared',
      event_id: context.nextEventId(),
      response_id: responseId,
    });
  }

  /** Tells a model still running to stop; the session sends nothing more. */
  close(): void {
    this.#abort?.abort();
    this.#abort = undefined;
  }

  /**
   * The response's output as the model gets it: each call passes the session's fault
   * boundary, so a throw inside the engine (a broken `send`, say) ends the session rather than
   * reaching the model, which could swallow it and go on writing to a broken session.
   */
  #guardedOutput(output: ResponseOutput): ResponseOutput {
    const context = this.#context;
    const ignored: FunctionCallOutput = { arguments() {}, done() {} };
    return {
      text: (delta) => {
        try {
          output.text(delta);
        } catch {
          context.fault();
        }
      },
      audio: (chunk) => {
        try {
          output.audio(chunk);
        } catch {
          context.fault();
        }
      },
      functionCall: (call) => {
        let inner = ignored;
        context.guard(() => {
          inner = output.functionCall(call);
        });
        return {
          arguments: (delta) => context.guard(() => inner.arguments(delta)),
          done: () => context.guard(() => inner.done()),
        };
      },
      usage: (usage) => context.guard(() => output.usage(usage)),
      incomplete: (reason) => context.guard(() => output.incomplete(reason)),
      ready: () => {
        let ready: Promise<void> = Promise.resolve();
        context.guard(() => {
          ready = output.ready();
        });
        return ready;
      },
    };
  }

  /** `rate_limits.updated`, as the live API sends it when a response starts. */
  #reportRateLimits(responseId: string): void {
    const rateLimits = this.#host.rateLimits;
    if (rateLimits === undefined) return;
    let limits: RateLimit[] | undefined;
    try {
      const reported = rateLimits({ responseId });
      // Copied inside: limits nested past the bound (or cyclic) are dropped as a throw is.
      limits = Array.isArray(reported) ? frozenCopy([...reported]) : undefined;
    } catch {
      return;
    }
    if (limits === undefined || limits.length === 0) return;
    this.#context.emit(ServerEvents.rateLimitsUpdated(this.#context.nextEventId(), limits));
  }
}
