import {
  type RelaySessionLimits,
  type RelaySessionOptions,
  startRelaySession,
} from '../src/relay-session.ts';
import type { DuplexSocket } from '../src/sockets/duplex-socket.ts';
import { MemorySocket } from './memory-socket.ts';
import { tick } from './wait.ts';

/** Limits that stay out of a test's way: frames to 64 KiB, no rate limit, 1 MiB buffered. */
export const roomyLimits: RelaySessionLimits = {
  maxFrameBytes: 64 * 1024,
  rateLimitPerSecond: 0,
  rateLimitBurst: 1,
  highWaterBytes: 64 * 1024,
  hardLimitBytes: 1024 * 1024,
};

/** What {@link openMemorySession} starts the session with, besides its two sockets. */
export type MemorySessionOptions = Partial<
  Omit<RelaySessionOptions, 'client' | 'connectUpstream'>
> & {
  /** The socket the session gets for its client (default: the memory socket itself). */
  readonly wrapClient?: (client: MemorySocket) => DuplexSocket;
};

/**
 * A relay session between two memory sockets (model `gpt-realtime`, {@link roomyLimits}
 * unless `options` say otherwise), once it has connected its upstream (one tick).
 */
export async function openMemorySession(options: MemorySessionOptions = {}) {
  const { wrapClient, ...rest } = options;
  const client = new MemorySocket();
  const upstream = new MemorySocket();
  const session = startRelaySession({
    model: 'gpt-realtime',
    limits: roomyLimits,
    ...rest,
    client: wrapClient === undefined ? client : wrapClient(client),
    connectUpstream: async () => upstream,
  });
  await tick();
  return { client, upstream, session };
}
