import { describe, expect, it } from 'vitest';
import { createRelayFromEnv } from '../config/relay-from-env.ts';
import type { UpstreamConnector } from '../upstream/upstream-connector.ts';
import { engineUpstream } from './engine-upstream.ts';

const runtime = (frames: 'bytes' | 'string') => ({
  frames,
  write: () => {},
  connectRealtime: (): UpstreamConnector => () => Promise.reject(new Error('not dialed')),
  engine: engineUpstream,
});

/** The first frame an upstream sends, as it came. */
async function firstFrame(connect: UpstreamConnector) {
  const socket = await connect({ model: undefined, signal: new AbortController().signal });
  const frame = await new Promise<string | Uint8Array>((resolve) =>
    socket.listen({ message: (data) => resolve(data), close() {}, drain() {} }),
  );
  socket.close(1000, 'done');
  return frame;
}

describe('engineUpstream', () => {
  it('runs the simulator without UPSTREAM_URL, its frames in the runtime’s form', async () => {
    for (const frames of ['string', 'bytes'] as const) {
      const relay = createRelayFromEnv({}, runtime(frames));
      if (!relay.ok) throw new Error('the defaults did not parse');
      const frame = await firstFrame(relay.connectUpstream);
      expect(typeof frame === 'string' ? 'string' : 'bytes').toBe(frames);
      const text = typeof frame === 'string' ? frame : new TextDecoder().decode(frame);
      const created = JSON.parse(text);
      expect(created.type).toBe('session.created');
      // The simulator's own opening instructions: this is the simulator, not a bare engine.
      expect(created.session.instructions).toContain('rtwire simulator');
    }
  });

  it('answers MODEL_BASE_URL with the engine named after the chat model', async () => {
    const relay = createRelayFromEnv(
      { MODEL_BASE_URL: 'http://127.0.0.1:1/v1', CHAT_MODEL: 'llama3.2' },
      runtime('string'),
    );
    if (!relay.ok) throw new Error(JSON.stringify(relay.errors));
    const created = JSON.parse((await firstFrame(relay.connectUpstream)) as string);
    expect(created.type).toBe('session.created');
    expect(created.session.model).toBe('llama3.2');
    expect(created.session.instructions ?? '').not.toContain('rtwire simulator');
  });
});
