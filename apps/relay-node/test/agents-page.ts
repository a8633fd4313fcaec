import { build } from 'esbuild';

let bundle: string | undefined;

/**
 * The agents-realtime page (`fixtures/agents-webrtc-page.ts`), bundled once per test file with
 * the SDK and zod from this app's node_modules (no CDN): `window.start` runs a
 * `RealtimeSession`, `window.connectTransport` the SDK's WebRTC transport alone.
 */
export async function agentsPage(): Promise<string> {
  bundle ??= (
    await build({
      entryPoints: [new URL('./fixtures/agents-webrtc-page.ts', import.meta.url).pathname],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    })
  ).outputFiles[0]?.text;
  return `<!doctype html><meta charset="utf-8"><title>agents</title><script>${bundle}</script>`;
}
