/**
 * The string bindings of a Workers `env`: vars and secrets. Other bindings (a Durable Object
 * namespace, say) are not configuration.
 *
 * @example
 * ```ts
 * createFetchRelay(stringBindings(env), workersRuntime);
 * ```
 */
export function stringBindings(env: Readonly<Record<string, unknown>>): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (typeof value === 'string') strings[name] = value;
  }
  return strings;
}

/**
 * The answer to every request of a worker whose configuration cannot be read (the variables
 * at fault are logged once, never their values).
 *
 * @example
 * ```ts
 * if (!relay.ok) return invalidConfiguration();
 * ```
 */
export function invalidConfiguration(): Response {
  return new Response('Relay configuration invalid\n', {
    status: 500,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  });
}
