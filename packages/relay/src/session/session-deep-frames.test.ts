import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemorySocket } from '../../test/memory-socket.ts';
import { tick } from '../../test/wait.ts';
import type { TenantPolicy } from '../policy/relay-policy.ts';
import { type RelaySessionLimits, startRelaySession } from '../relay-session.ts';

const limits: RelaySessionLimits = {
  maxFrameBytes: 1 << 21,
  rateLimitPerSecond: 0,
  rateLimitBurst: 1,
  highWaterBytes: 1 << 20,
  hardLimitBytes: 1 << 22,
  resumeAttempts: 3,
};

const openPolicy: TenantPolicy = {
  instructions: { prefix: 'Be kind.' },
  models: undefined,
  voices: undefined,
  outputLanguages: undefined,
  outputModalities: undefined,
  maxOutputTokens: undefined,
  turnDetection: 'free',
  toolChoice: undefined,
  maxSessionSeconds: undefined,
  clientSecretMaxSeconds: undefined,
  onViolation: 'clamp',
  clientTools: undefined,
  serverTools: [],
  limits: undefined,
};

/** Where a client can put a value of its own, `VALUE` standing for it. */
const PLACES = [
  '{"type":"session.update","session":{"type":"realtime","tools":[{"type":"function","name":"f","parameters":VALUE}]}}',
  '{"type":"session.update","session":{"type":"realtime","tracing":VALUE}}',
  '{"type":"session.update","session":{"type":"realtime","prompt":{"id":"p","variables":VALUE}}}',
  '{"type":"session.update","session":{"type":"realtime","extra":VALUE}}',
  '{"type":"response.create","response":{"metadata":VALUE}}',
  '{"type":"response.create","response":{"tool_choice":{"type":"function","name":"f","extra":VALUE}}}',
  '{"type":"response.create","response":{"input":[{"type":"item_reference","id":"item_1","extra":VALUE}]}}',
  '{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"hi","extra":VALUE}]}}',
  '{"type":"future.event","value":VALUE}',
];

/**
 * Where a deep value is valid: what the spec leaves open (a tool's parameter schema), and
 * events policy does not read (the upstream judges those).
 */
const OPEN_PLACES = new Set([PLACES[0], PLACES[7], PLACES[8]]);

/** A JSON value nested `depth` levels: objects and arrays in turn. */
function nested(depth: number): string {
  let open = '';
  let close = '';
  for (let level = 0; level < depth; level++) {
    open += level % 2 === 0 ? '{"k":' : '[';
    close = (level % 2 === 0 ? '}' : ']') + close;
  }
  return `${open}1${close}`;
}

async function sessionWithPolicy() {
  const client = new MemorySocket();
  const upstream = new MemorySocket();
  startRelaySession({
    client,
    connectUpstream: async () => upstream,
    model: undefined,
    limits,
    policy: { rules: openPolicy },
  });
  await tick();
  // The operator's opening session.update is the relay's, not the client's.
  upstream.sent.length = 0;
  return { client, upstream };
}

describe('client values nested deeper than the decoder takes', () => {
  it('are refused with one error event each, whatever the place and depth, and the session goes on', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PLACES),
        fc.integer({ min: 129, max: 100_000 }),
        async (place, depth) => {
          const { client, upstream } = await sessionWithPolicy();
          expect(() => client.deliver(place.replace('VALUE', nested(depth)))).not.toThrow();
          expect(upstream.sent).toEqual([]);
          expect(client.events()).toMatchObject([
            { type: 'error', error: { type: 'invalid_request_error', code: 'invalid_event' } },
          ]);
          client.deliver('{"type":"response.create","event_id":"next"}');
          expect(upstream.events().at(-1)).toMatchObject({ event_id: 'next' });
          expect(client.closedWith).toBeUndefined();
        },
      ),
      { numRuns: 40 },
    );
  });

  it('pass when they fit, through the policy, where the spec leaves the value open', async () => {
    for (const place of PLACES) {
      const { client, upstream } = await sessionWithPolicy();
      client.deliver(place.replace('VALUE', nested(100)));
      expect(client.closedWith).toBeUndefined();
      const errors = client.events().filter((event) => event.type === 'error');
      if (OPEN_PLACES.has(place)) {
        expect(errors, place).toEqual([]);
        expect(upstream.sent).toHaveLength(1);
      } else {
        // Policy reads these events, and refuses what the spec does not allow there (an
        // unknown field, a value of the wrong shape), as the live API would: one error each.
        expect(errors, place).toMatchObject([
          {
            error: {
              code: expect.stringMatching(
                /^(unknown_parameter|invalid_type|invalid_value|missing_required_parameter)$/,
              ),
            },
          },
        ]);
        expect(upstream.sent).toEqual([]);
      }
    }
  });
});
