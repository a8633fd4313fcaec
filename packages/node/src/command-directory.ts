import { isAbsolute } from 'node:path';

/**
 * The directory the user ran the command in, which relative paths in the configuration mean:
 * `INIT_CWD`, which npm, pnpm and yarn set for the scripts they run (a script runs in its own
 * package's directory, not where the user typed `pnpm start`), else the working directory.
 *
 * @example
 * ```ts
 * const policyPath = resolve(commandDirectory(), './my-policy.json');
 * ```
 */
export function commandDirectory(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const initial = env.INIT_CWD?.trim();
  return initial !== undefined && isAbsolute(initial) ? initial : process.cwd();
}
