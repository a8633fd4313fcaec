/**
 * What to tell an operator whose relay could not listen, from the error the runtime threw
 * (Node's and Deno's both carry `code`): one line that says what is wrong and what to do,
 * instead of a stack trace.
 *
 * @example
 * ```ts
 * server.on('error', (error) => {
 *   console.error(`rtwire relay: ${listenFailureMessage(error, config.host, config.port)}`);
 *   process.exit(1);
 * });
 * ```
 */
export function listenFailureMessage(error: unknown, host: string, port: number): string {
  const where = `${host}:${port}`;
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'EADDRINUSE':
      return `${where} is already in use (set PORT to another port, or stop what holds it)`;
    case 'EACCES':
      return `${where} needs privileges this process does not have (use a port above 1023)`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine (check HOST)`;
    default:
      return `could not listen on ${where}${typeof code === 'string' ? ` (${code})` : ''}`;
  }
}
