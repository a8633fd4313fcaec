import { isAbsolute, resolve } from 'node:path';

/** A file path, as opposed to the inline forms the same variables take. */
const isFilePath: Readonly<Record<string, (value: string) => boolean>> = {
  // Inline JSON starts with `{`.
  RELAY_POLICY: (value) => !value.startsWith('{'),
  // Only `./x` and `../x` are paths; `file:` URLs and package names are import specifiers.
  RELAY_TOOLS_MODULE: (value) => value.startsWith('.'),
  // Inline PEM holds its armour line.
  TLS_CERT: (value) => !value.includes('-----BEGIN'),
  TLS_KEY: (value) => !value.includes('-----BEGIN'),
};

/**
 * A copy of `env` whose relative file paths (`RELAY_POLICY`, `RELAY_TOOLS_MODULE`, `TLS_CERT`,
 * `TLS_KEY`) are absolute, resolved against `directory`; inline values and absolute paths stay
 * as they are. Messages about a file then name the path that was tried.
 *
 * @example
 * ```ts
 * resolveConfigPaths({ RELAY_POLICY: './policy.json' }, '/home/me/app').RELAY_POLICY; // '/home/me/app/policy.json'
 * ```
 */
export function resolveConfigPaths(
  env: Readonly<Record<string, string | undefined>>,
  directory: string,
): Record<string, string | undefined> {
  const resolved: Record<string, string | undefined> = { ...env };
  for (const [name, isPath] of Object.entries(isFilePath)) {
    const value = env[name]?.trim();
    if (value === undefined || value === '' || !isPath(value) || isAbsolute(value)) continue;
    resolved[name] = resolve(directory, value);
  }
  return resolved;
}
