import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemorySocket } from '../../test/memory-socket.ts';
import { tick } from '../../test/wait.ts';
import { parseRelayConfig } from '../config/relay-config.ts';
import { createRelayLogger } from '../observe/json-line-logger.ts';
import { type RelaySessionLimits, startRelaySession } from '../relay-session.ts';
import { idsForLog } from './client-frame.ts';

const limits: RelaySessionLimits = {
  maxFrameBytes: 1 << 20,
  rateLimitPerSecond: 0,
  rateLimitBurst: 1,
  highWaterBytes: 1 << 20,
  hardLimitBytes: 1 << 22,
};

/** A session logging at debug into `lines`, as `LOG_LEVEL=debug` does. */
async function debugSession() {
  const lines: string[] = [];
  const parsed = parseRelayConfig({ LOG_LEVEL: 'debug' });
  if (!parsed.ok) throw new Error('config');
  const client = new MemorySocket();
  const upstream = new MemorySocket();
  startRelaySession({
    client,
    connectUpstream: async () => upstream,
    model: undefined,
    limits,
    logger: createRelayLogger(parsed.config, (line) => lines.push(line)),
  });
  await tick();
  return { lines, client, upstream };
}

/** Client events with `text` in every place a client writes words. */
const framesWith = (text: string): unknown[] => [
  {
    type: 'conversation.item.create',
    event_id: 'evt_1',
    item: {
      id: 'item_1',
      type: 'message',
      role: 'user',
      content: [{ type: 'input_text', text }],
    },
  },
  {
    type: 'session.update',
    session: {
      type: 'realtime',
      instructions: text,
      prompt: { id: 'pmpt_1', variables: { name: text } },
      tools: [{ type: 'function', name: 'lookup', description: text, parameters: {} }],
      tracing: { workflow_name: text },
    },
  },
  { type: 'response.create', response: { instructions: text, metadata: { note: text } } },
  {
    type: 'conversation.item.create',
    item: { type: 'function_call_output', call_id: 'call_1', output: text },
  },
  { type: 'future.event', words: text },
];

describe('what a debug log holds of a client frame', () => {
  it('logs the type, size and ids of each client event, never its text', async () => {
    const { lines, client, upstream } = await debugSession();
    const secret = 'my card number is 4111 1111 1111 1111';
    const frames = [
      ...framesWith(secret),
      // Words where an id goes are not logged either: only id-shaped ids are.
      { type: 'conversation.item.delete', event_id: secret, item_id: secret },
    ].map((frame) => JSON.stringify(frame));
    for (const frame of frames) client.deliver(frame);
    // Every frame went upstream as it came: the log is what changed, not the relay.
    expect(upstream.sent.map(({ data }) => data)).toEqual(frames);
    expect(lines.join('')).not.toContain('4111');
    const events = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'client.event');
    expect(events).toHaveLength(frames.length);
    expect(events[0]).toMatchObject({
      type: 'conversation.item.create',
      bytes: frames[0]?.length,
      event_id: 'evt_1',
      item_id: 'item_1',
    });
    expect(events[4]).toMatchObject({ type: 'unknown' });
    expect(Object.keys(events[1] ?? {}).sort()).toEqual(
      ['bytes', 'level', 'msg', 'session', 'time', 'type'].sort(),
    );
  });

  it('lets no text of any client frame through, whatever it says', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40 }), async (words) => {
        // A marker no key, type or id of the relay's contains, around what the client wrote.
        const text = `Zq${words}Zq`;
        const { lines, client } = await debugSession();
        for (const frame of framesWith(text)) client.deliver(JSON.stringify(frame));
        const written = lines.join('');
        expect(written).not.toContain(JSON.stringify(text).slice(1, -1));
        expect(written).not.toContain('Zq');
      }),
      { numRuns: 50 },
    );
  });

  it('keeps only id-shaped ids', () => {
    expect(idsForLog({ event_id: 'evt_1', item: { id: 'item_1' } })).toEqual({
      event_id: 'evt_1',
      item_id: 'item_1',
    });
    expect(idsForLog({ event_id: 'call me at 555', item_id: 'x'.repeat(65) })).toEqual({});
    // Id-shaped text of the client's own is not an id the protocol gives: left out too.
    expect(idsForLog({ event_id: 'ssn-123-45-6789', item_id: 'item_1' })).toEqual({
      item_id: 'item_1',
    });
  });
});
