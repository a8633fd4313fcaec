import { createClient } from '@redis/client';
import type { RedisConnection } from '@rtwire/relay';

/** The longest wait between attempts to reach a Redis that went away. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * The connection `REDIS_URL` names, for the relay's usage store, on `@redis/client` (the core
 * of node-redis). It connects at once and keeps reconnecting, with backoff up to 2 s, for as
 * long as Redis is away; meanwhile (but before the first connection) a command fails at once instead of queueing (the store then
 * fails open or closed, as configured), and the client's errors never reach the process as an
 * unhandled `error` event. `rediss:` connects over TLS.
 *
 * @example
 * ```ts
 * const connection = connectRedis(new URL('redis://127.0.0.1:6379'));
 * const store = new RedisUsageStore(connection.command, { onClose: () => connection.close() });
 * ```
 */
export function connectRedis(url: URL): RedisConnection {
  const client = createClient({
    url: url.href,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2_000,
      reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
    },
  });
  // Failures reach the store through its commands (and its log line per change of state).
  client.on('error', () => {});
  const connected = client.connect().then(
    () => true,
    () => false,
  );
  return {
    // Until the first connection is made a command waits for it (the store's timeout bounds
    // the wait); after that, a command while Redis is away fails at once.
    command: async (args) => {
      if (!client.isReady) await connected;
      return client.sendCommand(args);
    },
    async close() {
      if (await connected) await client.close().catch(() => client.destroy());
      else client.destroy();
    },
  };
}
