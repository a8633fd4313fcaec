/** Log levels, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Fields of a log record: names the relay chose, values without payloads. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * Where the relay's structured log records go. The relay never passes payloads (audio,
 * transcripts, credentials) in `fields`; debug records of events go through `redactForLog`.
 *
 * @example
 * ```ts
 * const logger: RelayLogger = { log: (level, message, fields) => console.log(JSON.stringify({ level, message, ...fields })) };
 * ```
 */
export interface RelayLogger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * A logger that drops everything.
 *
 * @example
 * ```ts
 * const host = createRelayHost({ config, connectUpstream, logger: silentLogger });
 * ```
 */
export const silentLogger: RelayLogger = { log() {} };

/**
 * Wraps a logger so records below `minimum` are dropped and any occurrence of a secret in a
 * string field or message is masked: a last line of defence for error text from libraries.
 *
 * @example
 * ```ts
 * const logger = createRedactingLogger(sink, { minimum: 'info', secrets: [apiKey, ...tokens] });
 * ```
 */
export function createRedactingLogger(
  sink: RelayLogger,
  options: { readonly minimum?: LogLevel; readonly secrets?: readonly (string | undefined)[] },
): RelayLogger & { enabled(level: LogLevel): boolean } {
  const minimum = LEVELS[options.minimum ?? 'info'];
  const secrets = (options.secrets ?? []).filter(
    (secret): secret is string => typeof secret === 'string' && secret.length >= 4,
  );
  const mask = (text: string) =>
    secrets.reduce((masked, secret) => masked.split(secret).join('[redacted secret]'), text);
  const clean = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return mask(value);
    if (typeof value !== 'object' || value === null) return value;
    // Secrets are masked to this depth; anything deeper is not written at all.
    if (depth > 8) return '[nested too deep]';
    if (Array.isArray(value)) return value.map((item) => clean(item, depth + 1));
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, clean(item, depth + 1)]),
    );
  };
  return {
    enabled: (level) => LEVELS[level] >= minimum,
    log(level, message, fields) {
      if (LEVELS[level] < minimum) return;
      let cleaned: LogFields | undefined;
      try {
        cleaned = fields === undefined ? undefined : (clean(fields, 0) as LogFields);
      } catch {
        cleaned = { log_error: 'unreadable fields' };
      }
      try {
        sink.log(level, mask(String(message)), cleaned);
      } catch {
        // A log call never takes the relay down, whatever the sink does.
      }
    },
  };
}

/**
 * Wraps any logger so that a call never throws: what the relay logs is never worth a session,
 * let alone the process. The relay applies it to loggers it is given.
 *
 * @example
 * ```ts
 * const logger = createNeverThrowingLogger(userLogger);
 * logger.log('info', 'session.open', { session: id }); // a throwing userLogger is contained
 * ```
 */
export function createNeverThrowingLogger(
  logger: RelayLogger & { enabled?(level: LogLevel): boolean },
): RelayLogger & { enabled(level: LogLevel): boolean } {
  return {
    enabled(level) {
      try {
        return logger.enabled?.(level) ?? true;
      } catch {
        return false;
      }
    },
    log(level, message, fields) {
      try {
        logger.log(level, message, fields);
      } catch {
        // Contained: see above.
      }
    },
  };
}
