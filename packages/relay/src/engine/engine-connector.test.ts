import { createSimulatorModel, type RealtimeModel } from '@rtwire/server';
import { describe, expect, it } from 'vitest';
import { MemorySocket } from '../../test/memory-socket.ts';
import { until } from '../../test/wait.ts';
import type { LogFields, LogLevel } from '../observe/relay-logger.ts';
import { type RelaySessionLimits, startRelaySession } from '../relay-session.ts';
import type { UpstreamConnector } from '../upstream/upstream-connector.ts';
import { createEngineConnector } from './engine-connector.ts';
import { createSimulatorConnector } from './simulator-connector.ts';

const MIB = 1024 * 1024;
const limits: RelaySessionLimits = {
  maxFrameBytes: 4 * MIB,
  rateLimitPerSecond: 0,
  rateLimitBurst: 1,
  highWaterBytes: MIB,
  hardLimitBytes: 8 * MIB,
};

/** A thrown value that throws again on any look at it, with a secret inside. */
const hostile = new Proxy(
  {},
  {
    get() {
      throw new Error('secret payload');
    },
    has() {
      throw new Error('secret payload');
    },
    getPrototypeOf() {
      throw new Error('secret payload');
    },
  },
);

/** One relay session in front of `connectUpstream`, its client and what it logged. */
async function open(connectUpstream: UpstreamConnector) {
  const client = new MemorySocket();
  const lines: { level: LogLevel; message: string; fields?: LogFields }[] = [];
  const session = startRelaySession({
    client,
    connectUpstream,
    model: 'gpt-realtime',
    limits,
    logger: { log: (level, message, fields) => lines.push({ level, message, fields }) },
  });
  await until(() => client.events().some((event) => event.type === 'session.created'), 'session');
  return { client, session, lines };
}

const userText = (text: string) =>
  JSON.stringify({
    type: 'conversation.item.create',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
  });

describe('in-process engine sessions in the relay', () => {
  it("counts the engine's conversation in the relay session's bufferedBytes, and the budget bounds it", async () => {
    const budget = 2 * MIB;
    const { client, session } = await open(
      createSimulatorConnector({ pace: 'fast', maxConversationBytes: budget }),
    );
    const idle = session.bufferedBytes;
    const item = userText('x'.repeat(256 * 1024));
    let most = 0;
    for (let index = 0; index < 40; index++) {
      client.deliver(item);
      most = Math.max(most, session.bufferedBytes);
    }
    expect(
      client.events().filter((event) => event.type === 'conversation.item.added'),
    ).toHaveLength(40);
    // 40 items of 256 KiB were added; the engine held at most its budget of them.
    expect(session.bufferedBytes - idle).toBeGreaterThan(budget / 2);
    expect(most - idle).toBeLessThanOrEqual(budget + 64 * 1024);
    session.close(1000, 'done');
    expect(session.bufferedBytes).toBe(0);
  });

  it('a model failing on purpose ends its own session with 1011 and a log line with no payload; another session completes a response', async () => {
    const simulator = createSimulatorModel({ pace: 'fast' });
    const model: RealtimeModel = {
      async respond(request, output, signal) {
        const said = JSON.stringify(request.items.at(-1) ?? null);
        if (said.includes('explode')) throw hostile;
        return simulator.respond(request, output, signal);
      },
    };
    const connectUpstream = createEngineConnector({ model, modelName: 'test-model' });
    const faulty = await open(connectUpstream);
    const other = await open(connectUpstream);
    faulty.client.deliver(userText('explode secret words'));
    faulty.client.deliver('{"type":"response.create"}');
    await until(() => faulty.client.closedWith !== undefined, 'the faulty session to close');
    expect(faulty.client.closedWith?.code).toBe(1011);
    const closed = faulty.lines.find((line) => line.message === 'upstream.closed');
    expect(closed?.fields).toMatchObject({ code: 1011 });
    expect(JSON.stringify(faulty.lines)).not.toContain('secret');
    expect(JSON.stringify(faulty.client.events())).not.toContain('secret payload');

    other.client.deliver(userText('hello there'));
    other.client.deliver('{"type":"response.create","response":{"output_modalities":["text"]}}');
    await until(
      () => other.client.events().some((event) => event.type === 'response.done'),
      'the other response',
    );
    expect(other.client.events().find((event) => event.type === 'response.done')).toMatchObject({
      response: { status: 'completed' },
    });
    expect(other.client.closedWith).toBeUndefined();
    other.session.close(1000, 'done');
  });
});
