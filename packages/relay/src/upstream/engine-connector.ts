import type { RealtimeModel } from '@rtwire/server';
import { createInProcessSocket } from '../sockets/in-process-socket.ts';
import type { UpstreamConnector } from './upstream-connector.ts';

/** Options of {@link createEngineConnector}. */
export interface EngineConnectorOptions {
  /**
   * The model every session is answered by (shared: keep per-session state out of it), or a
   * function that makes it on the first session, so a module it needs loads only then.
   */
  readonly model: RealtimeModel | (() => RealtimeModel | Promise<RealtimeModel>);
  /** What `session.model` reports when the client names no model. */
  readonly modelName: string;
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
   * bytes as text (`ws`); `string` suits web-standard sockets, which send bytes as binary.
   */
  readonly frames?: 'bytes' | 'string';
}

/**
 * An upstream connector that answers each session in-process with the engine of
 * `@rtwire/server` and your model, so the relay serves the Realtime protocol itself (from a
 * cascade over an OpenAI-compatible model server, or any {@link RealtimeModel}).
 * `?intent=transcription` gets a transcription session, as upstream.
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
  let made: Promise<RealtimeModel> | undefined;
  const modelOf = () => {
    const { model } = options;
    made ??= Promise.resolve(typeof model === 'function' ? model() : model);
    return made;
  };
  return async ({ model, intent }) => {
    // Loaded on first use, like the simulator: a relay to a real upstream never loads it.
    const { createRealtimeSession } = await import('@rtwire/server');
    const engineModel = await modelOf();
    return createInProcessSocket(
      (callbacks) =>
        createRealtimeSession({
          ...callbacks,
          model: engineModel,
          modelName: model ?? options.modelName,
          type: intent === 'transcription' ? 'transcription' : 'realtime',
          frames: options.frames ?? 'bytes',
          ...(options.maxConversationBytes === undefined
            ? {}
            : { maxConversationBytes: options.maxConversationBytes }),
        }),
      options.maxQueuedBytes === undefined ? {} : { maxQueuedBytes: options.maxQueuedBytes },
    );
  };
}
