import { CloseCode } from './close-codes.ts';
import type { DuplexSocket, DuplexSocketHandlers } from './duplex-socket.ts';
import type { SimulatorSession } from './simulator/index.ts';
import type { UpstreamConnector } from './upstream-connector.ts';

/** Options of {@link createSimulatorConnector}. */
export interface SimulatorConnectorOptions {
  /** `realtime` paces audio at playback speed; `fast` sends as fast as it is made. */
  readonly pace?: 'realtime' | 'fast';
  /** Bytes held for a paused session before it is closed with 1013 (default 64 MiB). */
  readonly maxQueuedBytes?: number;
}

/**
 * An upstream connector that runs the embedded simulator in-process, so a relay works with
 * no key and no network. The simulator cannot be pushed back on, so while the relay pauses
 * it its frames are queued, up to `maxQueuedBytes`.
 *
 * @example
 * ```ts
 * const connectUpstream = createSimulatorConnector({ pace: 'realtime' });
 * ```
 */
export function createSimulatorConnector(options: SimulatorConnectorOptions = {}): UpstreamConnector {
  return async ({ model }) => {
    // Loaded on first use: a relay with a real upstream never loads the simulator.
    const { createSimulatorSession } = await import('./simulator/index.ts');
    return simulatorSocket(createSimulatorSession, model, options);
  };
}

function simulatorSocket(
  createSimulatorSession: typeof import('./simulator/index.ts').createSimulatorSession,
  model: string | undefined,
  options: SimulatorConnectorOptions,
): DuplexSocket {
  const maxQueuedBytes = options.maxQueuedBytes ?? 64 * 1024 * 1024;
  let handlers: DuplexSocketHandlers | undefined;
  let paused = false;
  let closed = false;
  const queue: (string | Uint8Array)[] = [];
  let queuedBytes = 0;

  const end = (code: number, reason: string) => {
    if (closed) return;
    closed = true;
    queue.length = 0;
    simulator.close();
    handlers?.close(code, reason);
  };
  const flush = () => {
    while (handlers !== undefined && !paused && !closed && queue.length > 0) {
      const frame = queue.shift() as string | Uint8Array;
      queuedBytes -= typeof frame === 'string' ? frame.length : frame.byteLength;
      handlers.message(frame, false);
    }
  };
  const simulator: SimulatorSession = createSimulatorSession({
    model,
    pace: options.pace ?? 'realtime',
    send(frame) {
      if (closed) return;
      if (handlers !== undefined && !paused && queue.length === 0) {
        handlers.message(frame, false);
        return;
      }
      queue.push(frame);
      queuedBytes += typeof frame === 'string' ? frame.length : frame.byteLength;
      if (queuedBytes > maxQueuedBytes) end(CloseCode.tryAgainLater, 'client too slow');
    },
    close(code, reason) {
      end(code, reason);
    },
  });
  return {
    send(data) {
      if (!closed) simulator.receive(data);
    },
    close() {
      if (closed) return;
      closed = true;
      queue.length = 0;
      simulator.close();
    },
    get bufferedAmount() {
      return 0;
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      flush();
    },
    listen(next) {
      handlers = next;
      flush();
    },
  };
}
