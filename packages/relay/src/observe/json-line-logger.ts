import type { RelayConfig } from '../config/relay-config.ts';
import { parseCredential } from '../host/admission.ts';
import { createRedactingLogger, type LogLevel, type RelayLogger } from './relay-logger.ts';

/**
 * A {@link RelayLogger} writing one JSON object per line (`time`, `level`, `msg`, fields)
 * through `write` (stdout in Node, `console.log` on edge runtimes).
 *
 * @example
 * ```ts
 * const logger = createJsonLineLogger((line) => process.stdout.write(line));
 * ```
 */
export function createJsonLineLogger(write: (line: string) => void): RelayLogger {
  return {
    log(level, message, fields) {
      const time = new Date().toISOString();
      let line: string;
      try {
        line = JSON.stringify({ time, level, msg: message, ...fields });
      } catch {
        // Cycles, BigInts, nesting too deep or a throwing getter: the record still says what
        // happened, without the fields that could not be written.
        line = JSON.stringify({
          time,
          level,
          msg: String(message),
          log_error: 'unserializable fields',
        });
      }
      try {
        write(`${line}\n`);
      } catch {
        // A log line that cannot be written (a closed stdout) must not end the process.
      }
    },
  };
}

/**
 * The logger a relay runs with: JSON lines at the configured level, with the upstream key
 * and every client token masked wherever they would appear.
 *
 * @example
 * ```ts
 * const logger = createRelayLogger(config, (line) => process.stdout.write(line));
 * ```
 */
export function createRelayLogger(
  config: RelayConfig,
  write: (line: string) => void,
): RelayLogger & { enabled(level: LogLevel): boolean } {
  return createRedactingLogger(createJsonLineLogger(write), {
    minimum: config.logLevel,
    // The token alone is what a client presents, and so what could reach a log line.
    secrets: [
      config.upstreamApiKey,
      ...config.relayTokens.flatMap((entry) => [entry, parseCredential(entry).token]),
    ],
  });
}
