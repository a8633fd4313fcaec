// Bundles src/worker.ts (and the workspace packages' sources it imports) into one ES module,
// as `wrangler deploy` would, so workerd can run it.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = new URL('../../../', import.meta.url);
const source = (name: string) => fileURLToPath(new URL(`packages/${name}/src/index.ts`, root));

/** The worker as one ES module's source text. */
export async function bundleWorker(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../src/worker.ts', import.meta.url))],
    write: false,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    logLevel: 'silent',
    alias: {
      '@rtwire/types': source('types'),
      '@rtwire/builders': source('builders'),
      '@rtwire/serializer': source('serializer'),
      '@rtwire/server': source('server'),
      '@rtwire/relay': source('relay'),
    },
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild produced no output');
  return output.text;
}
