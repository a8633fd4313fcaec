import { describe, expect, it, vi } from 'vitest';
import { MemorySocket } from '../../test/memory-socket.ts';
import { tick } from '../../test/wait.ts';
import { parseRelayConfig } from '../config/relay-config.ts';
import { createRelayHost, type PendingSession } from './relay-host.ts';

// A client translation that throws: a fault of the relay's own, which the host logs.
vi.mock('../beta-protocol/translate-client-event.ts', async (original) => ({
  ...(await original<typeof import('../beta-protocol/translate-client-event.ts')>()),
  betaClientEventToGa: () => {
    throw new Error('translation broke on sk-SECRET-VALUE');
  },
}));

const SECRET = 'sk-SECRET-VALUE';

async function admitted(headers: Record<string, string>) {
  const parsed = parseRelayConfig({});
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const records: { message: string; fields: unknown }[] = [];
  const upstream = new MemorySocket();
  const host = createRelayHost({
    config: parsed.config,
    connectUpstream: async () => upstream,
    logger: { log: (_level, message, fields) => records.push({ message, fields }) },
  });
  const admission = await host.admit({
    url: '/v1/realtime?model=gpt-realtime',
    headers: new Headers(headers),
  });
  expect(admission.ok).toBe(true);
  return { pending: admission as PendingSession, records, upstream };
}

describe("the host's beta-protocol hook", () => {
  it("logs a translation's fault once, naming the session, never the frame or the error's text", async () => {
    const { pending, records } = await admitted({
      upgrade: 'websocket',
      'openai-beta': 'realtime=v1',
    });
    const client = new MemorySocket();
    const session = pending.open(client);
    await tick();
    client.deliver(JSON.stringify({ type: 'session.update', session: { instructions: SECRET } }));
    expect(await session.done).toBe(1011);
    const faults = records.filter((record) => record.message === 'session.beta_protocol_fault');
    expect(faults).toEqual([
      { message: 'session.beta_protocol_fault', fields: { session: session.id, error: 'Error' } },
    ]);
    expect(JSON.stringify(records)).not.toContain(SECRET);
  });

  it("leaves a call's session (a POST, not an upgrade) GA, whatever its headers say", async () => {
    const { pending, upstream } = await admitted({
      'content-type': 'application/sdp',
      'openai-beta': 'realtime=v1',
    });
    const client = new MemorySocket();
    pending.open(client);
    await tick();
    const update = '{"type":"session.update","session":{"type":"realtime","voice":"alloy"}}';
    client.deliver(update);
    await tick();
    // Not translated (the throwing translation was never reached): sent upstream as it came.
    expect(upstream.sent.map((frame) => frame.data)).toContain(update);
    expect(client.closedWith).toBeUndefined();
  });
});
