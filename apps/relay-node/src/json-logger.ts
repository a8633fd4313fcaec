import type { RelayLogger } from '@rtwire/relay';

/**
 * A {@link RelayLogger} writing one JSON object per line (`time`, `level`, `msg`, fields) to
 * a stream, stdout by default. Wrap it with `createRedactingLogger` to filter and mask.
 *
 * @example
 * ```ts
 * const logger = createRedactingLogger(jsonLineLogger(), { minimum: 'info', secrets: [apiKey] });
 * ```
 */
export function jsonLineLogger(
  write: (line: string) => void = (line) => process.stdout.write(line),
): RelayLogger {
  return {
    log(level, message, fields) {
      write(
        `${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })}\n`,
      );
    },
  };
}
