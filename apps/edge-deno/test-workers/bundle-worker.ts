// Bundles a worker module (and the workspace packages' sources it imports) into one ES module,
// as `wrangler deploy` would, so workerd can run it and its size can be measured.
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

const root = new URL('../../../', import.meta.url);
const source = (path: string) => fileURLToPath(new URL(`packages/${path}`, root));

/** Each workspace package, and each subpath of the relay, mapped to its source. */
const alias: Record<string, string> = {
  '@rtwire/types': source('types/src/index.ts'),
  '@rtwire/builders': source('builders/src/index.ts'),
  '@rtwire/serializer': source('serializer/src/index.ts'),
  '@rtwire/server': source('server/src/index.ts'),
  '@rtwire/relay': source('relay/src/index.ts'),
  '@rtwire/relay/engine': source('relay/src/engine/index.ts'),
  '@rtwire/relay/workers': source('relay/src/workers/index.ts'),
};

/** A bundled worker: its source text and esbuild's account of what went in. */
export interface BundledWorker {
  readonly text: string;
  readonly bytes: number;
  readonly metafile: Metafile;
}

/**
 * Bundles a worker: `src/worker.ts` by default, or the module `contents` given (resolved from
 * `src/`). `minify` as a deploy would (for measuring); the tests run it unminified.
 */
export async function bundleWorker(
  options: { readonly contents?: string; readonly minify?: boolean } = {},
): Promise<BundledWorker> {
  const srcDir = fileURLToPath(new URL('../src/', import.meta.url));
  const result = await build({
    ...(options.contents === undefined
      ? { entryPoints: [`${srcDir}worker.ts`] }
      : { stdin: { contents: options.contents, resolveDir: srcDir, loader: 'ts' } }),
    write: false,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    minify: options.minify ?? false,
    metafile: true,
    logLevel: 'silent',
    alias,
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild produced no output');
  return { text: output.text, bytes: output.contents.byteLength, metafile: result.metafile };
}
