import { afterEach, describe, expect, it, vi } from 'vitest';
import { countEvents } from '../../test/count-events-feature.ts';
import { MemorySocket } from '../../test/memory-socket.ts';
import { tick } from '../../test/wait.ts';
import { parseRelayConfig } from '../config/relay-config.ts';
import { startRelaySession } from '../relay-session.ts';
import type { RelayFeatureFactory } from './feature.ts';

const parsed = parseRelayConfig({});
if (!parsed.ok) throw new Error('config');
const limits = parsed.config;

afterEach(() => vi.restoreAllMocks());

async function open(features: readonly RelayFeatureFactory[]) {
  const client = new MemorySocket();
  const upstream = new MemorySocket();
  const session = startRelaySession({
    client,
    connectUpstream: async () => upstream,
    model: undefined,
    limits,
    features,
  });
  await tick();
  return { client, upstream, session };
}

const delta = (index: number) =>
  `{"type":"response.output_audio.delta","event_id":"e${index}","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"AAAA"}`;

describe('a feature plugged in without a change to the pipe', () => {
  it('counts events by type, and the frames it watches stay the bytes that came', async () => {
    const counts = { upstream: new Map<string, number>(), client: new Map<string, number>() };
    const { client, upstream } = await open([countEvents(counts)]);
    client.deliver('{"type":"input_audio_buffer.append","audio":"AAAA"}');
    client.deliver('{"type":"response.create"}');
    const parse = vi.spyOn(JSON, 'parse');
    for (let index = 0; index < 5; index++) upstream.deliver(delta(index));
    upstream.deliver('{"type":"response.done","response":{"id":"resp_1"}}');
    // Resume (on by default) reads response.done; no delta is parsed, by it or by the counter.
    expect(parse.mock.calls.map(([text]) => String(text))).toEqual([
      '{"type":"response.done","response":{"id":"resp_1"}}',
    ]);
    expect(Object.fromEntries(counts.upstream)).toEqual({
      'response.output_audio.delta': 5,
      'response.done': 1,
    });
    expect(Object.fromEntries(counts.client)).toEqual({
      'input_audio_buffer.append': 1,
      'response.create': 1,
    });
    // Forwarded as they came, in order, the same objects.
    expect(client.sent.map(({ data }) => data)).toEqual([
      ...[0, 1, 2, 3, 4].map(delta),
      '{"type":"response.done","response":{"id":"resp_1"}}',
    ]);
  });

  it('hears only the types it declared, and one that refuses stops the event for the upstream', async () => {
    const heard: string[] = [];
    const refuseCancel: RelayFeatureFactory = () => ({
      name: 'no-cancel',
      clientTypes: new Set(['response.cancel']),
      onClientEvent(event) {
        heard.push(event.type);
        return { action: 'refuse', code: 'policy_violation', message: 'no cancelling here' };
      },
    });
    const { client, upstream } = await open([refuseCancel]);
    client.deliver('{"type":"response.create"}');
    client.deliver('{"type":"response.cancel","event_id":"event_c1"}');
    expect(heard).toEqual(['response.cancel']);
    expect(upstream.sent.map(({ data }) => data)).toEqual(['{"type":"response.create"}']);
    expect(client.events()).toEqual([
      expect.objectContaining({
        type: 'error',
        error: expect.objectContaining({ code: 'policy_violation', event_id: 'event_c1' }),
      }),
    ]);
  });

  it('a feature hook that throws ends that session with 1011, not the process', async () => {
    const broken: RelayFeatureFactory = () => ({
      name: 'broken',
      upstreamTypes: new Set(['response.done']),
      onUpstreamFrame() {
        throw new Error('feature bug');
      },
    });
    const { client, upstream, session } = await open([broken]);
    upstream.deliver('{"type":"response.done","response":{"id":"r"}}');
    await expect(session.done).resolves.toBe(1011);
    expect(client.closedWith?.code).toBe(1011);
  });
});
