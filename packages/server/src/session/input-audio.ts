import { ServerEvents } from '@rtwire/builders';
import type { ClientEventOf } from '@rtwire/types';
import type { EngineSession } from '../model.ts';
import { type AudioFormatType, decodeBase64 } from '../pcm.ts';
import {
  createEnergyTurnDetector,
  type TurnDetector,
  type TurnDetectorFactory,
  type TurnEvent,
} from '../turn-detection.ts';
import type { EngineContext } from './engine-context.ts';
import { InputAudioBuffer } from './input-audio-buffer.ts';
import type { CommittedAudio } from './input-transcriptions.ts';
import { refusals } from './refusals.ts';
import {
  audioFormatOf,
  type TurnBehaviour,
  turnBehaviourOf,
  turnDetectionOf,
} from './session-config.ts';
import {
  LISTENING,
  MIN_COMMIT_MS,
  type TurnEffect,
  type TurnFacts,
  type TurnInput,
  type TurnState,
  turnTransition,
} from './turn-taking.ts';

/**
 * What input audio needs of the rest of its session.
 *
 * @example
 * ```ts
 * const host: InputAudioHost = {
 *   responseActive: () => responses.active,
 *   interruptResponse: () => responses.cancel('turn_detected'),
 *   createResponse: () => responses.start({}, undefined),
 *   committed: (committed) => items.commitInputAudio(committed.itemId, committed.durationMs),
 * };
 * ```
 */
export interface InputAudioHost {
  /** Whether a response is streaming. */
  responseActive(): boolean;
  /** A barge-in: cancel the active response (`turn_detected`). */
  interruptResponse(): void;
  /** Start a response, as server VAD does when a turn ends or the user stays silent. */
  createResponse(): void;
  /** The buffer was committed as the user audio item `committed.itemId`. */
  committed(committed: CommittedAudio): void;
}

/** The current detector, and the settings it was made for. */
interface Detection {
  readonly detector: TurnDetector;
  readonly key: string;
}

/**
 * The input audio concern: the buffer (`input_audio_buffer.append`, `.commit`, `.clear`), the
 * turn detector made from the session's settings, and turn taking, whose states and
 * transitions are `turn-taking.ts`: this runs the effects a transition asks for (the events,
 * the commit, the barge-in, the response, the idle timer).
 *
 * @example
 * ```ts
 * const input = new InputAudio(context, host, options.turnDetector);
 * input.configure(session, true);
 * input.append(event); // the detector hears it; a turn it reports is acted on
 * input.responseEnded(2400); // server VAD's idle timeout armed, when the session has one
 * ```
 */
export class InputAudio {
  readonly #context: EngineContext;
  readonly #host: InputAudioHost;
  readonly #detectorFactory: TurnDetectorFactory | undefined;
  readonly #buffer = new InputAudioBuffer();
  #state: TurnState = LISTENING;
  #detection: Detection | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** The input format and turn behaviour of the settings in effect, read when they change. */
  #format: AudioFormatType = 'audio/pcm';
  #behaviour: TurnBehaviour | undefined;
  /** What transitions read, live: made once, read only when a transition needs it. */
  readonly #facts: TurnFacts;

