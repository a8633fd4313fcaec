import { createInProcessSocket } from '../sockets/in-process-socket.ts';
import type { UpstreamConnector } from './upstream-connector.ts';

/** Options of {@link createSimulatorConnector}. */
export interface SimulatorConnectorOptions {
  /** `realtime` paces audio at playback speed; `fast` sends as fast as it is made. */
  readonly pace?: 'realtime' | 'fast';
  /** Bytes held for a paused session before it is closed with 1013 (default 64 MiB). */
  readonly maxQueuedBytes?: number;
  /**
   * Most bytes each session's conversation holds before its oldest items leave (default 16
   * MiB). What the simulator holds counts in the relay's session and process-wide buffer
   * budgets.
   */
  readonly maxConversationBytes?: number;
  /**
   * The form of the simulator's frames (default `bytes`): UTF-8 bytes suit sockets that send
   * bytes as text (`ws`); `string` suits web-standard sockets, which send bytes as binary.
   */
  readonly frames?: 'bytes' | 'string';
}

/**
 * An upstream connector that runs the embedded simulator in-process, so a relay works with
 * no key and no network. `?intent=transcription` gets a transcription session, as upstream.
 *
 * @example
 * ```ts
 * const connectUpstream = createSimulatorConnector({ pace: 'realtime' });
 * ```
 */
export function createSimulatorConnector(
  options: SimulatorConnectorOptions = {},
): UpstreamConnector {
  return async ({ model, intent }) => {
    // Loaded on first use: a relay with a real upstream never loads the simulator.
    const { createSimulatorSession } = await import('../simulator/index.ts');
    return createInProcessSocket(
      (callbacks) =>
        createSimulatorSession({
          ...callbacks,
          model,
          type: intent === 'transcription' ? 'transcription' : 'realtime',
          pace: options.pace ?? 'realtime',
          frames: options.frames ?? 'bytes',
          ...(options.maxConversationBytes === undefined
            ? {}
            : { maxConversationBytes: options.maxConversationBytes }),
        }),
      options.maxQueuedBytes === undefined ? {} : { maxQueuedBytes: options.maxQueuedBytes },
    );
  };
}
