/**
 * Sends one command to Redis and resolves its reply (an error reply rejects). `key` is the
 * first key the command touches, for a cluster client that routes by it. node-redis:
 * `(args) => client.sendCommand(args)`; its cluster: `(args, key) => cluster.sendCommand(key,
 * false, args)`; ioredis: `(args) => redis.call(...args)`; an HTTP Redis (Upstash, on
 * Workers): a `fetch` of the command as JSON.
 *
 * @example
 * ```ts
 * const command: RedisCommand = (args) => client.sendCommand(args);
 * await command(['SET', 'rtwire:probe', '1', 'PX', '1000'], 'rtwire:probe');
 * ```
 */
export type RedisCommand = (args: string[], key: string) => Promise<unknown>;

/** A Redis command that took longer than its bound. */
export class RedisTimeoutError extends Error {
  override readonly name = 'RedisTimeoutError';
  constructor(ms: number) {
    super(`Redis did not answer within ${ms} ms`);
  }
}

/**
 * `command`, bounded: a reply later than `timeoutMs` rejects with {@link RedisTimeoutError}
 * (a Redis that hangs must not hold a session or a request).
 *
 * @example
 * ```ts
 * const bounded = boundedRedisCommand((args) => client.sendCommand(args), 1_000);
 * await bounded(['GET', 'rtwire:probe'], 'rtwire:probe');
 * ```
 */
export function boundedRedisCommand(command: RedisCommand, timeoutMs: number): RedisCommand {
  return (args, key) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisTimeoutError(timeoutMs)), timeoutMs);
    });
    return Promise.race([command(args, key), timeout]).finally(() => clearTimeout(timer));
  };
}

/**
 * `bytes` random bytes as lower-case hex.
 *
 * @example
 * ```ts
 * randomHex(4); // '9f0c21ab'
 * ```
 */
export function randomHex(bytes: number): string {
  return hex(crypto.getRandomValues(new Uint8Array(bytes)));
}

/**
 * Bytes as lower-case hex.
 *
 * @example
 * ```ts
 * hex(new Uint8Array([1, 255])); // '01ff'
 * ```
 */
export function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}