  constructor(
    context: EngineContext,
    host: InputAudioHost,
    detectorFactory: TurnDetectorFactory | undefined,
  ) {
    this.#context = context;
    this.#host = host;
    this.#detectorFactory = detectorFactory;
    const input = this;
    this.#facts = {
      get bufferedMs() {
        return input.#buffer.durationMs(input.#format);
      },
      get sessionMs() {
        return input.#buffer.sessionMs;
      },
      get responseActive() {
        return host.responseActive();
      },
      get behaviour() {
        return input.#behaviour;
      },
      newItemId: () => context.id('item'),
    };
  }

  /** Where turn taking stands. */
  get turnState(): TurnState {
    return this.#state;
  }

  /** Bytes of audio kept for transcription (at most 15 MiB). */
  get keptBytes(): number {
    return this.#buffer.keptBytes;
  }

  /**
   * Applies the session's settings: whether audio is kept (`keepAudio`: a transcription may
   * need it), and a new turn detector when its settings or the input format changed.
   */
  configure(session: EngineSession, keepAudio: boolean): void {
    this.#buffer.keepAudio = keepAudio;
    this.#behaviour = turnBehaviourOf(session);
    const settings = turnDetectionOf(session);
    const format = audioFormatOf(session, 'input');
    this.#format = format;
    const key = settings === undefined ? '' : `${format} ${JSON.stringify(settings)}`;
    if (key === (this.#detection?.key ?? '')) return;
    this.#closeDetector();
    this.#detection = undefined;
    this.#step({ type: 'detector_replaced', detecting: settings !== undefined });
    if (settings === undefined) return;
    // Set once the detector exists: a report from inside the factory, or from a detector
    // since replaced or closed, is not the current detector's and is dropped.
    let detection: Detection | undefined;
    const context = {
      settings,
      format,
      report: (reported: TurnEvent) => {
        // A detector may report from its own timer or promise: the guard is the session's.
        if (detection !== undefined && this.#detection === detection) {
          this.#context.guard(() => this.#onTurn(reported));
        }
      },
    };
    let detector: TurnDetector | undefined;
    try {
      detector = this.#detectorFactory?.(context);
    } catch {
      detector = undefined;
    }
    detection = { detector: detector ?? createEnergyTurnDetector(context), key };
    this.#detection = detection;
  }

  /** `input_audio_buffer.append`: buffered, and heard by the detector. */
  append(event: ClientEventOf<'input_audio_buffer.append'>): void {
    const bytes = decodeBase64(event.audio);
    if (bytes === undefined) {
      this.#context.refuse(refusals.audioNotBase64(), event.event_id);
      return;
    }
    const span = this.#buffer.append(bytes, this.#format);
    const detection = this.#detection;
    if (detection === undefined) return;
    try {
      detection.detector.append(bytes, span);
    } catch {
      // A custom detector that throws detects nothing; the session goes on.
    }
  }

  /** `input_audio_buffer.commit`: ends a turn in progress first, as the live API does. */
  commit(eventId: string | null | undefined): void {
    this.#step({ type: 'commit', eventId });
  }

  /** `input_audio_buffer.clear`. */
  clear(): void {
    this.#buffer.clear();
    this.#step({ type: 'clear' });
    this.#context.emit(ServerEvents.inputAudioBufferCleared(this.#context.nextEventId()));
  }

  /** A response in the conversation started: the idle clock stops. */
  responseStarted(): void {
    this.#step({ type: 'response_started' });
  }

  /**
   * A response in the conversation ended, having streamed `audioMs` of audio: server VAD's
   * idle timeout counts from when that audio would have finished playing, as the live API
   * counts it.
   */
  responseEnded(audioMs: number): void {
    this.#step({ type: 'response_ended', audioMs });
  }

  /** Stops the timer and the detector; nothing happens afterwards. */
  close(): void {
    this.#step({ type: 'close' });
    this.#closeDetector();
    this.#detection = undefined;
  }

  #onTurn(event: TurnEvent): void {
    if (this.#context.closed) return;
    this.#step(
      event.type === 'speech_started'
        ? { type: 'speech_started', audioStartMs: event.audioStartMs }
        : { type: 'speech_stopped', audioEndMs: event.audioEndMs },
    );
  }

  /** One transition: the state is set first, since an effect (a barge-in) may step again. */
  #step(input: TurnInput): void {
    const step = turnTransition(this.#state, input, this.#facts);
    this.#state = step.state;
    for (const effect of step.effects) this.#run(effect);
  }

  #run(effect: TurnEffect): void {
    const context = this.#context;
    switch (effect.type) {
      case 'arm_idle': {
        const timer = setTimeout(
          () =>
            context.guard(() => {
              if (this.#idleTimer !== timer) return;
              this.#idleTimer = undefined;
              this.#step({ type: 'idle_timeout' });
            }),
          effect.delayMs,
        );
        this.#idleTimer = timer;
        return;
      }
      case 'disarm_idle':
        if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
        this.#idleTimer = undefined;
        return;
      case 'speech_started':
        context.emit(
          ServerEvents.inputAudioBufferSpeechStarted(
            context.nextEventId(),
            wholeMs(effect.audioStartMs),
            effect.itemId,
          ),
        );
        return;
      case 'speech_stopped':
        context.emit(
          ServerEvents.inputAudioBufferSpeechStopped(
            context.nextEventId(),
            wholeMs(effect.audioEndMs),
            effect.itemId,
          ),
        );
        return;
      case 'interrupt_response':
        this.#host.interruptResponse();
        return;
      case 'timeout_triggered':
        context.emit(
          ServerEvents.inputAudioBufferTimeoutTriggered(
            context.nextEventId(),
            wholeMs(effect.startMs),
            Math.max(wholeMs(effect.startMs), wholeMs(this.#buffer.sessionMs)),
            effect.itemId,
          ),
        );
        return;
      case 'commit_too_short':
        context.refuse(refusals.commitTooShort(MIN_COMMIT_MS, effect.bufferedMs), effect.eventId);
        return;
      case 'commit': {
        const format = this.#format;
        const durationMs = this.#buffer.durationMs(format);
        const audio = this.#buffer.take();
        this.#resetDetector();
        this.#host.committed({ itemId: effect.itemId, audio, format, durationMs });
        return;
      }
      case 'reset_detector':
        this.#resetDetector();
        return;
      case 'create_response':
        this.#host.createResponse();
        return;
      default: {
        const unknown: never = effect;
        throw new TypeError(`InputAudio: unknown effect ${JSON.stringify(unknown)}`);
      }
    }
  }

  #resetDetector(): void {
    try {
      this.#detection?.detector.reset();
    } catch {
      // As in append: a throwing detector must not take the session down.
    }
  }

  #closeDetector(): void {
    try {
      this.#detection?.detector.close?.();
    } catch {
      // As in append and reset: a custom detector that throws must not take the session down.
    }
  }
}

/** Audio times go out as whole milliseconds (the events' fields are integers). */
function wholeMs(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? Math.floor(ms) : 0;
}
