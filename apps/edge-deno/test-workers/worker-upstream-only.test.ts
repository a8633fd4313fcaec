import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BundledWorker, bundleWorker } from './bundle-worker.ts';

// A worker that only relays to a real upstream: `@rtwire/relay/workers` with no engine. Its
// bundle must carry neither the engine (packages/server) nor the simulator, and it must still
// run in workerd.
const UPSTREAM_ONLY = `
import { createWorkersRelay } from '@rtwire/relay/workers';
export default createWorkersRelay();
`;

let bundle: BundledWorker;
let mf: Miniflare | undefined;

beforeAll(async () => {
  bundle = await bundleWorker({ contents: UPSTREAM_ONLY, minify: true });
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
});

describe('a Workers relay to a real upstream', () => {
  it('bundles no engine: no packages/server input, no simulator text', async () => {
    const inputs = Object.keys(bundle.metafile.inputs);
    expect(inputs.some((path) => path.includes('packages/relay/src/workers/'))).toBe(true);
    expect(inputs.filter((path) => path.includes('packages/server/'))).toEqual([]);
    expect(inputs.filter((path) => path.includes('packages/relay/src/engine/'))).toEqual([]);
    // The simulator's opening instructions: a string minifying cannot rename.
    expect(bundle.text).not.toContain('rtwire simulator');
    // The full worker (with the engine) does carry it: the check above can see the engine.
    const full = await bundleWorker({ minify: true });
    expect(full.text).toContain('rtwire simulator');
    expect(bundle.bytes).toBeLessThan(full.bytes);
    console.info(
      `Workers bundle, minified: upstream-only ${bundle.bytes} B, with the engine ${full.bytes} B`,
    );
  });

  it('runs in workerd, dials UPSTREAM_URL, and refuses to start without one', async () => {
    mf = new Miniflare({
      modules: true,
      script: bundle.text,
      compatibilityDate: '2025-07-01',
      // Port 9 (discard) on loopback: nothing answers, so the dial fails fast.
      bindings: { UPSTREAM_URL: 'ws://127.0.0.1:9/v1/realtime', RELAY_TOKENS: 'tok_worker' },
    });
    const health = await mf.dispatchFetch('http://relay.test/healthz');
    expect(await health.json()).toEqual({ status: 'ok', sessions: 0 });
    const response = await mf.dispatchFetch('http://relay.test/v1/realtime', {
      headers: { upgrade: 'websocket', authorization: 'Bearer tok_worker' },
    });
    expect(response.status).toBe(101);
    const socket = response.webSocket;
    if (!socket) throw new Error('no webSocket on the 101 response');
    const frames: string[] = [];
    const closed = new Promise<number>((resolve) => {
      socket.addEventListener('message', ({ data }) => frames.push(data as string));
      socket.addEventListener('close', ({ code }) => resolve(code));
    });
    socket.accept();
    // The upstream could not be reached: the client hears an error event, then a close.
    expect(await closed).not.toBe(1000);
    expect(frames.map((frame) => JSON.parse(frame).type)).toContain('error');
    await mf.dispose();

    mf = new Miniflare({
      modules: true,
      script: bundle.text,
      compatibilityDate: '2025-07-01',
      bindings: {},
    });
    const refused = await mf.dispatchFetch('http://relay.test/healthz');
    expect(refused.status).toBe(500);
  }, 30_000);
});
