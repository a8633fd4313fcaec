import { describe, expect, it, vi } from 'vitest';
import { openMemorySession } from '../../test/memory-session.ts';
import { withBetaProtocol } from './beta-client-socket.ts';

// A translation that throws: a fault of the relay's own, in either direction.
vi.mock('./translate-client-event.ts', async (original) => ({
  ...(await original<typeof import('./translate-client-event.ts')>()),
  betaClientEventToGa: () => {
    throw new Error('client translation broke');
  },
}));
vi.mock('./translate-server-event.ts', async (original) => ({
  ...(await original<typeof import('./translate-server-event.ts')>()),
  gaServerEventToBeta: () => {
    throw new Error('server translation broke');
  },
}));

async function open() {
  const faults: unknown[] = [];
  const opened = await openMemorySession({
    wrapClient: (client) =>
      withBetaProtocol(client, { announced: true, onFault: (error) => faults.push(error) }),
  });
  return { ...opened, faults };
}

describe('withBetaProtocol when a translation fails', () => {
  it('ends that session with an error and 1011 on a client frame, telling onFault', async () => {
    const { client, upstream, faults, session } = await open();
    client.deliver('{"type":"session.update","session":{"modalities":["text"]}}');
    expect(await session.done).toBe(1011);
    expect(faults).toHaveLength(1);
    expect(client.events()).toMatchObject([
      { type: 'error', error: { type: 'server_error', code: 'internal_error' } },
    ]);
    expect(client.closedWith?.code).toBe(1011);
    expect(upstream.sent).toEqual([]);
    // Nothing more reaches the session.
    client.deliver('{"type":"response.create"}');
    expect(upstream.sent).toEqual([]);
  });

  it('ends that session with an error and 1011 on a server frame, through its fault boundary', async () => {
    const { client, upstream, session } = await open();
    upstream.deliver('{"type":"response.output_text.delta","event_id":"e1","delta":"x"}');
    expect(await session.done).toBe(1011);
    expect(client.events()).toMatchObject([
      { type: 'error', error: { type: 'server_error', code: 'internal_error' } },
    ]);
    expect(client.closedWith?.code).toBe(1011);
  });
});
