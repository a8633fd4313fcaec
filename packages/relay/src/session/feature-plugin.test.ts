import { afterEach, describe, expect, it, vi } from 'vitest';
import { countEvents } from '../../test/count-events-feature.ts';
import { MemorySocket } from '../../test/memory-socket.ts';
import { tick } from '../../test/wait.ts';
import { parseRelayConfig } from '../config/relay-config.ts';
import { startRelaySession } from '../relay-session.ts';
import type { ClientVerdict, RelayFeatureFactory } from './feature.ts';

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

  describe('a feature that decides later', () => {
    /** Holds each response.create until the test decides it. */
    function deciding() {
      const pending: ((verdict: ClientVerdict) => void)[] = [];
      const failures: ((error: Error) => void)[] = [];
      const feature: RelayFeatureFactory = () => ({
        name: 'quota',
        clientTypes: new Set(['response.create']),
        onClientEvent: () => ({
          action: 'await',
          decision: new Promise<ClientVerdict>((resolve, reject) => {
            pending.push(resolve);
            failures.push(reject);
          }),
        }),
      });
      return { feature, pending, failures };
    }
    const sentUpstream = (upstream: MemorySocket) =>
      upstream.sent.map(({ data }) => JSON.parse(String(data)).type as string);

    it('holds the event and every frame after it, in order, until the decision', async () => {
      const { feature, pending } = deciding();
      const { client, upstream } = await open([feature]);
      client.deliver('{"type":"input_audio_buffer.append","audio":"AAAA"}');
      client.deliver('{"type":"response.create","event_id":"event_r1"}');
      client.deliver('{"type":"input_audio_buffer.append","audio":"BBBB"}');
      client.deliver('{"type":"response.cancel"}');
      await tick();
      expect(sentUpstream(upstream)).toEqual(['input_audio_buffer.append']);
      pending[0]?.(undefined);
      await tick();
      expect(upstream.sent.map(({ data }) => data)).toEqual([
        '{"type":"input_audio_buffer.append","audio":"AAAA"}',
        '{"type":"response.create","event_id":"event_r1"}',
        '{"type":"input_audio_buffer.append","audio":"BBBB"}',
        '{"type":"response.cancel"}',
      ]);
    });

    it('applies a later refusal or rewrite as one made at once; a held event that waits holds the rest', async () => {
      const { feature, pending } = deciding();
      const { client, upstream } = await open([feature]);
      client.deliver('{"type":"response.create","event_id":"event_r1"}');
      client.deliver('{"type":"response.create","event_id":"event_r2"}');
      client.deliver('{"type":"response.cancel"}');
      pending[0]?.({ action: 'refuse', code: 'quota_exceeded', message: 'no tokens left' });
      await tick();
      // The second create waits in turn; the cancel behind it with it.
      expect(upstream.sent).toEqual([]);
      expect(client.events()).toEqual([
        expect.objectContaining({
          type: 'error',
          error: expect.objectContaining({ code: 'quota_exceeded', event_id: 'event_r1' }),
        }),
      ]);
      pending[1]?.({
        action: 'rewrite',
        event: {
          type: 'response.create',
          event_id: 'event_r2',
          response: { max_output_tokens: 7 },
        },
      });
      await tick();
      expect(upstream.events()).toEqual([
        { type: 'response.create', event_id: 'event_r2', response: { max_output_tokens: 7 } },
        { type: 'response.cancel' },
      ]);
    });

    it('ends the session with 1011 when the decision fails', async () => {
      const { feature, failures } = deciding();
      const { client, session } = await open([feature]);
      client.deliver('{"type":"response.create"}');
      failures[0]?.(new Error('store unreachable'));
      expect(await session.done).toBe(1011);
    });

    it('ends the session with 1013 when the client sends past the hard limit while it waits', async () => {
      const { feature } = deciding();
      const { client, session } = await open([feature]);
      client.deliver('{"type":"response.create"}');
      const audio = 'A'.repeat(1024 * 1024);
      for (let index = 0; index < 64 && client.closedWith === undefined; index++) {
        client.deliver(`{"type":"input_audio_buffer.append","audio":"${audio}"}`);
      }
      expect(await session.done).toBe(1013);
    });
  });
});
