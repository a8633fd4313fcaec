import { readFileSync } from 'node:fs';

/**
 * Reads TLS material given either inline (a PEM block) or as a file path (relative to the
 * working directory; `loadRelayFromEnv` has already made a configured one absolute).
 *
 * @example
 * ```ts
 * const cert = readPem(config.tlsCert); // works for '-----BEGIN CERTIFICATE-----…' and '/etc/tls/cert.pem'
 * ```
 */
export function readPem(value: string): string {
  return value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8');
}
