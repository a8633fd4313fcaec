import {
  createRealtimeSession,
  createTranslationSession,
  type RealtimeModel,
  type RealtimeSessionOptions,
  type TranslationModel,
} from '@rtwire/server';
import { RtwireError } from '@rtwire/types';
import { createInProcessSocket } from '../sockets/in-process-socket.ts';
import type { UpstreamConnector } from '../upstream/upstream-connector.ts';

/** Options of {@link createEngineConnector}. */
export interface EngineConnectorOptions {
  /**
   * The model every session is answered by (shared: keep per-session state out of it), or a
   * function that makes it on the first session, so a module it needs loads only then.
   */
  readonly model: EngineModel | (() => EngineModel | Promise<EngineModel>);
  /** What `session.model` reports when the client names no model (default `gpt-realtime`). */
  readonly modelName?: string;
  /**
   * What a translation session's `session.model` reports when the client names no model
   * (default `gpt-realtime-translate`).
   */
  readonly translationModelName?: string;
  /** The session's instructions until the client sets its own (default: none). */
  readonly instructions?: string;
  /**
   * Makes each session's `rate_limits.updated` source (called once per session, since a
   * source counts that session's responses). Default: the engine sends none.
   */
  readonly rateLimits?: () => RealtimeSessionOptions['rateLimits'];
  /** Bytes held for a paused session before it is closed with 1013 (default 64 MiB). */
  readonly maxQueuedBytes?: number;
  /**
   * Most bytes each session's conversation holds before its oldest items leave (the engine's
   * `maxConversationBytes`, default 16 MiB). What the engine holds counts in the relay's
   * session and process-wide buffer budgets.
   */
  readonly maxConversationBytes?: number;
  /**
   * The form of the engine's frames (default `bytes`): UTF-8 bytes suit sockets that send
   * bytes as text (`ws`); `string` saves web-standard sockets, which send bytes as binary,
   * from decoding each frame back to text.
   */
  readonly frames?: 'bytes' | 'string';
}

/**
 * A model the engine serves: a Realtime one, which may also translate (the simulator's and
 * the cascade's do) and so serve translation sessions (`/v1/realtime/translations`) too.
 *
 * @example
 * ```ts
 * const model: EngineModel = createSimulatorModel(); // both: respond() and translate()
 * ```
 */
export type EngineModel = RealtimeModel | (RealtimeModel & TranslationModel);

/**
 * An upstream connector that answers each session in process with the engine of
 * `@rtwire/server` and a model, so the relay serves the Realtime protocol itself: the
 * simulator ({@link createSimulatorConnector} is this with the simulator model), a cascade
 * over an OpenAI-compatible model server, or any {@link RealtimeModel}.
 * `?intent=transcription` gets a transcription session, as upstream; a translation session
 * (`kind: 'translation'`) gets the engine's translation session, when the model translates
 * (else the connection fails with `translation_unsupported`, which the client hears as the
 * upstream's failure). A client event the
 * relay has already decoded reaches the engine decoded (`DuplexSocket.send`'s `decoded`).
 *
 * @example
 * ```ts
 * import { createCascadeModel } from '@rtwire/server';
 *
 * const connectUpstream = createEngineConnector({
 *   model: createCascadeModel({ baseURL: 'http://127.0.0.1:11434/v1', chatModel: 'llama3.2' }),
 *   modelName: 'llama3.2',
 * });
 * ```
 */
export function createEngineConnector(options: EngineConnectorOptions): UpstreamConnector {
  let made: Promise<EngineModel> | undefined;
  const modelOf = () => {
    const { model } = options;
    made ??= Promise.resolve(typeof model === 'function' ? model() : model);
    return made;
  };
  return async ({ model, intent, kind }) => {
    const engineModel = await modelOf();
    if (kind === 'translation') {
      if (!('translate' in engineModel) || typeof engineModel.translate !== 'function') {
        throw new RtwireError(
          'translation_unsupported',
          'createEngineConnector: the model has no translate method, so it serves no translation session',
        );
      }
      const translator: TranslationModel = engineModel;
      return createInProcessSocket(
        (callbacks) =>
          createTranslationSession({
            ...callbacks,
            model: translator,
            modelName: model ?? options.translationModelName ?? 'gpt-realtime-translate',
            frames: options.frames ?? 'bytes',
          }),
        options.maxQueuedBytes === undefined ? {} : { maxQueuedBytes: options.maxQueuedBytes },
      );
    }
    const rateLimits = options.rateLimits?.();
    return createInProcessSocket(
      (callbacks) =>
        createRealtimeSession({
          ...callbacks,
          model: engineModel,
          modelName: model ?? options.modelName ?? 'gpt-realtime',
          type: intent === 'transcription' ? 'transcription' : 'realtime',
          frames: options.frames ?? 'bytes',
          ...(options.instructions === undefined ? {} : { instructions: options.instructions }),
          ...(rateLimits === undefined ? {} : { rateLimits }),
          ...(options.maxConversationBytes === undefined
            ? {}
            : { maxConversationBytes: options.maxConversationBytes }),
        }),
      options.maxQueuedBytes === undefined ? {} : { maxQueuedBytes: options.maxQueuedBytes },
    );
  };
}
